"""PyVRP adapter: hybrid genetic search for the problems PyVRP can express.

PyVRP has no per-order skills or vehicle-type restrictions, no stop limit
and one time window per client; :func:`supports` says whether a problem
fits. The ``hybrid`` engine uses it to seed OR-Tools.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from optimizer.compiled import COST_PER_CENT, CompiledProblem

_COST_TERMS = ("fixed_cost", "unit_distance_cost", "unit_duration_cost")
_FAR = 2**40  # "never" for PyVRP's int64 time fields, with room to add durations


def supports(cp: CompiledProblem, nodes: Sequence[int]) -> bool:
    """Whether PyVRP can model the problem restricted to ``nodes``."""
    orders = cp.problem.orders
    skills = {v.type.skills for v in cp.vehicles}
    for node in nodes:
        order = orders[node - cp.n_depots]
        if len(order.time_windows) != 1:
            return False
        if order.skills and any(not order.skills <= s for s in skills):
            return False
        if any(not order.allows(v.type.id) for v in cp.vehicles):
            return False
    return all(v.type.max_stops is None for v in cp.vehicles) and all(
        w is not None for w in cp.start_window
    )


def _dims(cp: CompiledProblem) -> list[np.ndarray]:
    return [d for d in (cp.demand_weight, cp.demand_volume, cp.demand_parcels) if d.any()]


def solve(
    cp: CompiledProblem, nodes: Sequence[int], *, time_limit: float, seed: int = 0
) -> dict[int, tuple[int, ...]]:
    """Solve with PyVRP; return routes as vehicle index -> order nodes.

    Costs use the same integer units as the OR-Tools adapter, so both
    engines optimise the same objective.
    """
    nodes = list(nodes)
    locs = list(range(cp.n_depots)) + nodes
    points = cp.problem.points
    locations = [pyvrp.Location(*_xy(points[n])) for n in locs]
    dims = _dims(cp)
    depots = [
        pyvrp.Depot(k, tw_early=d.opening.start, tw_late=d.opening.end)
        for k, d in enumerate(cp.problem.depots)
    ]
    orders = cp.problem.orders
    clients = []
    for k, node in enumerate(nodes, start=cp.n_depots):
        order = orders[node - cp.n_depots]
        window = order.time_windows[0]
        clients.append(
            pyvrp.Client(
                k,
                delivery=[int(d[node]) for d in dims],
                service_duration=int(cp.service[node]),
                tw_early=window.start,
                tw_late=window.end,
                release_time=order.release_time,
                prize=0 if order.penalty is None else order.penalty * COST_PER_CENT,
                required=order.penalty is None,
            )
        )
    sub = np.ix_(locs, locs)
    distance = cp.arc[sub].astype(np.int64)
    types_index: dict[str, int] = {}
    durations: list[np.ndarray] = []
    vehicle_types: list[dict[str, Any]] = []
    groups: list[tuple[int, list[int]]] = []  # (vehicle type index, vehicle indices)
    by_key: dict[tuple[str, int, int], int] = {}
    for v, vehicle in enumerate(cp.vehicles):
        vt = vehicle.type
        if vt.id not in types_index:
            types_index[vt.id] = len(durations)
            durations.append(cp.travel[vt.id][sub].astype(np.int64))
        key = (vt.id, cp.start_node[v], cp.end_node[v])
        if key in by_key:
            groups[by_key[key]][1].append(v)
            continue
        start_window = cp.start_window[v]
        assert start_window is not None
        by_key[key] = len(groups)
        groups.append((len(vehicle_types), [v]))
        vehicle_types.append(
            dict(
                capacity=[
                    c
                    for c, d in zip(
                        (vt.capacity_weight, vt.capacity_volume, vt.capacity_parcels),
                        (cp.demand_weight, cp.demand_volume, cp.demand_parcels),
                    )
                    if d.any()
                ],
                start_depot=cp.start_node[v],
                end_depot=cp.end_node[v],
                fixed_cost=vt.fixed_cost * COST_PER_CENT,
                tw_early=start_window.start,
                tw_late=cp.end_latest[v],
                start_late=start_window.end,
                shift_duration=vt.max_duration if vt.max_duration is not None else _FAR,
                unit_distance_cost=cp.arc_cost_per_unit(vehicle),
                unit_duration_cost=cp.duration_cost_per_second(vehicle),
                profile=types_index[vt.id],
            )
        )
    # PyVRP's penalty management assumes costs of the order of distances:
    # divide every cost term by their common divisor.
    scale = (
        math.gcd(
            *(int(c.prize) for c in clients),
            *(kw[term] for kw in vehicle_types for term in _COST_TERMS),
        )
        or 1
    )
    for kw in vehicle_types:
        for term in _COST_TERMS:
            kw[term] //= scale
    if scale > 1:
        clients = [
            pyvrp.Client(
                c.location,
                delivery=list(c.delivery),
                service_duration=c.service_duration,
                tw_early=c.tw_early,
                tw_late=c.tw_late,
                release_time=c.release_time,
                prize=c.prize // scale,
                required=c.required,
            )
            for c in clients
        ]
    built = [
        pyvrp.VehicleType(num_available=len(groups[k][1]), **kwargs)
        for k, kwargs in enumerate(vehicle_types)
    ]
    distances = [distance] * len(durations)
    data = pyvrp.ProblemData(
        locations,
        clients,
        depots,
        built,
        distances,  # type: ignore[arg-type]
        durations,  # type: ignore[arg-type]
    )
    result = pyvrp.solve(data, MaxRuntime(time_limit), seed=seed, display=False)
    if not result.best.is_feasible():
        return {}
    used = {k: 0 for k in range(len(groups))}
    routes: dict[int, tuple[int, ...]] = {}
    for route in result.best.routes():
        type_index = route.vehicle_type()
        v = groups[type_index][1][used[type_index]]
        used[type_index] += 1
        routes[v] = tuple(nodes[a.idx] for a in route if a.type == pyvrp.ActivityType.CLIENT)
    return routes


def _xy(point: object) -> tuple[float, float]:
    if hasattr(point, "x"):
        return float(point.x), float(point.y)  # type: ignore[attr-defined]
    return float(point.lon) * 1000, float(point.lat) * 1000  # type: ignore[attr-defined]
