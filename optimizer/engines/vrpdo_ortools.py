"""OR-Tools adapter for the VRP with delivery options.

One routing node per option (node ``k + 1`` is option ``options[k]``); the
options of one customer form a disjunction without penalty, so exactly one of
them is visited. Unlike the PyVRP adapter, the assignment constraints are
hard here: each shared location takes at most its capacity of active option
nodes, and the first-choice and first-or-second-choice counts meet the quota
(``solver.Add`` over the nodes' ``ActiveVar``). Arcs between two options at
one location cost 0 and take only the parcel time; an arc leaving a location
for another carries the parcel time, the location's stop time and the travel
time, so consecutive parcels at a locker share one stop.

OR-Tools rarely finds a first solution under these side constraints on its
own, so :func:`solve` starts from given routes (a feasible PyVRP solution)
and runs guided local search from there.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.vrpdo import VrpdoModel

logger = logging.getLogger(__name__)

_BOOL_TRUE = 3  # ortools.util.OptionalBoolean.BOOL_TRUE


def solve(
    model: VrpdoModel,
    initial: Sequence[Sequence[int]],
    *,
    need_first: int,
    need_second: int,
    time_limit: float,
    vehicles: int | None = None,
) -> list[list[int]] | None:
    """Improve feasible routes with OR-Tools guided local search.

    Parameters
    ----------
    model
        The integer model.
    initial
        Routes of option ids to start from; they must meet every constraint.
    need_first, need_second
        Minimum customers served at priority 0, and at priority 0 or 1.
    time_limit
        Seconds.
    vehicles
        Routes available (default: the initial routes plus two).

    Returns
    -------
    list of list of int or None
        Routes of option ids, or ``None`` if OR-Tools rejected the start or
        returned nothing.
    """
    m = model
    n_opt = len(m.option_location)
    loc = [0] + list(m.option_location)
    n_nodes = n_opt + 1
    n_vehicles = vehicles if vehicles is not None else len(initial) + 2
    cost = [[0] * n_nodes for _ in range(n_nodes)]
    duration = [[0] * n_nodes for _ in range(n_nodes)]
    for i in range(n_nodes):
        li = loc[i]
        handling = m.option_time[i - 1] if i else 0
        for j in range(n_nodes):
            lj = loc[j]
            if i == j:
                continue
            if li == lj and i and j:
                cost[i][j] = m.option_cost[j - 1]
                duration[i][j] = handling
            else:
                cost[i][j] = m.cost[li][lj] + (m.option_cost[j - 1] if j else 0)
                duration[i][j] = handling + m.stop[li] + m.travel[li][lj]

    manager = pywrapcp.RoutingIndexManager(n_nodes, n_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost))
    time_cb = routing.RegisterTransitMatrix(duration)
    horizon = m.latest[0]
    routing.AddDimension(time_cb, horizon, horizon, True, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in range(1, n_nodes):
        lo = loc[node]
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(m.ready[lo], m.latest[lo])
    demands = [0] + [m.demand[c] for c in m.option_customer]
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitVector(demands), 0, [m.capacity] * n_vehicles, True, "load"
    )

    by_customer: dict[int, list[int]] = {}
    for o, c in enumerate(m.option_customer):
        by_customer.setdefault(c, []).append(manager.NodeToIndex(o + 1))
    for members in by_customer.values():
        if len(members) > 1:
            routing.AddDisjunction(members)  # no penalty: exactly one visited
    solver = routing.solver()
    active = [routing.ActiveVar(manager.NodeToIndex(o + 1)) for o in range(n_opt)]
    at: dict[int, list[int]] = {}
    for o, lo in enumerate(m.option_location):
        if m.shared_capacity[lo] is not None:
            at.setdefault(lo, []).append(o)
    for lo, members in at.items():
        cap = m.shared_capacity[lo]
        assert cap is not None
        if len(members) > cap:
            solver.Add(solver.Sum([active[o] for o in members]) <= cap)
    first = [active[o] for o in range(n_opt) if m.option_priority[o] == 0]
    second = [active[o] for o in range(n_opt) if m.option_priority[o] <= 1]
    solver.Add(solver.Sum(first) >= need_first)
    solver.Add(solver.Sum(second) >= need_second)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(int(time_limit * 1000), 1))
    ops = params.local_search_operators
    ops.use_extended_swap_active = _BOOL_TRUE
    ops.use_relocate_and_make_active = _BOOL_TRUE
    ops.use_exchange_and_make_active = _BOOL_TRUE
    ops.use_inactive_lns = _BOOL_TRUE
    routing.CloseModelWithParameters(params)

    routes = [[o + 1 for o in r] for r in initial if r]
    if len(routes) > n_vehicles:
        return None
    start = routing.ReadAssignmentFromRoutes(routes, True)
    if start is None:
        logger.info("OR-Tools rejected the initial routes")
        return None
    solution = routing.SolveFromAssignmentWithParameters(start, params)
    if solution is None:
        return None
    result = []
    for v in range(n_vehicles):
        index = routing.Start(v)
        route = []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index) - 1)
            index = solution.Value(routing.NextVar(index))
        if route:
            result.append(route)
    return result
