"""Independent plan checker: recompute a plan from coordinates, no solver involved.

:func:`check_plan` evaluates any :class:`~optimizer.domain.plans.Plan` against
its :class:`~optimizer.domain.problems.RoutingProblem`, whether a solver made
it or a carrier edited it by hand. It never looks at the engine, nor at the
problem's distance matrix: every leg is recomputed in double precision with
``problem.travel.distance(a, b)`` and turned into time with
``problem.travel.durations``. Comparisons allow a tolerance of ``1e-6``.

Semantics
---------
Times are in the problem's time unit (seconds after local midnight for
geographic problems), distances in the travel provider's unit.

* **Departure.** A route leaves its vehicle type's start depot at
  ``route.start``, which must be no earlier than the shift start and the
  start depot's opening, and no later than the start depot's closing
  (``shift``), nor before the release time of any order it carries
  (``release_time``).
* **Stops**, in order: ``arrival`` is the previous departure plus the travel
  time; service starts at the earliest instant at or after ``arrival`` inside
  one of the order's windows (the vehicle waits for a later window when it
  arrives between two). When every window has closed the stop is a
  ``time_window`` violation and service starts on arrival. ``departure`` is
  service start plus the order's service time.
* **Return.** The route ends at the last departure (or at ``route.start``
  for an empty route) plus the travel time to the end depot. It must be no
  later than the shift end and the end depot's closing (``shift``); its
  duration ``end - start`` must not exceed the type's ``max_duration``
  (``max_duration``) and its number of visits not its ``max_stops``
  (``max_stops``).
* **Loads.** Weight, volume and parcel count summed over the route must fit
  the type's capacities (``capacity``, the message names the dimension).
* **Skills.** Each order's skills must be among the type's (``skills``).
* **Vehicle types.** An order that names allowed vehicle types is served
  by one of them (``vehicle_type``).
* **Coverage.** Every order of the problem is routed exactly once or
  unassigned exactly once: ``missing``, ``duplicate`` (routed twice, routed
  and unassigned, or unassigned twice), ``unknown_order``,
  ``unknown_vehicle``, and ``vehicle_reused`` for a vehicle driving two
  routes. A route of an unknown vehicle is not scheduled; an unknown order
  is skipped when scheduling its route. Leaving out a mandatory order is not
  a violation (it carries a reason); such orders are listed in
  :attr:`Report.unassigned_mandatory`.
* **Stale times.** When a visit (or the route end) carries a time that
  differs from the recomputed one by more than one time unit, the report
  gets an ``eta_mismatch`` *warning*, not a violation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from optimizer.domain.fleet import VehicleType
from optimizer.domain.orders import Order
from optimizer.domain.plans import Plan, Route, Visit
from optimizer.domain.problems import RoutingProblem
from optimizer.domain.time_window import TimeWindow, earliest_start
from optimizer.domain.units import format_clock

logger = logging.getLogger(__name__)

TOLERANCE = 1e-6
"""Slack allowed in every comparison of recomputed quantities."""

ETA_TOLERANCE = 1.0
"""Time units a plan's own times may differ from the recomputed ones."""


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken constraint (or, in :attr:`Report.warnings`, a remark).

    Parameters
    ----------
    code
        Short machine-readable code, such as ``"capacity"``.
    message
        What is wrong, in one short sentence.
    route
        Vehicle id of the route concerned, if any.
    order
        Order id concerned, if any.
    """

    code: str
    message: str
    route: str | None = None
    order: str | None = None


@dataclass(frozen=True, slots=True)
class StopReport:
    """The recomputed schedule of one stop.

    Parameters
    ----------
    order_id
        The order served.
    arrival, start, departure
        Arrival, service start and departure times.
    waiting
        ``start - arrival``.
    distance_from_previous
        Distance from the previous stop (or the start depot).
    on_time
        Whether service starts inside one of the order's windows.
    window
        The window service starts in, or ``None`` when it is missed.
    """

    order_id: str
    arrival: float
    start: float
    departure: float
    waiting: float
    distance_from_previous: float
    on_time: bool
    window: TimeWindow | None = None


@dataclass(frozen=True, slots=True)
class RouteReport:
    """The recomputed figures of one route.

    Parameters
    ----------
    vehicle_id, vehicle_type
        The vehicle and its type id.
    start_depot, end_depot
        Depot ids the route starts and ends at.
    distance
        Total distance, depot to depot, in the provider's unit.
    distance_to_end
        Distance of the last leg, back to the end depot.
    driving_time, service_time, waiting_time
        Time spent driving, serving and waiting.
    start, end
        Departure from the start depot and return to the end depot.
    weight, volume, parcels
        Load in grams, cubic centimetres and parcels.
    stops
        One report per known order, in visit order.
    """

    vehicle_id: str
    vehicle_type: str
    start_depot: str
    end_depot: str
    distance: float
    distance_to_end: float
    driving_time: float
    service_time: float
    waiting_time: float
    start: float
    end: float
    weight: int
    volume: int
    parcels: int
    stops: tuple[StopReport, ...]

    @property
    def duration(self) -> float:
        """``end - start``."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Report:
    """What :func:`check_plan` found.

    Parameters
    ----------
    violations
        Broken constraints; the plan is feasible when there are none.
    warnings
        Remarks that do not make the plan infeasible (``eta_mismatch``).
    routes
        One report per route whose vehicle is known, in plan order.
    unassigned_mandatory
        Ids of mandatory orders the plan leaves out (with a reason).
    """

    violations: tuple[Violation, ...] = ()
    warnings: tuple[Violation, ...] = ()
    routes: tuple[RouteReport, ...] = ()
    unassigned_mandatory: tuple[str, ...] = ()

    @property
    def feasible(self) -> bool:
        """Whether the plan breaks no constraint."""
        return not self.violations

    @property
    def total_distance(self) -> float:
        """Sum of route distances, in the provider's unit."""
        return sum(r.distance for r in self.routes)

    @property
    def codes(self) -> tuple[str, ...]:
        """Violation codes, in the order found."""
        return tuple(v.code for v in self.violations)


