"""Carrier endpoints: own routes only (JSON, GeoJSON, GPX), stop events, webhooks."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from sqlalchemy import Connection

from api.deps import (
    EventWriter,
    HookWriter,
    SessionDep,
    SettingsDep,
    Token,
    carrier_of,
    on_read_connection,
)
from api.route_formats import route_geojson, route_gpx
from api.schemas import (
    EventsIn,
    EventsOut,
    RouteOut,
    RoutePage,
    WebhookIn,
    WebhookOut,
    problems,
)
from api.services import routes, webhooks

router = APIRouter(prefix="/v1/carrier", tags=["carrier"])

MEDIA = {
    "json": "application/json",
    "geojson": "application/geo+json",
    "gpx": "application/gpx+xml",
}
CACHE_HEADERS = {
    "ETag": {
        "description": "Strong validator of this representation; send it in If-None-Match.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {"schema": {"type": "string", "enum": ["no-cache"]}},
}


@router.get("/routes", response_model=RoutePage, responses=problems(401, 403, 422))
async def list_routes(
    request: Request,
    token: Token,
    settings: SettingsDep,
    date: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    status: Literal["published", "in_progress", "completed", "superseded"] | None = None,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> Response:
    """The calling carrier's routes, oldest first; follow ``next_cursor`` for more."""

    def read(db: Connection) -> routes.Page:
        carrier = carrier_of(db, token, "routes:read")
        return routes.list_routes(
            db, carrier, date=date, status=status, cursor=cursor, limit=limit or settings.page_size
        )

    try:
        page = await on_read_connection(request, read)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return Response(
        _json({"items": page.items, "next_cursor": page.next_cursor}), media_type=MEDIA["json"]
    )


def _negotiate(fmt: str | None, accept: str | None) -> str:
    if fmt is not None:
        return fmt
    for name, media in (("geojson", MEDIA["geojson"]), ("gpx", MEDIA["gpx"])):
        if accept and media in accept:
            return name
    return "json"


@router.get(
    "/routes/{route_id}",
    responses={
        **problems(401, 403, 404, 422),
        200: {
            "model": RouteOut,
            "content": {
                MEDIA["geojson"]: {"schema": {"$ref": "#/components/schemas/RouteGeoJSON"}},
                MEDIA["gpx"]: {"schema": {"type": "string", "description": "GPX 1.1"}},
            },
            "headers": CACHE_HEADERS,
            "description": "The route in the format asked for; ETag names this version.",
        },
        304: {
            "description": "Not modified since the ETag given in If-None-Match.",
            "headers": CACHE_HEADERS,
        },
    },
)
async def get_route(
    route_id: str,
    request: Request,
    token: Token,
    format: Literal["json", "geojson", "gpx"] | None = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """One of the caller's routes: stops in order with ETA windows, parcels, pickup points.

    The format is ``format`` if given; else GeoJSON if ``Accept`` names
    ``application/geo+json``, GPX if it names ``application/gpx+xml``, else JSON.
    """
    fmt = _negotiate(format, accept)

    def read(db: Connection) -> tuple[str, bytes | None]:
        head = routes.own_route(db, carrier_of(db, token, "routes:read"), route_id)
        tag = routes.etag(head, fmt)
        if if_none_match is not None and _matches(if_none_match, tag):
            return tag, None
        return tag, RENDERED.get(tag, lambda: _render(fmt, routes.route_view(db, head)))

    tag, content = await on_read_connection(request, read)
    headers = {"ETag": tag, "Cache-Control": "no-cache", "Vary": "Accept"}
    if content is None:
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=MEDIA[fmt], headers=headers)


def _matches(if_none_match: str, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` (weak comparison, RFC 9110) or is ``*``."""
    names = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in names or tag in names


def _json(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def _render(fmt: str, body: dict[str, Any]) -> bytes:
    if fmt == "gpx":
        return route_gpx(body).encode()
    return _json(route_geojson(body) if fmt == "geojson" else body)


class Renderings:
    """Rendered routes by ETag, the most recent ``size`` of them.

    An ETag names one representation of one route version, so its bytes never
    change: nothing is invalidated, and each process may keep its own.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, tag: str, render: Callable[[], bytes]) -> bytes:
        """The bytes of ``tag``, rendered on the first request."""
        with self.lock:
            if tag in self.items:
                self.items.move_to_end(tag)
                return self.items[tag]
        data = render()
        with self.lock:
            self.items[tag] = data
            if len(self.items) > self.size:
                self.items.popitem(last=False)
        return data


RENDERED = Renderings(512)


@router.post(
    "/routes/{route_id}/events",
    response_model=EventsOut,
    responses=problems(400, 401, 403, 404, 413, 422),
)
def post_events(route_id: str, events: EventsIn, session: SessionDep, carrier: EventWriter) -> Any:
    """Report stop events (arrived, delivered, failed); repeated event ids are ignored."""
    try:
        return routes.post_events(
            session, carrier, route_id, [e.model_dump() for e in events.events]
        )
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.post(
    "/webhooks",
    status_code=201,
    response_model=WebhookOut,
    responses=problems(400, 401, 403, 413, 422),
)
def register_webhook(hook: WebhookIn, session: SessionDep, carrier: HookWriter) -> Any:
    """Register an endpoint for signed notifications; the secret is shown once."""
    return webhooks.register(session, carrier, str(hook.url))


@router.get("/webhooks", response_model=list[WebhookOut], responses=problems(401, 403))
def list_webhooks(session: SessionDep, carrier: HookWriter) -> Any:
    """The caller's webhooks."""
    return webhooks.list_hooks(session, carrier)


@router.delete("/webhooks/{hook_id}", status_code=204, responses=problems(401, 403, 404, 422))
def delete_webhook(hook_id: str, session: SessionDep, carrier: HookWriter) -> Response:
    """Delete one of the caller's webhooks."""
    if not webhooks.delete_hook(session, carrier, hook_id):
        raise HTTPException(status_code=404, detail=f"no webhook {hook_id!r}")
    return Response(status_code=204)
