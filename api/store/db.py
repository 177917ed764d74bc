"""Database engine, sessions and migrations (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions begin in _sqlite_begin, not pysqlite
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    if connection.get_execution_options().get("read_only"):
        connection.exec_driver_sql("BEGIN")  # a WAL reader: neither waits nor blocks
        return
    # A transaction takes SQLite's write lock when it begins, waiting for it up
    # to the busy timeout. A deferred one that read first could not take it
    # later once another connection wrote meanwhile: "database is locked" at
    # once, without waiting. Writers are serialized either way.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL and process.

    SQLite gets WAL, foreign keys, a busy timeout, and transactions that
    take the write lock when they begin (``BEGIN IMMEDIATE``).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


READ_APPLICATION = "tournee carrier reads"
"""``application_name`` of the read engine's connections (``pg_stat_activity``)."""


def read_engine(url: str) -> AsyncEngine | None:
    """An asyncio engine on a database server, for reads served on the event loop;
    ``None`` for SQLite.

    Its connections belong to the event loop that opens them: an app makes
    one when it starts and disposes of it when it stops. They are in
    autocommit: a read of one statement needs no ``BEGIN`` and ``ROLLBACK``
    round trips. They are not pinged before use (a round trip per request):
    a read that finds its connection dropped is tried again instead, see
    ``api.deps.on_read_connection``.
    """
    if url.startswith("sqlite"):
        return None
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=20,
        isolation_level="AUTOCOMMIT",
        connect_args={"application_name": READ_APPLICATION},
    )


@lru_cache(maxsize=8)
def _factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str, read_only: bool = False) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    if read_only:
        session = Session(get_engine(url).execution_options(read_only=True), expire_on_commit=False)
    else:
        session = _factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_connection(url: str) -> Iterator[Connection]:
    """A connection in a read-only transaction, rolled back at the end.

    Lighter than a session (no unit of work, no identity map): the carriers'
    read paths run on one. On SQLite the transaction is a WAL reader, which
    neither waits for writers nor blocks them.
    """
    with get_engine(url).connect().execution_options(read_only=True) as connection:
        yield connection


def alembic_config(url: str) -> Config:
    """Alembic configuration for ``url`` (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema."""
    command.upgrade(alembic_config(url), "head")


def ping(url: str) -> bool:
    """Whether the database answers."""
    try:
        with get_engine(url).connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("database %s is not reachable", get_engine(url).url.render_as_string())
        return False