def check_plan(plan: Plan, problem: RoutingProblem) -> Report:
    """Check a plan against its problem, recomputing every figure.

    Parameters
    ----------
    plan
        The plan to check, from a solver or edited by hand.
    problem
        The problem it answers.

    Returns
    -------
    Report
        Violations, warnings and the recomputed routes (see the module
        docstring for the semantics).
    """
    vehicles = {v.id: v for v in problem.vehicles}
    orders = problem.order_by_id()
    clock = _clock(problem)
    violations: list[Violation] = []
    warnings: list[Violation] = []
    routes: list[RouteReport] = []
    placed: dict[str, str] = {}

    def place(order_id: str, where: str, route: str | None) -> None:
        if order_id not in orders:
            violations.append(
                Violation(
                    "unknown_order", f"order {order_id!r} is not in the problem", route, order_id
                )
            )
        elif order_id in placed:
            violations.append(
                Violation(
                    "duplicate",
                    f"order {order_id!r} is {where} but already {placed[order_id]}",
                    route,
                    order_id,
                )
            )
        else:
            placed[order_id] = where

    used: set[str] = set()
    for route in plan.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None:
            violations.append(
                Violation(
                    "unknown_vehicle",
                    f"vehicle {route.vehicle_id!r} is not in the fleet",
                    route.vehicle_id,
                )
            )
        elif route.vehicle_id in used:
            violations.append(
                Violation(
                    "vehicle_reused",
                    f"vehicle {route.vehicle_id!r} drives more than one route",
                    route.vehicle_id,
                )
            )
        used.add(route.vehicle_id)
        for visit in route.visits:
            place(visit.order_id, f"in route {route.vehicle_id!r}", route.vehicle_id)
        if vehicle is not None:
            report = _check_route(route, vehicle.type, problem, orders, clock, violations, warnings)
            routes.append(report)

    mandatory: list[str] = []
    for entry in plan.unassigned:
        place(entry.order_id, "unassigned", None)
        order = orders.get(entry.order_id)
        if order is not None and order.required and entry.order_id not in mandatory:
            mandatory.append(entry.order_id)

    for order in problem.orders:
        if order.id not in placed:
            violations.append(
                Violation(
                    "missing",
                    f"order {order.id!r} is neither routed nor unassigned",
                    None,
                    order.id,
                )
            )

    if violations:
        logger.debug("plan has %d violations", len(violations))
    return Report(
        violations=tuple(violations),
        warnings=tuple(warnings),
        routes=tuple(routes),
        unassigned_mandatory=tuple(mandatory),
    )


def _clock(problem: RoutingProblem) -> Callable[[float], str]:
    """Formatter for times in messages: HH:MM:SS for seconds, plain numbers otherwise."""
    if problem.travel.distance_unit == "m":
        return format_clock
    return lambda t: f"{t:g}"


