"""Publishing plans to carriers, carrier route views and stop events.

Publishing a plan adds a *revision* of its batch's routes: one immutable
route row per vehicle, owned by the vehicle type's carrier. The previous
revision's routes of that batch are marked ``superseded`` and point to the
route of the same vehicle in the new revision (``superseded_by``), so a
carrier holding an old route id learns what replaced it.

Carriers see only their own routes: any other route id gives
:class:`~api.services.batches.NotFound`, exactly as an id that does not
exist. Stop events are idempotent on their id (scoped to the route; a
carrier may not reuse one on another of its routes) and may arrive in any order:
a stop's state is the event with the latest ``occurred_at`` (ties: the
stronger of delivered/failed over arrived).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select
from sqlalchemy.orm import Session

from api.services.batches import NotFound
from api.services.webhooks import enqueue
from api.store.models import Batch as BatchRow
from api.store.models import Plan, Publication, RouteRevision, StopEvent

EVENT_KINDS = ("arrived", "delivered", "failed")
ROUTE_STATUSES = ("published", "in_progress", "completed", "superseded")
ETA_MARGIN_S = 15 * 60
"""Half-width of the ETA window announced around each planned service start."""
_STRENGTH = {"arrived": 0, "delivered": 1, "failed": 1}


def _shift(iso: str, seconds: int) -> str:
    return (dt.datetime.fromisoformat(iso) + dt.timedelta(seconds=seconds)).isoformat()


def route_bodies(plan_doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Carrier route bodies (without ids) of a plan document, one per route."""
    delivery = plan_doc["delivery"]
    stops = {s["stop"]: s for s in delivery["stops"]}
    points = {p["id"]: p for p in delivery["pickup_points"]}
    depots = {d["id"]: d for d in delivery["depots"]}
    carriers = delivery["carriers"]
    bodies = []
    for route in plan_doc["routes"]:
        out_stops = []
        for stop in route["stops"]:
            info = stops[stop["order_id"]]
            site = info["site"]
            point = points.get(site) if site != "home" else None
            out_stops.append(
                {
                    "sequence": stop["sequence"],
                    "stop_id": stop["order_id"],
                    "kind": "home" if point is None else "pickup_point",
                    "lat": stop["lat"],
                    "lon": stop["lon"],
                    "pickup_point": None
                    if point is None
                    else {
                        "id": point["id"],
                        "locker": point["locker"],
                        "opening": point["opening"],
                        "compartments": point["free_compartments"],
                    },
                    "window": None
                    if stop["window"] is None
                    else {"start": stop["window"]["start"], "end": stop["window"]["end"]},
                    "planned_arrival": stop["arrival"],
                    "planned_start": stop["service_start"],
                    "planned_departure": stop["departure"],
                    "eta_earliest": _shift(stop["service_start"], -ETA_MARGIN_S),
                    "eta_latest": _shift(stop["service_start"], ETA_MARGIN_S),
                    "service_time_s": info["service_time_s"],
                    "orders": info["orders"],
                    "parcels": info["parcel_list"],
                    "status": "planned",
                    "failure_reason": None,
                }
            )
        bodies.append(
            {
                "carrier": carriers.get(route["vehicle_type"], route["vehicle_type"]),
                "vehicle_id": route["vehicle"],
                "vehicle_type": route["vehicle_type"],
                "date": plan_doc["date"],
                "timezone": plan_doc["timezone"],
                "start_depot": depots[route["start_depot"]],
                "end_depot": depots[route["end_depot"]],
                "departure": route["departure"],
                "return": route["return"],
                "distance_m": route["distance_m"],
                "duration_s": route["duration_s"],
                "stops": out_stops,
            }
        )
    return bodies


