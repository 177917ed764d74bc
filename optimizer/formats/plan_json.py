"""The plan JSON format: ``{"format": "tournee.plan", "version": 1, ...}``.

:func:`write_plan_json` writes a checked plan with its recomputed schedule and
KPIs for drivers, dispatchers and other programs; :func:`read_plan_json` reads
it back, or reads a minimal plan edited by hand, so that
:func:`optimizer.check.check_plan` can evaluate it. The format is described
in ``docs/plan-format.md``.

Conversions happen here, at the edge: cents become euros with two decimals,
grams kilograms, cubic centimetres litres, and times either ``"HH:MM:SS"`` or,
given a date and a time zone, ISO 8601 local date-times with their offset.
Every time also has an integer ``*_s`` twin (seconds after local midnight)
so that reading back is exact.

The helpers :func:`numbered_routes`, :func:`format_time` and
:func:`point_fields` are shared with :mod:`optimizer.formats.geojson` and
:mod:`optimizer.formats.stops_csv`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from optimizer.check import Report, RouteReport, Violation
from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.plans import Plan, Reason, Route, Unassigned, Visit
from optimizer.domain.problems import RoutingProblem
from optimizer.domain.units import SECONDS_PER_DAY, format_clock
from optimizer.formats.errors import InputError
from optimizer.kpis import Kpis

FORMAT = "tournee.plan"
VERSION = 1

GRAMS_PER_KG = 1000
CM3_PER_LITRE = 1000
CENTS_PER_EURO = 100


class NumberedRoute(NamedTuple):
    """A route with its stable id and its recomputed figures.

    Attributes
    ----------
    id
        ``"R01"``, ``"R02"``, ... in fleet vehicle order.
    route
        The plan's route.
    report
        Its :class:`~optimizer.check.RouteReport`.
    report_index
        Position of ``report`` in :attr:`Report.routes` (and of its KPIs in
        :attr:`Kpis.routes`).
    """

    id: str
    route: Route
    report: RouteReport
    report_index: int


def numbered_routes(plan: Plan, problem: RoutingProblem, report: Report) -> list[NumberedRoute]:
    """Routes sorted by vehicle (fleet order) and numbered ``R01``, ``R02``, ...

    Parameters
    ----------
    plan, problem
        The plan and its problem.
    report
        ``check_plan(plan, problem)``.

    Returns
    -------
    list[NumberedRoute]
        One entry per route, in fleet vehicle order.

    Raises
    ------
    ValueError
        When a route's vehicle or one of its orders is not in the problem, or
        ``report`` is not the plan's report: such a plan cannot be written.
    """
    vehicle_rank = {v.id: k for k, v in enumerate(problem.vehicles)}
    orders = problem.order_by_id()
    for route in plan.routes:
        if route.vehicle_id not in vehicle_rank:
            raise ValueError(f"route vehicle {route.vehicle_id!r} is not in the fleet")
        unknown = [o for o in route.order_ids if o not in orders]
        if unknown:
            raise ValueError(
                f"route {route.vehicle_id!r}: order {unknown[0]!r} is not in the problem"
            )
    if len(report.routes) != len(plan.routes) or any(
        r.vehicle_id != rr.vehicle_id or len(r.visits) != len(rr.stops)
        for r, rr in zip(plan.routes, report.routes)
    ):
        raise ValueError("report does not match the plan: pass check_plan(plan, problem)")
    order = sorted(
        range(len(plan.routes)), key=lambda k: (vehicle_rank[plan.routes[k].vehicle_id], k)
    )
    width = max(2, len(str(len(order))))
    return [
        NumberedRoute(f"R{n:0{width}d}", plan.routes[k], report.routes[k], k)
        for n, k in enumerate(order, start=1)
    ]


def format_time(seconds: float, date: dt.date | None = None, timezone: str | None = None) -> str:
    """Format a time for users.

    Parameters
    ----------
    seconds
        Seconds after local midnight of ``date`` (rounded to the second).
    date, timezone
        The plan's day and IANA time zone (``"Europe/Paris"``).

    Returns
    -------
    str
        An ISO 8601 local date-time with offset when both ``date`` and
        ``timezone`` are given (times past midnight fall on the next days),
        else ``"HH:MM:SS"`` (hours may exceed 23).

    Raises
    ------
    ValueError
        When ``timezone`` is not a known time zone.
    """
    if date is None or timezone is None:
        return format_clock(seconds)
    midnight = dt.datetime.combine(date, dt.time(), tzinfo=_zone(timezone))
    # Aware arithmetic in one zone is wall-clock arithmetic: the offset is that of the result.
    return (midnight + dt.timedelta(seconds=round(seconds))).isoformat(timespec="seconds")


def point_fields(point: Location | PlanarPoint) -> dict[str, float]:
    """``{"lat", "lon"}`` for a location, ``{"x", "y"}`` for a planar point."""
    if isinstance(point, Location):
        return {"lat": point.lat, "lon": point.lon}
    return {"x": point.x, "y": point.y}


def plan_to_dict(
    plan: Plan,
    problem: RoutingProblem,
    report: Report,
    kpis: Kpis,
    *,
    date: dt.date | None = None,
    timezone: str | None = None,
) -> dict[str, Any]:
    """Build the plan JSON document.

    Parameters
    ----------
    plan, problem
        The plan and its problem.
    report
        ``check_plan(plan, problem)``: times and distances come from it.
    kpis
        ``compute_kpis(plan, problem, report)``.
    date, timezone
        The plan's day and IANA time zone; with both, times are ISO 8601
        date-times with offset, else ``"HH:MM:SS"``.

    Returns
    -------
    dict
        The document described in ``docs/plan-format.md``.

    Raises
    ------
    ValueError
        When the plan names vehicles or orders outside the problem, or
        ``timezone`` is unknown.
    """
    if timezone is not None:
        _zone(timezone)
    orders = problem.order_by_id()
    metres = problem.travel.distance_unit == "m"

    def when(seconds: float) -> str:
        return format_time(seconds, date, timezone)

    def dist(value: float) -> float | int:
        return round(value) if metres else round(value, 6)

    routes = []
    for nr in numbered_routes(plan, problem, report):
        rr = nr.report
        route_kpis = kpis.routes[nr.report_index]
        stops = []
        for seq, stop in enumerate(rr.stops, start=1):
            order = orders[stop.order_id]
            window = stop.window
            stops.append(
                {
                    "sequence": seq,
                    "order_id": order.id,
                    "customer": order.customer,
                    **point_fields(order.location),
                    "parcels": [p.id for p in order.parcels],
                    "weight_kg": order.weight / GRAMS_PER_KG,
                    "arrival": when(stop.arrival),
                    "arrival_s": round(stop.arrival),
                    "service_start": when(stop.start),
                    "service_start_s": round(stop.start),
                    "departure": when(stop.departure),
                    "departure_s": round(stop.departure),
                    "waiting_s": round(stop.waiting),
                    "on_time": stop.on_time,
                    "window": None
                    if window is None
                    else {
                        "start": when(window.start),
                        "end": when(window.end),
                        "start_s": window.start,
                        "end_s": window.end,
                    },
                    "distance_from_previous_m": dist(stop.distance_from_previous),
                }
            )
        routes.append(
            {
                "id": nr.id,
                "vehicle": rr.vehicle_id,
                "vehicle_type": rr.vehicle_type,
                "start_depot": rr.start_depot,
                "end_depot": rr.end_depot,
                "departure": when(nr.route.start),
                "departure_s": nr.route.start,
                "return": when(rr.end),
                "return_s": round(rr.end),
                "distance_m": dist(rr.distance),
                "duration_s": round(rr.duration),
                "driving_s": round(rr.driving_time),
                "service_s": round(rr.service_time),
                "waiting_s": round(rr.waiting_time),
                "load": {
                    "weight_kg": rr.weight / GRAMS_PER_KG,
                    "volume_l": rr.volume / CM3_PER_LITRE,
                    "parcels": rr.parcels,
                },
                "co2_kg": round(route_kpis.co2_kg, 3),
                "cost": _euros(route_kpis.cost),
                "stops": stops,
            }
        )

    unassigned = [
        {
            "order_id": u.order_id,
            "customer": orders[u.order_id].customer if u.order_id in orders else None,
            "reason": u.reason.value,
            "detail": u.detail,
        }
        for u in plan.unassigned
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": problem.name,
        "date": date.isoformat() if date is not None else None,
        "timezone": timezone,
        "distance_unit": problem.travel.distance_unit,
        "routes": routes,
        "unassigned": unassigned,
        "kpis": _kpis_for_users(kpis),
        "check": {
            "feasible": report.feasible,
            "violations": [_violation(v) for v in report.violations],
            "warnings": [_violation(v) for v in report.warnings],
        },
        "meta": _jsonable(dict(plan.meta)),
    }


def write_plan_json(
    path: str | Path,
    plan: Plan,
    problem: RoutingProblem,
    report: Report,
    kpis: Kpis,
    *,
    date: dt.date | None = None,
    timezone: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Write the plan JSON document to ``path`` (UTF-8, indented).

    Parameters are those of :func:`plan_to_dict`; ``extra`` adds top-level
    sections (such as ``delivery``).
    """
    document = plan_to_dict(plan, problem, report, kpis, date=date, timezone=timezone)
    document.update(extra or {})
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def read_plan_json(path: str | Path) -> Plan:
    """Read a plan JSON document, as written or edited by hand.

    Only the keys that define a plan are read; figures derived by the
    checker (distances, loads, KPIs, ...) are ignored. The least a file
    needs is ``{"routes": [{"vehicle", "departure" or "departure_s",
    "stops": [{"order_id"}, ...]}], "unassigned": [{"order_id", "reason"}]}``.
    When a time is given both as text and as ``*_s`` seconds, the two must
    agree.

    Parameters
    ----------
    path
        The file to read.

    Returns
    -------
    Plan
        The plan, with the file's ``meta``.

    Raises
    ------
    InputError
        When the file cannot be read or parsed, or its content is wrong; the
        error names the JSON path (``routes[2].stops[1]``) and the key.
    """
    file = str(path)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(file, f"cannot read file: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(file, f"not valid JSON: {exc}") from exc
    return _Reader(file).plan(document)


# --- writing helpers -------------------------------------------------------------------------


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"timezone: unknown time zone {timezone!r}") from exc


