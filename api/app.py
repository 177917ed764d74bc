"""The FastAPI application: carriers pull routes, planners submit batches and follow jobs.

Errors are RFC 9457 problem documents (``application/problem+json``); a
validation error lists every field path. Request bodies above
``max_body_bytes`` get 413 before they are read in full.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.routes import carrier, health, planner
from api.schemas import components
from api.services.batches import Conflict, KeyReused, NotFound
from api.settings import Settings, get_settings
from api.store.db import migrate, read_engine
from optimizer.formats.errors import InputError

logger = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    500: "Internal Server Error",
}


def problem(
    status: int,
    detail: str | None,
    request: Request | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


class BodyLimit:
    """Answer 413 when a request body exceeds ``limit`` bytes (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._reject(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge(self.limit)
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"request body larger than {self.limit} bytes")
        await response(scope, receive, send)


IN_FLIGHT = 10
"""Requests served at once by one process; fewer than the database connections
of its pool (SQLite 15, PostgreSQL 30), so that a request never waits for a
connection while others hold theirs waiting for a thread."""


class InFlight:
    """Serve at most ``limit`` requests at a time; the others wait, holding nothing.

    A request holds its database connection from its first query until its
    session ends, across several worker-thread hops. Without a bound, more
    requests than connections get one query in, then wait for connections
    that requests waiting for threads hold: a stall ended only by the pool's
    30-second timeout.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.slots: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self.slots = WeakKeyDictionary()
        """One semaphore per event loop (a test client runs its own)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        slots = self.slots.get(loop)
        if slots is None:
            slots = self.slots[loop] = asyncio.Semaphore(self.limit)
        async with slots:
            await self.app(scope, receive, send)


class _TooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException, so FastAPI's body
    reading lets it through (any other error there becomes a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _allowed(app: FastAPI, scope: Scope) -> str:
    """The ``Allow`` header of a path: the methods of every route matching it.

    Starlette names only the first route's methods, though a path such as
    ``/v1/carrier/webhooks`` has a GET and a POST route.
    """
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def freeze_heap() -> None:
    """Move every object alive at start-up out of the garbage collector's sight.

    The app imports the optimizer (NumPy, the domain model): some 125,000
    long-lived objects, which each full collection walks again, about 70 ms
    during which no request is served. Frozen, they are never walked; what
    requests allocate is still collected.
    """
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application; migrates the database at start-up."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(settings.database_url)
        engine = app.state.read_engine = read_engine(settings.database_url)
        freeze_heap()
        yield
        if engine is not None:
            await engine.dispose()

    app = FastAPI(
        title="tournee",
        version="1",
        summary="Verified delivery plans: planners submit batches, carriers pull routes.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.read_engine = None  # on a database server, set while the app runs (lifespan)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            document.setdefault("components", {}).setdefault("schemas", {}).update(components())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
    app.include_router(health.router)
    app.include_router(planner.router)
    app.include_router(carrier.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed(app, request.scope)}
        return problem(exc.status_code, str(exc.detail), request, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_path(tuple(e["loc"])), "message": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, detail, request, errors)

    @app.exception_handler(InputError)
    async def bad_batch(request: Request, exc: InputError) -> JSONResponse:
        field = ".".join(str(p) for p in (exc.row, exc.field) if p is not None)
        errors = [
            {"file": exc.file, "row": exc.row, "field": field or None, "message": exc.message}
        ]
        return problem(422, str(exc), request, errors)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return problem(404, str(exc), request)

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> JSONResponse:
        return problem(409, str(exc), request)

    @app.exception_handler(KeyReused)
    async def reused(request: Request, exc: KeyReused) -> JSONResponse:
        return problem(422, str(exc), request)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s", request.url.path)
        return problem(500, "internal error", request)

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(InFlight, limit=IN_FLIGHT)
    return app
