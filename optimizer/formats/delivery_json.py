"""The ``delivery`` section of the plan JSON: stops, chosen options, KPIs, baseline.

Money is written in euros, shares as fractions; see ``docs/plan-format.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optimizer.domain.delivery import Candidate
from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.units import format_clock
from optimizer.formats.errors import InputError
from optimizer.pipeline import DayPlan

CENTS_PER_EURO = 100


def _euros(cents: int | None) -> float | None:
    return None if cents is None else round(cents / CENTS_PER_EURO, 2)


def _candidate(c: Candidate) -> dict[str, Any]:
    return {
        "site": c.site,
        "kind": c.kind.value,
        "rank": c.rank,
        "cost_eur": _euros(c.cost),
        "walk_m": c.walk,
    }


def _point(where: Location | PlanarPoint) -> dict[str, float]:
    if isinstance(where, Location):
        return {"lat": where.lat, "lon": where.lon}
    return {"x": where.x, "y": where.y}


def delivery_to_dict(day: DayPlan) -> dict[str, Any]:
    """The ``delivery`` section of a planned day.

    Parameters
    ----------
    day
        The result of :func:`optimizer.pipeline.plan_day`.

    Returns
    -------
    dict
        ``{"assignment_method", "costs_eur", "consolidation", "stops",
        "orders", "rejected_options", "unassigned_orders", "kpis",
        "checker"}``.
    """
    cons = day.consolidation
    shipment_of = cons.shipment_of()
    choice = day.assignment.by_shipment()
    stop_of = {s: stop for stop, members in day.stops.members.items() for s in members}
    orders = []
    for order in day.batch.orders:
        shipment = shipment_of[order.id]
        entry: dict[str, Any] = {
            "order_id": order.id,
            "shipment": shipment,
            "stop": stop_of.get(shipment),
        }
        c = choice.get(shipment)
        if c is not None:
            entry["option"] = _candidate(c.candidate)
            entry["explanation"] = c.explanation
            entry["estimate_eur"] = _euros(c.estimate)
            entry["next_best"] = None if c.next_best is None else _candidate(c.next_best)
            entry["next_best_extra_eur"] = _euros(c.next_best_delta)
        orders.append(entry)
    report = cons.report
    return {
        "assignment_method": day.assignment.method,
        "costs_eur": {k: _euros(v) for k, v in day.costs.items()},
        "consolidation": {
            "orders": report.orders,
            "shipments": report.shipments,
            "parcels_before": report.parcels_before,
            "parcels_after": report.parcels_after,
            "parcels_saved": report.parcels_saved,
            "box_fill_rate": round(report.box_fill_rate, 4),
            "box_cost_eur": _euros(report.box_cost),
            "stops": len(day.stops.orders),
            "stops_saved": report.orders - len(day.stops.orders),
        },
        "stops": [
            {
                "stop": stop.id,
                "site": day.stops.sites[stop.id],
                "shipments": list(day.stops.members[stop.id]),
                "orders": list(day.stop_orders[stop.id]),
                "parcels": stop.parcel_count,
                "parcel_list": [
                    {
                        "id": p.id,
                        "weight_kg": p.weight / 1000,
                        "volume_l": p.volume / 1000,
                        "size": p.size,
                    }
                    for p in stop.parcels
                ],
                "service_time_s": stop.service_time,
            }
            for stop in day.stops.orders
        ],
        "pickup_points": [
            {
                "id": p.id,
                **_point(p.location),
                "locker": p.is_locker,
                "opening": [
                    {"start": format_clock(w.start)[:5], "end": format_clock(w.end)[:5]}
                    for w in p.opening
                ],
                "free_compartments": p.free if p.is_locker else None,
                "capacity_parcels": p.capacity,
            }
            for p in day.batch.pickup_points
        ],
        "depots": [{"id": d.id, **_point(d.location)} for d in day.batch.depots],
        "carriers": {vt.id: vt.carrier or vt.id for vt in day.batch.fleet.types},
        "orders": orders,
        "rejected_options": [
            {"shipment": r.shipment_id, "option": r.option, "site": r.site, "reason": r.reason}
            for r in day.assignment.rejected
        ],
        "unassigned_orders": [
            {"order_id": u.order_id, "reason": u.reason.value, "detail": u.detail}
            for u in day.unassigned
        ],
        "kpis": {
            **day.delivery_kpis.as_dict(),
            "cost_eur": _euros(day.delivery_kpis.cost),
            "baseline_cost_eur": _euros(day.delivery_kpis.baseline_cost),
        },
        "checker": {
            "feasible": day.delivery.feasible,
            "violations": [
                {"code": v.code, "message": v.message, "route": v.route, "order": v.order}
                for v in day.delivery.violations
            ],
        },
    }


def read_delivery_stops(path: str | Path) -> dict[str, tuple[str, tuple[str, ...]]] | None:
    """The stops of a plan JSON's ``delivery`` section, or ``None`` when it has none.

    Parameters
    ----------
    path
        A plan JSON written by ``tournee plan`` (possibly edited).

    Returns
    -------
    dict or None
        Stop id -> ``(site, shipment ids)``.

    Raises
    ------
    InputError
        When the section is malformed, naming the entry and key.
    """
    file = str(path)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(file, f"cannot read the plan: {exc}") from None
    if not isinstance(document, dict) or "delivery" not in document:
        return None
    section = document["delivery"]
    if not isinstance(section, dict) or not isinstance(section.get("stops"), list):
        raise InputError(file, "must be an object with a stops list", "delivery", "stops")
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for k, entry in enumerate(section["stops"]):
        row = f"delivery.stops[{k}]"
        if not isinstance(entry, dict):
            raise InputError(file, "must be an object", row)
        for key in ("stop", "site"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise InputError(file, "must be a non-empty string", row, key)
        shipments = entry.get("shipments")
        if not isinstance(shipments, list) or not all(isinstance(s, str) for s in shipments):
            raise InputError(file, "must be a list of shipment ids", row, "shipments")
        if entry["stop"] in out:
            raise InputError(file, f"duplicate stop {entry['stop']!r}", row, "stop")
        out[entry["stop"]] = (entry["site"], tuple(shipments))
    return out
