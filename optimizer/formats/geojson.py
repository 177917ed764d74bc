"""GeoJSON export of a plan, for maps.

One ``FeatureCollection`` holding, in this order: a ``Point`` per depot, a
``LineString`` per route (start depot, stops, end depot), a ``Point`` per
stop and a ``Point`` per unassigned order. Every feature has a ``kind``
property (``"depot"``, ``"route"``, ``"stop"``, ``"unassigned"``).

Coordinates follow RFC 7946: ``[longitude, latitude]``, longitude first.
Planar benchmark problems, which have no longitude, use ``[x, y]``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from optimizer.check import Report
from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.plans import Plan
from optimizer.domain.problems import RoutingProblem
from optimizer.formats.plan_json import format_time, numbered_routes


def position(point: Location | PlanarPoint) -> list[float]:
    """GeoJSON position: ``[lon, lat]`` for a location, ``[x, y]`` for a planar point."""
    if isinstance(point, Location):
        return [point.lon, point.lat]
    return [point.x, point.y]


def plan_to_geojson(
    plan: Plan,
    problem: RoutingProblem,
    report: Report,
    *,
    date: dt.date | None = None,
    timezone: str | None = None,
) -> dict[str, Any]:
    """Build a GeoJSON ``FeatureCollection`` of a checked plan.

    Parameters
    ----------
    plan, problem
        The plan and its problem.
    report
        ``check_plan(plan, problem)``: stop ETAs come from it.
    date, timezone
        Format ETAs as ISO 8601 date-times when both are given, else
        ``"HH:MM:SS"`` (see :func:`optimizer.formats.plan_json.format_time`).

    Returns
    -------
    dict
        The feature collection.

    Raises
    ------
    ValueError
        When the plan names vehicles or orders outside the problem.
    """
    orders = problem.order_by_id()
    depots = {d.id: d for d in problem.depots}
    features: list[dict[str, Any]] = [
        _feature("Point", position(d.location), {"kind": "depot", "depot": d.id})
        for d in problem.depots
    ]
    stops: list[dict[str, Any]] = []
    for nr in numbered_routes(plan, problem, report):
        rr = nr.report
        line = [position(depots[rr.start_depot].location)]
        for seq, stop in enumerate(rr.stops, start=1):
            order = orders[stop.order_id]
            line.append(position(order.location))
            stops.append(
                _feature(
                    "Point",
                    position(order.location),
                    {
                        "kind": "stop",
                        "route": nr.id,
                        "vehicle": rr.vehicle_id,
                        "sequence": seq,
                        "order_id": order.id,
                        "customer": order.customer,
                        "eta": format_time(stop.arrival, date, timezone),
                        "on_time": stop.on_time,
                    },
                )
            )
        line.append(position(depots[rr.end_depot].location))
        features.append(
            _feature(
                "LineString",
                line,
                {
                    "kind": "route",
                    "route": nr.id,
                    "vehicle": rr.vehicle_id,
                    "vehicle_type": rr.vehicle_type,
                    "stops": len(rr.stops),
                    "distance": round(rr.distance, 3),
                    "distance_unit": problem.travel.distance_unit,
                },
            )
        )
    features.extend(stops)
    for entry in plan.unassigned:
        left_out = orders.get(entry.order_id)
        if left_out is None:
            continue
        features.append(
            _feature(
                "Point",
                position(left_out.location),
                {
                    "kind": "unassigned",
                    "order_id": left_out.id,
                    "customer": left_out.customer,
                    "reason": entry.reason.value,
                    "detail": entry.detail,
                },
            )
        )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(
    path: str | Path,
    plan: Plan,
    problem: RoutingProblem,
    report: Report,
    *,
    date: dt.date | None = None,
    timezone: str | None = None,
) -> None:
    """Write :func:`plan_to_geojson` to ``path`` (UTF-8)."""
    document = plan_to_geojson(plan, problem, report, date=date, timezone=timezone)
    text = json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def _feature(kind: str, coordinates: Any, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": kind, "coordinates": coordinates},
        "properties": properties,
    }
