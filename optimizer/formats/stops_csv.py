"""Driver sheets: one CSV of stops per route.

Each route ``R01``, ``R02``, ... (numbered in fleet vehicle order, as in the
plan JSON) goes to ``route_<id>_<vehicle>.csv`` with the columns
:data:`COLUMNS`. ``parcels`` is the number of parcels for the stop and
``weight_kg`` their weight. For planar benchmark problems ``lat, lon``
become ``x, y`` and distances are in the instance's unit.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from optimizer.check import Report
from optimizer.domain.geo import Location
from optimizer.domain.plans import Plan
from optimizer.domain.problems import RoutingProblem
from optimizer.formats.plan_json import GRAMS_PER_KG, format_time, numbered_routes, point_fields

COLUMNS = (
    "sequence",
    "order_id",
    "customer",
    "lat",
    "lon",
    "arrival",
    "service_start",
    "departure",
    "waiting_s",
    "parcels",
    "weight_kg",
    "distance_from_previous_m",
)
"""Columns of a geographic problem's sheet."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def write_stops_csv(
    directory: str | Path,
    plan: Plan,
    problem: RoutingProblem,
    report: Report,
    *,
    date: dt.date | None = None,
    timezone: str | None = None,
) -> list[Path]:
    """Write one CSV of stops per route into ``directory`` (created if needed).

    Parameters
    ----------
    directory
        Where to write the files.
    plan, problem
        The plan and its problem.
    report
        ``check_plan(plan, problem)``: times and distances come from it.
    date, timezone
        Format times as ISO 8601 date-times when both are given, else
        ``"HH:MM:SS"``.

    Returns
    -------
    list[pathlib.Path]
        The files written, in route order.

    Raises
    ------
    ValueError
        When the plan names vehicles or orders outside the problem.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    orders = problem.order_by_id()
    metres = problem.travel.distance_unit == "m"
    written: list[Path] = []
    for nr in numbered_routes(plan, problem, report):
        path = folder / f"route_{nr.id}_{_UNSAFE.sub('_', nr.report.vehicle_id)}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(_header(isinstance(problem.depots[0].location, Location)))
            for seq, stop in enumerate(nr.report.stops, start=1):
                order = orders[stop.order_id]
                distance = stop.distance_from_previous
                writer.writerow(
                    [
                        seq,
                        order.id,
                        order.customer,
                        *point_fields(order.location).values(),
                        format_time(stop.arrival, date, timezone),
                        format_time(stop.start, date, timezone),
                        format_time(stop.departure, date, timezone),
                        round(stop.waiting),
                        order.parcel_count,
                        order.weight / GRAMS_PER_KG,
                        round(distance) if metres else round(distance, 6),
                    ]
                )
        written.append(path)
    return written


def _header(geographic: bool) -> list[str]:
    if geographic:
        return list(COLUMNS)
    return [{"lat": "x", "lon": "y"}.get(c, c) for c in COLUMNS]