def publish(session: Session, plan_id: str) -> dict[str, Any]:
    """Publish a plan's routes to their carriers as a new revision of its batch.

    Raises
    ------
    NotFound
        No such plan.
    """
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"no plan {plan_id!r}")
    # Publications of one batch wait for each other: each gets the next revision.
    session.get(BatchRow, plan.batch_id, with_for_update=True)
    last = session.scalar(
        select(func.max(Publication.revision)).where(Publication.batch_id == plan.batch_id)
    )
    revision = (last or 0) + 1
    publication = Publication(batch_id=plan.batch_id, plan_id=plan.id, revision=revision)
    session.add(publication)
    session.flush()
    previous = {
        r.vehicle_id: r
        for r in session.scalars(
            select(RouteRevision)
            .where(RouteRevision.batch_id == plan.batch_id, RouteRevision.status != "superseded")
            .with_for_update()
        )
    }
    rows = []
    for body in route_bodies(plan.document):
        row = RouteRevision(
            publication_id=publication.id,
            batch_id=plan.batch_id,
            revision=revision,
            carrier=body["carrier"],
            vehicle_id=body["vehicle_id"],
            date=body["date"],
            status="published",
            body=body,
            stops=len(body["stops"]),
            departure=body["departure"],
        )
        session.add(row)
        rows.append(row)
    session.flush()
    new_by_vehicle = {r.vehicle_id: r for r in rows}
    touched: dict[str, list[dict[str, Any]]] = {}
    for vehicle_id, old in previous.items():
        old.status = "superseded"
        replacement = new_by_vehicle.get(vehicle_id)
        old.superseded_by = None if replacement is None else replacement.public_id
        old.version += 1
        touched.setdefault(old.carrier, []).append(
            {"route_id": old.public_id, "status": "superseded", "superseded_by": old.superseded_by}
        )
    for row in rows:
        touched.setdefault(row.carrier, []).append(
            {"route_id": row.public_id, "status": "published", "revision": revision}
        )
    for carrier, routes in touched.items():
        enqueue(
            session,
            carrier,
            "routes.published",
            {"batch_id": plan.batch_id, "revision": revision, "routes": routes},
        )
    return {
        "batch_id": plan.batch_id,
        "plan_id": plan.id,
        "revision": revision,
        "routes": [
            {"route_id": r.public_id, "carrier": r.carrier, "vehicle_id": r.vehicle_id}
            for r in rows
        ],
        "superseded": sorted(r.public_id for r in previous.values()),
    }


_HEAD = select(
    RouteRevision.id,
    RouteRevision.public_id,
    RouteRevision.batch_id,
    RouteRevision.revision,
    RouteRevision.status,
    RouteRevision.superseded_by,
    RouteRevision.version,
).where(
    RouteRevision.public_id == bindparam("route_id"), RouteRevision.carrier == bindparam("carrier")
)
"""Built once: a statement made per call costs several times its execution."""


def own_route(db: Session | Connection, carrier: str, route_id: str) -> Row[Any]:
    """The head of one of the carrier's routes: ids, revision, status and version.

    Enough for its ETag; :func:`route_view` reads the body when it must be
    rendered. ``db`` is a session or a plain connection.
    """
    row: Any = db.execute(_HEAD, {"route_id": route_id, "carrier": carrier}).first()
    if row is None:
        raise NotFound(f"no route {route_id!r}")
    return row


def _own(session: Session, carrier: str, route_id: str, *, lock: bool = False) -> RouteRevision:
    query = select(RouteRevision).where(
        RouteRevision.public_id == route_id, RouteRevision.carrier == carrier
    )
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"no route {route_id!r}")
    return row


def etag(row: RouteRevision | Row[Any], fmt: str) -> str:
    """Strong ETag of one representation of a route at its current version."""
    raw = f"{row.public_id}:{row.version}:{row.status}:{fmt}".encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def route_view(db: Session | Connection, head: RouteRevision | Row[Any]) -> dict[str, Any]:
    """The route as a carrier sees it: the published body with live stop states."""
    if isinstance(head, RouteRevision):
        body = head.body
    else:
        body = db.execute(
            select(RouteRevision.body).where(RouteRevision.id == head.id)
        ).scalar_one()
    body = {**body, "stops": [dict(stop) for stop in body["stops"]]}  # a copy
    states = _stop_states(db, head.id)
    counts = {"stops": len(body["stops"]), "arrived": 0, "delivered": 0, "failed": 0}
    for stop in body["stops"]:
        state = states.get(stop["stop_id"])
        if state is not None:
            stop["status"], stop["failure_reason"] = state
            counts[state[0]] += 1
    return {
        "route_id": head.public_id,
        "revision": head.revision,
        "status": head.status,
        "superseded_by": head.superseded_by,
        "batch_id": head.batch_id,
        **body,
        "progress": counts,
    }


