"""``tournee serve``, ``tournee worker`` and ``tournee keys``: run and administer the service."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.settings import Settings, get_settings

out = Console()
err = Console(stderr=True)

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


def _settings(database_url: str | None) -> Settings:
    settings = get_settings()
    if database_url is not None:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


DatabaseOption = Annotated[
    str | None,
    typer.Option(help="SQLAlchemy database URL (default: TOURNEE_DATABASE_URL or ./tournee.db)."),
]


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int | None, typer.Option(help="Embedded solve workers (0: run `tournee worker` apart).")
    ] = None,
    http_workers: Annotated[
        int | None,
        typer.Option(min=1, help="HTTP server processes sharing the port (default: 1)."),
    ] = None,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Run the HTTP service with an embedded pool of solve workers.

    With ``--http-workers N`` the requests are served by N processes (one
    event loop each, so up to N cores); the solve workers are started once.
    """
    import os

    import uvicorn

    from api.app import create_app
    from api.jobs import WorkerPool
    from api.store.db import migrate

    settings = _settings(database_url)
    size = settings.workers if workers is None else workers
    processes = settings.http_workers if http_workers is None else http_workers
    migrate(settings.database_url)  # once, before any process serves
    pool = WorkerPool(settings, size)
    if size > 0:
        pool.start()
    options = {"host": host, "port": port, "log_level": "warning", "access_log": access_log}
    if access_log:
        options["log_level"] = "info"
    try:
        if processes == 1:
            uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        else:
            # Each process builds the app from the environment's settings.
            os.environ["TOURNEE_DATABASE_URL"] = settings.database_url
            uvicorn.run("api.app:create_app", factory=True, workers=processes, **options)  # type: ignore[arg-type]
    finally:
        pool.stop()


def worker(
    processes: Annotated[int, typer.Option(help="Worker processes to run.")] = 1,
    database_url: DatabaseOption = None,
) -> None:
    """Run solve workers apart from the HTTP service (stop with Ctrl-C)."""
    from api.jobs import WorkerPool

    settings = _settings(database_url)
    pool = WorkerPool(settings, processes)
    pool.start()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    out.print(f"{processes} worker(s) on {settings.database_url}")
    done.wait()
    pool.stop()


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who or what uses the key.")],
    role: Annotated[str, typer.Option(help="planner, analyst or carrier.")],
    carrier: Annotated[str | None, typer.Option(help="The carrier id, for a carrier key.")] = None,
    scope: Annotated[
        list[str] | None, typer.Option(help="Scopes (default: the role's); repeatable.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a key and print it once; only its hash is stored."""
    from api.services.keys import create_key
    from api.store.db import migrate, session_scope

    settings = _settings(database_url)
    migrate(settings.database_url)
    try:
        with session_scope(settings.database_url) as session:
            token, row = create_key(session, name, role, carrier, tuple(scope or ()))
            prefix, scopes = row.prefix, list(row.scopes)
    except ValueError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    out.print(f"key {prefix} ({role}{', ' + carrier if carrier else ''}): {' '.join(scopes)}")
    print(token)


@keys_app.command("list")
def list_(database_url: DatabaseOption = None) -> None:
    """List keys (never their secrets)."""
    from api.services.keys import describe, list_keys
    from api.store.db import migrate, session_scope

    settings = _settings(database_url)
    migrate(settings.database_url)
    with session_scope(settings.database_url) as session:
        rows = [describe(r) for r in list_keys(session)]
    table = Table(title="API keys")
    for column in ("prefix", "name", "role", "carrier", "scopes", "created", "revoked"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r["prefix"]),
            str(r["name"]),
            str(r["role"]),
            str(r["carrier"] or ""),
            " ".join(r["scopes"]),  # type: ignore[arg-type]
            str(r["created_at"])[:19],
            str(r["revoked_at"] or "")[:19],
        )
    out.print(table)


@keys_app.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix, as `keys list` shows it.")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke a key at once."""
    from api.services.keys import revoke_key
    from api.store.db import migrate, session_scope

    settings = _settings(database_url)
    migrate(settings.database_url)
    with session_scope(settings.database_url) as session:
        found = revoke_key(session, prefix)
    if not found:
        err.print(f"[bold red]error:[/] no key with prefix {prefix!r}")
        raise typer.Exit(2)
    out.print(f"key {prefix} revoked")


logging.getLogger("alembic").setLevel(logging.WARNING)
