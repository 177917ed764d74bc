"""Integer route evaluation on a :class:`CompiledProblem`.

Used to time the visits of a solved route and to test insertions when
explaining why an order is unassigned. The checker in :mod:`optimizer.check`
is separate and recomputes in exact arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.compiled import COST_PER_CENT, CompiledProblem
from optimizer.domain.plans import Reason
from optimizer.domain.time_window import TimeWindow


@dataclass(frozen=True, slots=True)
class Timing:
    """Earliest schedule of a route.

    Attributes
    ----------
    start, end
        Departure from and return to the depots.
    arrivals, starts, departures
        Per visited node, in order.
    """

    start: int
    end: int
    arrivals: tuple[int, ...]
    starts: tuple[int, ...]
    departures: tuple[int, ...]


def _window_at(windows: tuple[TimeWindow, ...], arrival: int) -> TimeWindow | None:
    for window in windows:
        if arrival <= window.end:
            return window
    return None


def forward(cp: CompiledProblem, v: int, nodes: Sequence[int], depart: int) -> Timing | Reason:
    """Earliest schedule of vehicle ``v`` visiting ``nodes`` when leaving at ``depart``.

    Returns
    -------
    Timing or Reason
        The schedule, or :attr:`Reason.TIME_WINDOW` when a window is missed,
        :attr:`Reason.SHIFT_DURATION` when the vehicle is back too late.
    """
    travel = cp.travel[cp.vehicles[v].type.id]
    prev = cp.start_node[v]
    t = depart
    arrivals, starts, departures = [], [], []
    for node in nodes:
        arrival = t + int(travel[prev, node])
        window = _window_at(cp.windows[node], arrival)
        if window is None:
            return Reason.TIME_WINDOW
        start = max(arrival, window.start)
        t = start + int(cp.service[node])
        arrivals.append(arrival)
        starts.append(start)
        departures.append(t)
        prev = node
    end = t + int(travel[prev, cp.end_node[v]])
    if end > cp.end_latest[v]:
        return Reason.SHIFT_DURATION
    return Timing(depart, end, tuple(arrivals), tuple(starts), tuple(departures))


def compact(cp: CompiledProblem, v: int, nodes: Sequence[int], timing: Timing) -> Timing:
    """Delay the departure as far as it shortens the route without changing its end.

    The delay is Savelsbergh's forward time slack: the smallest, over the
    visits, of the waiting accumulated so far plus the room left in the
    window used, capped by the total waiting and the latest departure.
    """
    window = cp.start_window[v]
    assert window is not None
    slack = window.end - timing.start
    waited = 0
    for node, arrival, start in zip(nodes, timing.arrivals, timing.starts):
        waited += start - arrival
        used = _window_at(cp.windows[node], start)
        room = (used.end - start) if used is not None else 0
        slack = min(slack, waited + room)
    delay = max(0, min(slack, waited))
    if delay == 0:
        return timing
    shifted = forward(cp, v, nodes, timing.start + delay)
    return shifted if isinstance(shifted, Timing) and shifted.end <= timing.end else timing


def evaluate(cp: CompiledProblem, v: int, nodes: Sequence[int]) -> Timing | Reason:
    """Check every constraint of vehicle ``v`` serving ``nodes`` in that order.

    Returns
    -------
    Timing or Reason
        The shortest-duration earliest schedule, or the first constraint
        broken, checked in the order vehicle type, skills, capacity, stops,
        time.
    """
    vt = cp.vehicles[v].type
    window = cp.start_window[v]
    if window is None:
        return Reason.SHIFT_DURATION
    orders = cp.problem.orders
    for node in nodes:
        if not orders[node - cp.n_depots].allows(vt.id):
            return Reason.NO_VEHICLE
        if not orders[node - cp.n_depots].skills <= vt.skills:
            return Reason.SKILLS
    if (
        sum(int(cp.demand_weight[n]) for n in nodes) > vt.capacity_weight
        or sum(int(cp.demand_volume[n]) for n in nodes) > vt.capacity_volume
        or sum(int(cp.demand_parcels[n]) for n in nodes) > vt.capacity_parcels
    ):
        return Reason.CAPACITY
    if vt.max_stops is not None and len(nodes) > vt.max_stops:
        return Reason.MAX_STOPS
    release = max((orders[n - cp.n_depots].release_time for n in nodes), default=0)
    if release > window.end:
        return Reason.SHIFT_DURATION
    timing = forward(cp, v, nodes, max(window.start, release))
    if isinstance(timing, Reason):
        return timing
    timing = compact(cp, v, nodes, timing)
    if vt.max_duration is not None and timing.end - timing.start > vt.max_duration:
        return Reason.SHIFT_DURATION
    return timing


def route_cost(cp: CompiledProblem, v: int, nodes: Sequence[int], timing: Timing) -> int:
    """Objective value of a non-empty route, in engine units."""
    vehicle = cp.vehicles[v]
    path = [cp.start_node[v], *nodes, cp.end_node[v]]
    arc = sum(int(cp.arc[a, b]) for a, b in zip(path, path[1:]))
    return (
        arc * cp.arc_cost_per_unit(vehicle)
        + (timing.end - timing.start) * cp.duration_cost_per_second(vehicle)
        + vehicle.type.fixed_cost * COST_PER_CENT
    )