@dataclass(frozen=True, slots=True)
class Page:
    """A page of routes and the cursor of the next one (``None`` at the end)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


def _cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{row_id}".encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("r"):
            raise ValueError
        return int(text[1:])
    except (ValueError, UnicodeDecodeError):
        raise ValueError("cursor is not one this service gave") from None


@lru_cache(maxsize=8)
def _list_query(by_date: bool, by_status: bool, after: bool) -> Any:
    """The route list statement for one combination of filters, built once."""
    query = select(
        RouteRevision.id,
        RouteRevision.public_id,
        RouteRevision.revision,
        RouteRevision.status,
        RouteRevision.superseded_by,
        RouteRevision.date,
        RouteRevision.vehicle_id,
        RouteRevision.stops,
        RouteRevision.departure,
    ).where(RouteRevision.carrier == bindparam("carrier"))
    if by_date:
        query = query.where(RouteRevision.date == bindparam("date"))
    if by_status:
        query = query.where(RouteRevision.status == bindparam("status"))
    if after:
        query = query.where(RouteRevision.id > bindparam("after"))
    return query.order_by(RouteRevision.id).limit(bindparam("limit"))


def list_routes(
    db: Session | Connection,
    carrier: str,
    *,
    date: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Page:
    """The carrier's routes, oldest first, by date and status, one page at a time.

    Raises
    ------
    ValueError
        For a cursor this service did not give.
    """
    params: dict[str, Any] = {"carrier": carrier, "limit": limit + 1}
    if date is not None:
        params["date"] = date
    if status is not None:
        params["status"] = status
    if cursor is not None:
        params["after"] = _uncursor(cursor)
    query = _list_query(date is not None, status is not None, cursor is not None)
    rows = list(db.execute(query, params))
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        {
            "route_id": r.public_id,
            "revision": r.revision,
            "status": r.status,
            "superseded_by": r.superseded_by,
            "date": r.date,
            "vehicle_id": r.vehicle_id,
            "stops": r.stops,
            "departure": r.departure,
        }
        for r in rows
    ]
    return Page(items, _cursor(rows[-1].id) if more and rows else None)


def _stop_states(db: Session | Connection, route_pk: int) -> dict[str, tuple[str, str | None]]:
    events = db.execute(
        select(
            StopEvent.stop_id, StopEvent.kind, StopEvent.reason, StopEvent.occurred_at, StopEvent.id
        ).where(StopEvent.route_id == route_pk)
    )
    latest: dict[str, tuple[Any, ...]] = {}
    for stop_id, kind, reason, occurred_at, event_id in events:
        key = (occurred_at, _STRENGTH[kind], event_id)
        held = latest.get(stop_id)
        if held is None or key > held[0]:
            latest[stop_id] = (key, kind, reason)
    return {s: (kind, reason) for s, (_, kind, reason) in latest.items()}


def post_events(
    session: Session, carrier: str, route_id: str, events: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Record stop events; an event id seen before is acknowledged and ignored.

    Each event is ``{"event_id", "stop_id", "kind", "occurred_at" (aware
    datetime), "reason"}``.

    Raises
    ------
    NotFound
        The route is not the carrier's.
    ValueError
        An unknown stop, a ``failed`` event without a reason, or an event id
        the carrier already used on another of its routes. Nothing is stored.
    """
    # The lock makes concurrent posts to one route wait for each other, so a
    # retried event is seen as a duplicate and no state or version is lost.
    row = _own(session, carrier, route_id, lock=True)
    stop_ids = {s["stop_id"] for s in row.body["stops"]}
    accepted, duplicates = [], []
    for k, event in enumerate(events):
        if event["stop_id"] not in stop_ids:
            raise ValueError(f"events[{k}].stop_id: route has no stop {event['stop_id']!r}")
        if event["kind"] == "failed" and not event.get("reason"):
            raise ValueError(f"events[{k}].reason: a failed event needs a reason")
        if session.get(StopEvent, (event["event_id"], row.id)) is not None:
            duplicates.append(event["event_id"])
            continue
        elsewhere = session.scalar(
            select(StopEvent.route_id)
            .join(RouteRevision, RouteRevision.id == StopEvent.route_id)
            .where(StopEvent.id == event["event_id"], RouteRevision.carrier == carrier)
            .limit(1)
        )
        if elsewhere is not None:
            raise ValueError(f"events[{k}].event_id: already used on another route")
        session.add(
            StopEvent(
                id=event["event_id"],
                route_id=row.id,
                stop_id=event["stop_id"],
                kind=event["kind"],
                reason=event.get("reason"),
                occurred_at=event["occurred_at"],
            )
        )
        accepted.append(event["event_id"])
    session.flush()
    if accepted:
        states = _stop_states(session, row.id)
        done = sum(1 for s in states.values() if s[0] in ("delivered", "failed"))
        if row.status != "superseded":
            row.status = "completed" if done == len(stop_ids) else "in_progress"
        row.version += 1
    return {"accepted": accepted, "duplicates": duplicates, "route": route_view(session, row)}