def _check_route(
    route: Route,
    vt: VehicleType,
    problem: RoutingProblem,
    orders: dict[str, Order],
    clock: Callable[[float], str],
    violations: list[Violation],
    warnings: list[Violation],
) -> RouteReport:
    """Schedule one route, appending what is wrong to ``violations`` and ``warnings``."""
    vid = route.vehicle_id
    start_depot = problem.depot(vt.start_depot)
    end_depot = problem.depot(vt.end_depot)
    known: list[tuple[Visit, Order]] = [
        (v, orders[v.order_id]) for v in route.visits if v.order_id in orders
    ]
    points = [start_depot.location, *(o.location for _, o in known), end_depot.location]
    legs = [float(problem.travel.distance(a, b)) for a, b in pairwise(points)]
    times = [float(t) for t in problem.travel.durations(np.array(legs, dtype=np.float64), vt)]

    earliest = max(vt.shift.start, start_depot.opening.start)
    if route.start < earliest - TOLERANCE:
        violations.append(
            Violation(
                "shift",
                f"route leaves at {clock(route.start)}, before the shift or depot "
                f"opening at {clock(earliest)}",
                vid,
            )
        )
    if route.start > start_depot.opening.end + TOLERANCE:
        violations.append(
            Violation(
                "shift",
                f"route leaves at {clock(route.start)}, after depot {start_depot.id!r} "
                f"closes at {clock(start_depot.opening.end)}",
                vid,
            )
        )

    for _, order in known:
        if route.start < order.release_time - TOLERANCE:
            violations.append(
                Violation(
                    "release_time",
                    f"route leaves at {clock(route.start)}, before the order is ready at "
                    f"{clock(order.release_time)}",
                    vid,
                    order.id,
                )
            )

    t = float(route.start)
    stops: list[StopReport] = []
    for k, (visit, order) in enumerate(known):
        arrival = t + times[k]
        start = earliest_start(order.time_windows, arrival)
        window: TimeWindow | None = None
        if start is None:
            violations.append(
                Violation(
                    "time_window",
                    f"arrives at {clock(arrival)}, after its last window closed at "
                    f"{clock(order.time_windows[-1].end)}",
                    vid,
                    order.id,
                )
            )
            start = arrival
        else:
            window = next(w for w in order.time_windows if w.contains(start, TOLERANCE))
        departure = start + order.service_time
        stops.append(
            StopReport(
                order_id=order.id,
                arrival=arrival,
                start=start,
                departure=departure,
                waiting=start - arrival,
                distance_from_previous=legs[k],
                on_time=window is not None,
                window=window,
            )
        )
        if not order.allows(vt.id):
            allowed = ", ".join(sorted(order.vehicle_types))
            violations.append(
                Violation(
                    "vehicle_type",
                    f"vehicle type {vt.id!r} may not serve it (allowed: {allowed})",
                    vid,
                    order.id,
                )
            )
        if not order.skills <= vt.skills:
            missing = ", ".join(sorted(order.skills - vt.skills))
            violations.append(
                Violation(
                    "skills", f"vehicle type {vt.id!r} lacks skills: {missing}", vid, order.id
                )
            )
        for name, planned, actual in (
            ("arrival", visit.arrival, arrival),
            ("start", visit.start, start),
            ("departure", visit.departure, departure),
        ):
            if planned is not None and abs(planned - actual) > ETA_TOLERANCE + TOLERANCE:
                warnings.append(
                    Violation(
                        "eta_mismatch",
                        f"{name} is {clock(planned)} in the plan, {clock(actual)} recomputed",
                        vid,
                        order.id,
                    )
                )
        t = departure

    end = t + times[-1]
    latest = min(vt.shift.end, end_depot.opening.end)
    if end > latest + TOLERANCE:
        violations.append(
            Violation(
                "shift",
                f"route returns at {clock(end)}, after the shift or depot closing at "
                f"{clock(latest)}",
                vid,
            )
        )
    if vt.max_duration is not None and end - route.start > vt.max_duration + TOLERANCE:
        violations.append(
            Violation(
                "max_duration",
                f"route lasts {clock(end - route.start)}, more than {clock(vt.max_duration)}",
                vid,
            )
        )
    if vt.max_stops is not None and len(route.visits) > vt.max_stops:
        violations.append(
            Violation(
                "max_stops", f"route has {len(route.visits)} stops, more than {vt.max_stops}", vid
            )
        )
    if route.end is not None and abs(route.end - end) > ETA_TOLERANCE + TOLERANCE:
        warnings.append(
            Violation(
                "eta_mismatch",
                f"return is {clock(route.end)} in the plan, {clock(end)} recomputed",
                vid,
            )
        )

    weight = sum(o.weight for _, o in known)
    volume = sum(o.volume for _, o in known)
    parcels = sum(o.parcel_count for _, o in known)
    for dimension, load, capacity, unit in (
        ("weight", weight, vt.capacity_weight, " g"),
        ("volume", volume, vt.capacity_volume, " cm3"),
        ("parcels", parcels, vt.capacity_parcels, ""),
    ):
        if load > capacity:
            violations.append(
                Violation(
                    "capacity",
                    f"{dimension} load {load}{unit} exceeds capacity {capacity}{unit}",
                    vid,
                )
            )

    return RouteReport(
        vehicle_id=vid,
        vehicle_type=vt.id,
        start_depot=start_depot.id,
        end_depot=end_depot.id,
        distance=sum(legs),
        distance_to_end=legs[-1],
        driving_time=sum(times),
        service_time=float(sum(o.service_time for _, o in known)),
        waiting_time=sum(s.waiting for s in stops),
        start=float(route.start),
        end=end,
        weight=weight,
        volume=volume,
        parcels=parcels,
        stops=tuple(stops),
    )
