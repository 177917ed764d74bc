"""Dependencies of the HTTP routes, declared once as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Header, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.services.keys import Principal, authenticate
from api.settings import Settings, get_settings
from api.store.db import read_connection, session_scope

T = TypeVar("T")


async def app_settings(request: Request) -> Settings:
    """The settings the app was made with (``create_app(settings)``), else ``get_settings()``.

    Read from the app rather than through ``dependency_overrides``: FastAPI
    re-inspects every dependency of every request while any override is set.
    """
    return getattr(request.app.state, "settings", None) or get_settings()


SettingsDep = Annotated[Settings, Depends(app_settings)]


async def get_session(request: Request, settings: SettingsDep) -> AsyncIterator[Session]:
    """A session per request: committed when the route returns, rolled back on error.

    The session is made on the event loop (it connects at its first query, in
    the thread of the dependency or route making it) and ended in a worker
    thread, as FastAPI ends a plain generator dependency: one thread hop less
    per request.
    """
    scope = session_scope(settings.database_url, request.method in ("GET", "HEAD"))
    session = scope.__enter__()
    try:
        yield session
    except Exception as exc:
        if not await run_in_threadpool(scope.__exit__, type(exc), exc, exc.__traceback__):
            raise
    else:
        await run_in_threadpool(scope.__exit__, None, None, None)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""Committed as soon as the route function returns, before the response is sent."""


bearer = HTTPBearer(
    scheme_name="bearer", description="`Authorization: Bearer <key>`", auto_error=False
)
api_key_header = APIKeyHeader(
    name="X-API-Key", scheme_name="apiKey", description="`X-API-Key: <key>`", auto_error=False
)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def credentials(
    request: Request,
    authorization: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    x_api_key: Annotated[str | None, Depends(api_key_header)],
) -> str:
    """The key given in ``Authorization: Bearer <key>`` or ``X-API-Key``; 401 otherwise.

    Every credential given must be well formed: an ``Authorization`` header
    that is not a bearer key, or two different keys, are refused rather than
    ignored. Whether the key is valid is for :func:`principal_of` to say.
    """
    tokens = set()
    if "authorization" in request.headers:
        if authorization is None:
            raise _unauthorized("Authorization must be 'Bearer <API key>'")
        tokens.add(authorization.credentials.strip())
    if x_api_key is not None:
        tokens.add(x_api_key.strip())
    if len(tokens) > 1:
        raise _unauthorized("Authorization and X-API-Key name different keys")
    if not tokens:
        raise _unauthorized("a valid API key is required")
    return tokens.pop()


Token = Annotated[str, Depends(credentials)]


def principal_of(db: Session | Connection, token: str) -> Principal:
    """The caller holding ``token``; 401 for an unknown or revoked key."""
    principal = authenticate(db, token)
    if principal is None:
        raise _unauthorized("a valid API key is required")
    return principal


def carrier_of(db: Session | Connection, token: str, name: str) -> str:
    """The carrier of a carrier key with scope ``name``; 401 or 403 otherwise."""
    principal = principal_of(db, token)
    if name not in principal.scopes or principal.carrier is None:
        raise HTTPException(status_code=403, detail=f"this key lacks the scope {name!r}")
    return principal.carrier


def get_principal(session: SessionDep, token: Token) -> Principal:
    """The caller (401 without a valid key)."""
    return principal_of(session, token)


async def on_read_connection(request: Request, work: Callable[[Connection], T]) -> T:
    """``work(connection)`` on a read-only connection, on the event loop.

    The carriers' read paths (authentication, route heads, renderings) run
    this way, without the hop to a worker thread and back that a sync route
    or dependency takes (about 0.2 ms of CPU, more than the reads). On
    SQLite, ``work`` runs as it is: its reads are calls into a file in the
    page cache, which never wait for writers (WAL), about 0.1 ms. On a
    database server, it runs on an asyncio connection (SQLAlchemy's
    ``run_sync``), so that the event loop serves other requests while a
    query is on the network.
    """
    engine: AsyncEngine | None = request.app.state.read_engine
    if engine is None:
        with read_connection(request.app.state.settings.database_url) as connection:
            return work(connection)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(work)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    # The server dropped the connection (a restart, say): SQLAlchemy has discarded every
    # pooled connection as old as that one. Reads can be tried again, once.
    async with engine.connect() as connection:
        return await connection.run_sync(work)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def scope(name: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency requiring the scope ``name`` (403 without it)."""

    async def check(principal: PrincipalDep) -> Principal:
        if name not in principal.scopes:
            raise HTTPException(status_code=403, detail=f"this key lacks the scope {name!r}")
        return principal

    return check


def carrier_scope(name: str) -> Callable[[Principal], Awaitable[str]]:
    """A dependency requiring a carrier key with scope ``name``; gives the carrier id."""

    async def check(principal: PrincipalDep) -> str:
        if name not in principal.scopes or principal.carrier is None:
            raise HTTPException(status_code=403, detail=f"this key lacks the scope {name!r}")
        return principal.carrier

    return check


BatchWriter = Annotated[Principal, Depends(scope("batches:write"))]
BatchReader = Annotated[Principal, Depends(scope("batches:read"))]
JobWriter = Annotated[Principal, Depends(scope("jobs:write"))]
JobReader = Annotated[Principal, Depends(scope("jobs:read"))]
PlanReader = Annotated[Principal, Depends(scope("plans:read"))]
Publisher = Annotated[Principal, Depends(scope("plans:publish"))]
RouteReader = Annotated[str, Depends(carrier_scope("routes:read"))]
EventWriter = Annotated[str, Depends(carrier_scope("events:write"))]
HookWriter = Annotated[str, Depends(carrier_scope("webhooks:write"))]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Retries with the same key return the first response.",
    ),
]