def _euros(cents: int | None) -> float | None:
    return None if cents is None else round(cents / CENTS_PER_EURO, 2)


def _kpis_for_users(kpis: Kpis) -> dict[str, Any]:
    """KPIs with money in euros (``*_cents`` keys become ``*_eur``)."""
    out: dict[str, Any] = {}
    for key, value in kpis.as_dict().items():
        if key.endswith("_cents"):
            out[key.removesuffix("_cents") + "_eur"] = _euros(value)
        elif isinstance(value, dict):
            out[key] = {k: _rounded(v) for k, v in value.items()}
        else:
            out[key] = _rounded(value)
    return out


def _rounded(value: Any) -> Any:
    """Floats to six decimals, other values unchanged."""
    return round(value, 6) if isinstance(value, float) else value


def _violation(v: Violation) -> dict[str, Any]:
    return {"code": v.code, "message": v.message, "route": v.route, "order": v.order}


def _jsonable(value: Any) -> Any:
    """A JSON-serialisable copy of ``value`` (unknown objects become strings)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# --- reading helpers -------------------------------------------------------------------------

_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$")


class _Reader:
    """Turns a parsed document into a :class:`Plan`, locating every error."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.date: dt.date | None = None
        self.zone: ZoneInfo | None = None

    def error(self, message: str, where: str | None = None, key: str | None = None) -> InputError:
        return InputError(self.file, message, where, key)

    def plan(self, doc: Any) -> Plan:
        if not isinstance(doc, dict):
            raise self.error("the document must be a JSON object")
        fmt = doc.get("format", FORMAT)
        if fmt != FORMAT:
            raise self.error(f"expected {FORMAT!r}, got {fmt!r}", None, "format")
        version = doc.get("version", VERSION)
        if version != VERSION:
            raise self.error(
                f"unsupported version {version!r}, expected {VERSION}", None, "version"
            )
        date = doc.get("date")
        if date is not None:
            text = self.typed(date, str, None, "date")
            try:
                self.date = dt.date.fromisoformat(text)
            except ValueError as exc:
                raise self.error(f"not an ISO date (YYYY-MM-DD): {text!r}", None, "date") from exc
        zone = doc.get("timezone")
        if zone is not None:
            try:
                self.zone = _zone(self.typed(zone, str, None, "timezone"))
            except ValueError as exc:
                raise self.error(f"unknown time zone {zone!r}", None, "timezone") from exc
        if "routes" not in doc:
            raise self.error("missing key", None, "routes")
        routes = self.typed(doc["routes"], list, None, "routes")
        unassigned = self.typed(doc.get("unassigned", []), list, None, "unassigned")
        meta = self.typed(doc.get("meta", {}), dict, None, "meta")
        return Plan(
            routes=tuple(self.route(r, f"routes[{k}]") for k, r in enumerate(routes)),
            unassigned=tuple(
                self.unassigned(u, f"unassigned[{k}]") for k, u in enumerate(unassigned)
            ),
            meta=meta,
        )

    def route(self, item: Any, where: str) -> Route:
        obj = self.typed(item, dict, where, None)
        vehicle = self.text(obj, where, "vehicle")
        start = self.time(obj, where, "departure")
        if start is None:
            raise self.error("missing key (departure or departure_s)", where, "departure")
        end = self.time(obj, where, "return")
        if "stops" not in obj:
            raise self.error("missing key", where, "stops")
        stops = self.typed(obj["stops"], list, where, "stops")
        visits = tuple(self.visit(s, f"{where}.stops[{k}]") for k, s in enumerate(stops))
        try:
            return Route(vehicle, visits, start, end)
        except ValueError as exc:
            raise self.error(str(exc), where) from exc

    def visit(self, item: Any, where: str) -> Visit:
        obj = self.typed(item, dict, where, None)
        return Visit(
            order_id=self.text(obj, where, "order_id"),
            arrival=self.time(obj, where, "arrival"),
            start=self.time(obj, where, "service_start"),
            departure=self.time(obj, where, "departure"),
        )

    def unassigned(self, item: Any, where: str) -> Unassigned:
        obj = self.typed(item, dict, where, None)
        order_id = self.text(obj, where, "order_id")
        reason = self.text(obj, where, "reason")
        if reason not in {r.value for r in Reason}:
            allowed = ", ".join(r.value for r in Reason)
            raise self.error(
                f"unknown reason {reason!r}; expected one of {allowed}", where, "reason"
            )
        detail = obj.get("detail")
        detail = "" if detail is None else self.typed(detail, str, where, "detail")
        return Unassigned(order_id, Reason(reason), detail)

    def typed(self, value: Any, kind: type, where: str | None, key: str | None) -> Any:
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            name = {dict: "an object", list: "a list", str: "a string", int: "an integer"}[kind]
            raise self.error(f"must be {name}, got {json.dumps(value)}", where, key)
        return value

    def text(self, obj: dict[str, Any], where: str, key: str) -> str:
        if key not in obj:
            raise self.error("missing key", where, key)
        value: str = self.typed(obj[key], str, where, key)
        if not value.strip():
            raise self.error("must not be empty", where, key)
        return value

    def time(self, obj: dict[str, Any], where: str, key: str) -> int | None:
        """Seconds after midnight from ``key`` (text) and/or ``key_s`` (integer)."""
        seconds: int | None = None
        if obj.get(f"{key}_s") is not None:
            seconds = self.typed(obj[f"{key}_s"], int, where, f"{key}_s")
            if seconds < 0:
                raise self.error(f"must be >= 0, got {seconds}", where, f"{key}_s")
        if obj.get(key) is not None:
            parsed = self.parse_time(self.typed(obj[key], str, where, key), where, key)
            if seconds is not None and parsed != seconds:
                raise self.error(
                    f"{obj[key]!r} disagrees with {key}_s = {seconds}; fix or drop one", where, key
                )
            seconds = parsed
        return seconds

    def parse_time(self, text: str, where: str, key: str) -> int:
        match = _CLOCK.match(text.strip())
        if match:
            hours, minutes, secs = match.groups()
            return int(hours) * 3600 + int(minutes) * 60 + int(secs or 0)
        try:
            moment = dt.datetime.fromisoformat(text.strip())
        except ValueError as exc:
            raise self.error(
                f"not a time: {text!r} (expected HH:MM[:SS] or an ISO 8601 date-time)", where, key
            ) from exc
        if self.date is None:
            raise self.error(f"{text!r} is a date-time, but the plan has no 'date'", where, key)
        if moment.tzinfo is not None and self.zone is not None:
            moment = moment.astimezone(self.zone)
        days = (moment.date() - self.date).days
        seconds = days * SECONDS_PER_DAY + moment.hour * 3600 + moment.minute * 60 + moment.second
        if seconds < 0:
            raise self.error(f"{text!r} is before the plan's date {self.date}", where, key)
        return seconds
