"""Shared fixtures and paths."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
POSTGRES_ENV = "TOURNEE_TEST_DATABASE_URL"
"""Set to a PostgreSQL URL (``postgresql+psycopg://root@127.0.0.1:5432/test``) to test on it too."""


@pytest.fixture
def data_dir() -> Path:
    """Folder with the small benchmark files copied into the repo."""
    return DATA


def _postgres_schema(server_url: str) -> Iterator[str]:
    """A URL whose connections use a fresh schema of ``server_url``; dropped afterwards."""
    from sqlalchemy import create_engine, text

    from api.store.db import get_engine

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        separator = "&" if "?" in server_url else "?"
        url = f"{server_url}{separator}options=-csearch_path%3D{schema}"
        try:
            yield url
        finally:
            get_engine(url).dispose()
            with admin.connect() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        admin.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set"
            ),
        ),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh schema on the PostgreSQL test server.

    The PostgreSQL case runs only when ``TOURNEE_TEST_DATABASE_URL`` names a
    server; each test gets its own schema (through ``search_path``), dropped
    with everything in it afterwards.
    """
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tournee.db'}"
        yield url
        from api.store.db import get_engine

        get_engine(url).dispose()
    else:
        yield from _postgres_schema(os.environ[POSTGRES_ENV])
