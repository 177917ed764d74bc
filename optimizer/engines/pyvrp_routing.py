"""PyVRP adapter: hybrid genetic search on the same integer model as OR-Tools.

PyVRP has no per-order skills, no vehicle-type restrictions, no stop limit
and one time window per client. This adapter expresses them all the same:

* several windows: one client per window at the same location, in a
  mutually exclusive client group (exactly one is visited);
* skills and allowed vehicle types: each vehicle type has its own routing
  profile in which arcs into orders it may not serve are prohibitively long;
* stop limits: an extra load dimension of one unit per order.

Every route PyVRP returns is re-evaluated with :func:`optimizer.schedule.evaluate`;
a route that breaks a constraint is discarded (its orders are left to the
caller's repair step).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from optimizer.compiled import COST_PER_CENT, CompiledProblem
from optimizer.schedule import Timing, evaluate

logger = logging.getLogger(__name__)

_COST_TERMS = ("fixed_cost", "unit_distance_cost", "unit_duration_cost")
_FAR = 2**40  # "never" for PyVRP's int64 time fields, with room to add durations
_FORBIDDEN = 10**9  # length of an arc a vehicle type may not use (in its profile only)


def supports(cp: CompiledProblem, nodes: Sequence[int]) -> bool:
    """Whether PyVRP can model the problem restricted to ``nodes``.

    Every feature of the routing model is expressed; only vehicles whose
    shift never overlaps their depot's opening hours are not.
    """
    return all(w is not None for w in cp.start_window)


def _dims(cp: CompiledProblem) -> list[np.ndarray]:
    return [d for d in (cp.demand_weight, cp.demand_volume, cp.demand_parcels) if d.any()]


def _gcd_scale(clients: list[dict[str, Any]], vehicle_types: list[dict[str, Any]]) -> int:
    """Common divisor of every cost term: PyVRP works best with small costs."""
    return (
        math.gcd(
            *(c["prize"] for c in clients),
            *(kw[term] for kw in vehicle_types for term in _COST_TERMS),
        )
        or 1
    )


def solve(
    cp: CompiledProblem, nodes: Sequence[int], *, time_limit: float, seed: int = 0
) -> dict[int, tuple[int, ...]]:
    """Solve with PyVRP; return feasible routes as vehicle index -> order nodes.

    Costs use the same integer units as the OR-Tools adapter (divided by
    their common divisor), so both engines optimise the same objective.
    """
    nodes = list(nodes)
    locs = list(range(cp.n_depots)) + nodes
    points = cp.problem.points
    locations = [pyvrp.Location(*_xy(points[n])) for n in locs]
    dims = _dims(cp)
    counting_stops = any(v.type.max_stops is not None for v in cp.vehicles)
    depots = [
        pyvrp.Depot(k, tw_early=d.opening.start, tw_late=d.opening.end)
        for k, d in enumerate(cp.problem.depots)
    ]
    orders = cp.problem.orders
    clients: list[dict[str, Any]] = []
    client_node: list[int] = []
    groups: list[pyvrp.ClientGroup] = []
    for location, node in enumerate(nodes, start=cp.n_depots):
        order = orders[node - cp.n_depots]
        first = len(clients)
        several = len(order.time_windows) > 1
        for window in order.time_windows:
            clients.append(
                dict(
                    location=location,
                    delivery=[int(d[node]) for d in dims] + ([1] if counting_stops else []),
                    service_duration=int(cp.service[node]),
                    tw_early=window.start,
                    tw_late=window.end,
                    release_time=order.release_time,
                    prize=0 if order.penalty is None else order.penalty * COST_PER_CENT,
                    required=order.penalty is None and not several,
                    group=len(groups) if several else None,
                )
            )
            client_node.append(node)
        if several:
            members = list(range(first, len(clients)))
            groups.append(pyvrp.ClientGroup(members, required=order.penalty is None))

    sub = np.ix_(locs, locs)
    base_distance = cp.arc[sub].astype(np.int64)
    profiles: dict[str, int] = {}
    distances: list[np.ndarray] = []
    durations: list[np.ndarray] = []
    vehicle_types: list[dict[str, Any]] = []
    fleets: list[list[int]] = []  # per PyVRP vehicle type: our vehicle indices
    by_key: dict[tuple[str, int, int], int] = {}
    for v, vehicle in enumerate(cp.vehicles):
        vt = vehicle.type
        if vt.id not in profiles:
            profiles[vt.id] = len(durations)
            banned = [
                k
                for k, node in enumerate(nodes, start=cp.n_depots)
                if not orders[node - cp.n_depots].allows(vt.id)
                or not orders[node - cp.n_depots].skills <= vt.skills
            ]
            distance = base_distance.copy()
            duration = cp.travel[vt.id][sub].astype(np.int64)
            if banned:
                distance[:, banned] = _FORBIDDEN
                distance[banned, banned] = 0
            distances.append(distance)
            durations.append(duration)
        key = (vt.id, cp.start_node[v], cp.end_node[v])
        if key in by_key:
            fleets[by_key[key]].append(v)
            continue
        start_window = cp.start_window[v]
        assert start_window is not None
        by_key[key] = len(fleets)
        fleets.append([v])
        capacity = [
            c
            for c, d in zip(
                (vt.capacity_weight, vt.capacity_volume, vt.capacity_parcels),
                (cp.demand_weight, cp.demand_volume, cp.demand_parcels),
            )
            if d.any()
        ]
        if counting_stops:
            capacity.append(vt.max_stops if vt.max_stops is not None else len(nodes))
        vehicle_types.append(
            dict(
                capacity=capacity,
                start_depot=cp.start_node[v],
                end_depot=cp.end_node[v],
                fixed_cost=vt.fixed_cost * COST_PER_CENT,
                tw_early=start_window.start,
                tw_late=cp.end_latest[v],
                start_late=start_window.end,
                shift_duration=vt.max_duration if vt.max_duration is not None else _FAR,
                unit_distance_cost=cp.arc_cost_per_unit(vehicle),
                unit_duration_cost=cp.duration_cost_per_second(vehicle),
                profile=profiles[vt.id],
            )
        )

    scale = _gcd_scale(clients, vehicle_types)
    for kw in vehicle_types:
        for term in _COST_TERMS:
            kw[term] //= scale
    for c in clients:
        c["prize"] //= scale
    data = pyvrp.ProblemData(
        locations,
        [pyvrp.Client(**c) for c in clients],
        depots,
        [
            pyvrp.VehicleType(num_available=len(fleets[k]), **kw)
            for k, kw in enumerate(vehicle_types)
        ],
        distances,  # type: ignore[arg-type]
        durations,  # type: ignore[arg-type]
        groups,
    )
    # Costs are small integer units (a metre or a second may cost thousands):
    # let the penalties on excess load and time warp grow as far as needed.
    # Penalty times excess (grams, seconds) must stay far from int64 overflow.
    largest = max([cp.horizon(), len(nodes)] + [int(d[nodes].sum()) for d in dims if len(nodes)])
    ceiling = min(1e13, 1e17 / max(largest, 1))
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=ceiling))
    result = pyvrp.solve(data, MaxRuntime(time_limit), seed=seed, display=False, params=params)
    if not result.best.is_feasible():
        logger.info("PyVRP found no feasible solution in %.1f s", time_limit)
        return {}
    used = [0] * len(fleets)
    routes: dict[int, tuple[int, ...]] = {}
    for route in result.best.routes():
        k = route.vehicle_type()
        v = fleets[k][used[k]]
        used[k] += 1
        visited = tuple(client_node[a.idx] for a in route if a.type == pyvrp.ActivityType.CLIENT)
        if isinstance(evaluate(cp, v, visited), Timing):
            routes[v] = visited
        else:
            logger.warning("discarding a PyVRP route that breaks a constraint")
    return routes


def _xy(point: object) -> tuple[float, float]:
    if hasattr(point, "x"):
        return float(point.x), float(point.y)  # type: ignore[attr-defined]
    return float(point.lon) * 1000, float(point.lat) * 1000  # type: ignore[attr-defined]
