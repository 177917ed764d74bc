"""Why an order is unassigned, found by testing it against every vehicle."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.compiled import COST_PER_CENT, CompiledProblem
from optimizer.domain.plans import Reason
from optimizer.domain.units import format_clock
from optimizer.schedule import Timing, evaluate, route_cost

# How far an order got with a vehicle before a constraint stopped it: the
# deepest failure is the one that explains the order best.
_DEPTH = {
    Reason.NO_VEHICLE: 0,
    Reason.SKILLS: 0,
    Reason.CAPACITY: 1,
    Reason.MAX_STOPS: 1,
    Reason.TIME_WINDOW: 2,
    Reason.SHIFT_DURATION: 2,
}
_ORDER = [
    Reason.NO_VEHICLE,
    Reason.SKILLS,
    Reason.CAPACITY,
    Reason.TIME_WINDOW,
    Reason.SHIFT_DURATION,
    Reason.MAX_STOPS,
]


@dataclass(frozen=True, slots=True)
class Insertion:
    """A feasible insertion: vehicle, position in its route, added cost."""

    vehicle: int
    position: int
    delta: int
    nodes: tuple[int, ...]
    timing: Timing


def best_insertion(
    cp: CompiledProblem, node: int, routes: dict[int, tuple[int, ...]]
) -> tuple[Insertion | None, dict[int, tuple[Reason, int]]]:
    """Cheapest feasible insertion of ``node`` over every vehicle.

    Parameters
    ----------
    routes
        Current routes: vehicle index -> order nodes (unused vehicles absent).

    Returns
    -------
    tuple
        The cheapest insertion (or ``None``) and, per vehicle that cannot
        take the node, the reason and how deep the node got (0 static
        compatibility, 1 alone, 2 in the vehicle's current route).
    """
    best: Insertion | None = None
    failures: dict[int, tuple[Reason, int]] = {}
    for v in range(len(cp.vehicles)):
        alone = evaluate(cp, v, [node])
        if isinstance(alone, Reason):
            depth = 0 if alone in (Reason.SKILLS, Reason.NO_VEHICLE) else 1
            failures[v] = (alone, depth)
            continue
        current = routes.get(v, ())
        base = 0
        if current:
            base_timing = evaluate(cp, v, current)
            base = route_cost(cp, v, current, base_timing) if isinstance(base_timing, Timing) else 0
        seen: Counter[Reason] = Counter()
        found = False
        for pos in range(len(current) + 1):
            nodes = (*current[:pos], node, *current[pos:])
            timing = evaluate(cp, v, nodes)
            if isinstance(timing, Reason):
                seen[timing] += 1
                continue
            delta = route_cost(cp, v, nodes, timing) - base
            found = True
            if best is None or delta < best.delta:
                best = Insertion(v, pos, delta, nodes, timing)
        if not found:
            failures[v] = (min(seen, key=lambda r: (-seen[r], _ORDER.index(r))), 2)
    return best, failures


def _clock(seconds: int) -> str:
    return format_clock(seconds)[:5]


def _describe(
    cp: CompiledProblem, node: int, reason: Reason, vehicles: list[int], depth: int
) -> str:
    order = cp.problem.orders[node - cp.n_depots]
    types = sorted({cp.vehicles[v].type.id for v in vehicles})
    on = f"{len(vehicles)} vehicle(s) of type {', '.join(types)}"
    alone = depth < 2
    if reason is Reason.NO_VEHICLE:
        return f"only vehicle types {sorted(order.vehicle_types)} may serve it; none is available"
    if reason is Reason.SKILLS:
        return f"needs skills {sorted(order.skills)}; no vehicle has them"
    if reason is Reason.CAPACITY:
        load = (
            f"{order.weight / 1000:g} kg, {order.volume / 1000:g} l, {order.parcel_count} parcel(s)"
        )
        if alone:
            biggest = max(vehicles, key=lambda v: cp.vehicles[v].type.capacity_weight)
            vt = cp.vehicles[biggest].type
            return (
                f"{load} exceed the capacity of every vehicle that may carry it "
                f"(largest: {vt.capacity_weight / 1000:g} kg, {vt.capacity_volume / 1000:g} l, "
                f"{vt.capacity_parcels} parcels)"
            )
        return f"{load} fit in no route's remaining capacity ({on})"
    if reason is Reason.TIME_WINDOW:
        if alone:
            earliest = min(
                max(w.start if w is not None else 0, order.release_time)
                + int(cp.travel[cp.vehicles[v].type.id][cp.start_node[v], node])
                for v, w in ((v, cp.start_window[v]) for v in vehicles)
            )
            windows = ", ".join(f"{_clock(w.start)}-{_clock(w.end)}" for w in order.time_windows)
            return f"earliest possible arrival {_clock(earliest)} is after its windows ({windows})"
        return (
            f"no route can reach it inside its time windows without making another stop late ({on})"
        )
    if reason is Reason.SHIFT_DURATION:
        latest = max((w.end for w in cp.start_window if w is not None), default=0)
        if alone and order.release_time > latest:
            return (
                f"its parcels are ready at {_clock(order.release_time)}, after every vehicle's "
                f"latest departure ({_clock(latest)})"
            )
        if alone:
            return (
                "even a dedicated route would end after the shift or exceed the maximum "
                f"duration ({on})"
            )
        return (
            "adding it to any route ends the route after the shift or past its maximum "
            f"duration ({on})"
        )
    return f"every route that could take it is at its maximum number of stops ({on})"


def diagnose(
    cp: CompiledProblem, node: int, routes: dict[int, tuple[int, ...]]
) -> tuple[Reason, str]:
    """Reason code and a short explanation for leaving ``node`` out.

    The order is tried alone in every vehicle and at every position of every
    route. When some insertion is feasible the order was priced out: its
    cheapest insertion costs more than its penalty. Otherwise the reason is
    the constraint that stopped it with the vehicles it came closest to
    fitting (static compatibility, alone, in the current route), the most
    frequent one among those.
    """
    if not cp.vehicles:
        return Reason.NO_VEHICLE, "the fleet has no vehicle"
    best, failures = best_insertion(cp, node, routes)
    order = cp.problem.orders[node - cp.n_depots]
    if best is not None:
        cost = best.delta / COST_PER_CENT / 100
        penalty = (order.penalty or 0) / 100
        return (
            Reason.PRICED_OUT,
            f"cheapest insertion (vehicle {cp.vehicles[best.vehicle].id}) costs "
            f"{cost:.2f}, more than its penalty {penalty:.2f}",
        )
    deepest = max(depth for _, depth in failures.values())
    reasons = Counter(r for r, depth in failures.values() if depth == deepest)
    reason = min(reasons, key=lambda r: (-reasons[r], _ORDER.index(r)))
    vehicles = [v for v, (r, depth) in failures.items() if depth == deepest and r is reason]
    return reason, _describe(cp, node, reason, vehicles, deepest)


def explain_all(
    cp: CompiledProblem, nodes: Sequence[int], routes: dict[int, tuple[int, ...]]
) -> dict[int, tuple[Reason, str]]:
    """:func:`diagnose` for each of ``nodes``."""
    return {node: diagnose(cp, node, routes) for node in nodes}
