"""OR-Tools adapter for vehicle routing: the only module building a RoutingModel.

Everything OR-Tools specific lives here: the index manager, transit
callbacks, dimensions, disjunctions and search parameters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.compiled import COST_PER_CENT, Alternatives, CompiledProblem

logger = logging.getLogger(__name__)

MANDATORY_PENALTY = 10**14
"""Drop cost of a mandatory order: dropped only when it fits nowhere."""

_BOOL_FALSE = 2  # ortools.util.OptionalBoolean.BOOL_FALSE
_BOOL_TRUE = 3  # ortools.util.OptionalBoolean.BOOL_TRUE


@dataclass(frozen=True, slots=True)
class EngineRoute:
    """A solved route: vehicle index, order nodes in order, departure time."""

    vehicle: int
    nodes: tuple[int, ...]
    start: int


@dataclass(frozen=True, slots=True)
class EngineResult:
    """Routes and dropped order nodes found by an engine."""

    routes: tuple[EngineRoute, ...]
    dropped: tuple[int, ...]
    objective: int
    wall_time: float
    status: str


def _search_parameters(
    time_limit: float, first_solution: str, metaheuristic: str, n_orders: int
) -> pywrapcp.RoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, first_solution
    )
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic
    )
    params.time_limit.FromMilliseconds(max(int(time_limit * 1000), 1))
    # A stronger guided-local-search penalty than the default 0.1 escapes the
    # long-route local optima of wide-window instances: on R112, R211 and
    # RC208 at 10 s, 0.3 gave 987.8 / 777.8 / 800.5 against 999.0 / 849.3 /
    # 872.4 at 0.1 (0.05, 0.5 and 1.0 were worse on average).
    params.guided_local_search_lambda_coefficient = 0.3
    ops = params.local_search_operators
    # Large-neighbourhood insertion operators are slow on time-windowed
    # routes and rarely pay off within seconds; the classic moves do.
    for name in (
        "use_global_cheapest_insertion_path_lns",
        "use_local_cheapest_insertion_path_lns",
        "use_global_cheapest_insertion_visit_types_lns",
        "use_local_cheapest_insertion_visit_types_lns",
        "use_relocate_pair",
        "use_light_relocate_pair",
        "use_exchange_pair",
        "use_relocate_subtrip",
        "use_exchange_subtrip",
    ):
        setattr(ops, name, _BOOL_FALSE)
    return params


def _add_alternatives(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    local: dict[int, int],
    alternatives: Alternatives,
) -> None:
    """One disjunction per group, and the side constraints on visited nodes."""
    for group, penalty in zip(alternatives.groups, alternatives.penalties):
        indices = [manager.NodeToIndex(local[n]) for n in group if n in local]
        if not indices:
            continue
        cost = MANDATORY_PENALTY if penalty is None else penalty * COST_PER_CENT
        routing.AddDisjunction(indices, cost, 1)
    solver = routing.solver()
    for nodes, coefs, lower, upper in alternatives.limits:
        terms = [
            routing.ActiveVar(manager.NodeToIndex(local[n])) * c
            for n, c in zip(nodes, coefs)
            if n in local and c
        ]
        if not terms:
            continue
        total = solver.Sum(terms)
        if lower is not None:
            solver.Add(total >= lower)
        if upper is not None:
            solver.Add(total <= upper)


def solve(
    cp: CompiledProblem,
    nodes: Sequence[int],
    *,
    time_limit: float,
    seed: int = 0,
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION",
    metaheuristic: str = "GUIDED_LOCAL_SEARCH",
    initial_routes: Sequence[Sequence[int]] | None = None,
    on_solution: Callable[[int], None] | None = None,
    alternatives: Alternatives | None = None,
) -> EngineResult:
    """Solve the routing problem restricted to order ``nodes`` with OR-Tools.

    Parameters
    ----------
    cp
        The compiled problem.
    nodes
        Order nodes the engine may route (others are left out by the caller).
    time_limit
        Search time in seconds.
    seed
        OR-Tools has no seed; the seed permutes the order in which nodes are
        given to the model, which changes tie-breaking in the search. The
        same seed gives the same model.
    first_solution, metaheuristic
        Names of OR-Tools ``FirstSolutionStrategy`` and
        ``LocalSearchMetaheuristic`` values.
    initial_routes
        Optional warm start: per vehicle, a list of order nodes.
    on_solution
        Called with the objective of every improving solution.
    alternatives
        Delivery-option alternatives: groups of nodes of which at most one
        is visited, per-node costs, shared stops at one site and side
        constraints (see :class:`~optimizer.compiled.Alternatives`). A warm
        start is then needed in practice: first-solution heuristics rarely
        meet the side constraints.

    Returns
    -------
    EngineResult
    """
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    order_nodes = list(nodes)
    if seed:
        order_nodes = [order_nodes[i] for i in rng.permutation(len(order_nodes))]
    model_nodes = list(range(cp.n_depots)) + order_nodes  # model node -> compiled node
    n_vehicles = len(cp.vehicles)
    if not order_nodes or n_vehicles == 0:
        return EngineResult((), tuple(order_nodes), 0, time.perf_counter() - began, "empty")
    local = {node: k for k, node in enumerate(model_nodes)}
    manager = pywrapcp.RoutingIndexManager(
        len(model_nodes),
        n_vehicles,
        [local[s] for s in cp.start_node],
        [local[e] for e in cp.end_node],
    )
    routing = pywrapcp.RoutingModel(manager)
    index_nodes = np.array(
        [model_nodes[manager.IndexToNode(i)] for i in range(routing.Size() + n_vehicles)]
    )
    sub = np.ix_(index_nodes, index_nodes)

    # Arc costs and travel times, one matrix per vehicle class.
    cost_cache: dict[int, int] = {}
    time_cache: dict[str, int] = {}
    service = cp.service[index_nodes]
    extra_cost = np.zeros((len(index_nodes), 1), dtype=np.int64)
    extra_time = np.zeros((len(index_nodes), len(index_nodes)), dtype=np.int64)
    if alternatives is not None:
        extra_cost = alternatives.node_cost[index_nodes][:, None] * COST_PER_CENT
        site = alternatives.site[index_nodes]
        setup = alternatives.setup[index_nodes]
        extra_time = np.where(site[:, None] != site[None, :], setup[None, :], 0)
    for v, vehicle in enumerate(cp.vehicles):
        unit = cp.arc_cost_per_unit(vehicle)
        if unit not in cost_cache:
            matrix = (cp.arc[sub] * unit + extra_cost).tolist()
            cost_cache[unit] = routing.RegisterTransitMatrix(matrix)
        routing.SetArcCostEvaluatorOfVehicle(cost_cache[unit], v)
        type_id = vehicle.type.id
        if type_id not in time_cache:
            matrix = (cp.travel[type_id][sub] + service[:, None] + extra_time).tolist()
            time_cache[type_id] = routing.RegisterTransitMatrix(matrix)
        routing.SetFixedCostOfVehicle(vehicle.type.fixed_cost * COST_PER_CENT, v)

    horizon = cp.horizon()
    routing.AddDimensionWithVehicleTransits(
        [time_cache[v.type.id] for v in cp.vehicles], horizon, horizon, False, "time"
    )
    time_dim = routing.GetDimensionOrDie("time")
    for v, vehicle in enumerate(cp.vehicles):
        window = cp.start_window[v]
        start_var = time_dim.CumulVar(routing.Start(v))
        end_var = time_dim.CumulVar(routing.End(v))
        if window is None:
            continue  # shift and depot hours never overlap: no order may use it
        start_var.SetRange(window.start, window.end)
        end_var.SetRange(window.start, max(window.start, cp.end_latest[v]))
        per_second = cp.duration_cost_per_second(vehicle)
        if per_second:
            time_dim.SetSpanCostCoefficientForVehicle(per_second, v)
        if vehicle.type.max_duration is not None:
            time_dim.SetSpanUpperBoundForVehicle(vehicle.type.max_duration, v)
        routing.AddVariableMaximizedByFinalizer(start_var)
        routing.AddVariableMinimizedByFinalizer(end_var)

    for node in order_nodes:
        index = manager.NodeToIndex(local[node])
        windows = cp.windows[node]
        var = time_dim.CumulVar(index)
        var.SetRange(windows[0].start, windows[-1].end)
        for before, after in zip(windows, windows[1:]):
            var.RemoveInterval(before.end + 1, after.start - 1)

    demands = {
        "weight": (cp.demand_weight, [v.type.capacity_weight for v in cp.vehicles]),
        "volume": (cp.demand_volume, [v.type.capacity_volume for v in cp.vehicles]),
        "parcels": (cp.demand_parcels, [v.type.capacity_parcels for v in cp.vehicles]),
    }
    for name, (demand, capacities) in demands.items():
        values = demand[index_nodes]
        if not values.any():
            continue
        callback = routing.RegisterUnaryTransitVector(values.tolist())
        routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, name)

    max_stops = [v.type.max_stops for v in cp.vehicles]
    if any(m is not None for m in max_stops):
        ones = [0 if n < cp.n_depots else 1 for n in index_nodes.tolist()]
        if alternatives is None:
            callback = routing.RegisterUnaryTransitVector(ones)
        else:  # a stop is an arrival at a new site: consecutive nodes at one site count once
            site = alternatives.site[index_nodes]
            new_site = (site[:, None] != site[None, :]) * np.array(ones)[None, :]
            callback = routing.RegisterTransitMatrix(new_site.tolist())
        limit = len(order_nodes)
        routing.AddDimensionWithVehicleCapacity(
            callback, 0, [m if m is not None else limit for m in max_stops], True, "stops"
        )

    orders = cp.problem.orders
    for node in order_nodes:
        order = orders[node - cp.n_depots]
        index = manager.NodeToIndex(local[node])
        allowed = [
            v
            for v, vehicle in enumerate(cp.vehicles)
            if cp.start_window[v] is not None
            and order.allows(vehicle.type.id)
            and order.skills <= vehicle.type.skills
            and order.weight <= vehicle.type.capacity_weight
            and order.volume <= vehicle.type.capacity_volume
            and order.parcel_count <= vehicle.type.capacity_parcels
        ]
        if len(allowed) < n_vehicles:
            routing.VehicleVar(index).SetValues([-1, *allowed])
        if alternatives is None:
            penalty = MANDATORY_PENALTY if order.penalty is None else order.penalty * COST_PER_CENT
            routing.AddDisjunction([index], penalty)

    solver = routing.solver()
    if alternatives is not None:
        _add_alternatives(routing, manager, local, alternatives)
    for node in order_nodes:
        release = orders[node - cp.n_depots].release_time
        if release <= 0:
            continue
        index = manager.NodeToIndex(local[node])
        for v in range(n_vehicles):
            window = cp.start_window[v]
            if window is None or release <= window.start:
                continue
            # The vehicle carrying this order leaves once it is ready.
            on_v = solver.IsEqualCstVar(routing.VehicleVar(index), v)
            solver.Add(time_dim.CumulVar(routing.Start(v)) >= on_v * release)

    params = _search_parameters(time_limit, first_solution, metaheuristic, len(order_nodes))
    if alternatives is not None:
        ops = params.local_search_operators
        ops.use_extended_swap_active = _BOOL_TRUE
        ops.use_relocate_and_make_active = _BOOL_TRUE
        ops.use_exchange_and_make_active = _BOOL_TRUE
    if on_solution is not None:
        routing.AddAtSolutionCallback(lambda: on_solution(routing.CostVar().Max()))

    solution = None
    if initial_routes is not None:
        routes = [[manager.NodeToIndex(local[n]) for n in r if n in local] for r in initial_routes]
        routing.CloseModelWithParameters(params)
        start = routing.ReadAssignmentFromRoutes(routes, True)
        if start is not None:
            solution = routing.SolveFromAssignmentWithParameters(start, params)
        else:
            logger.info("warm start rejected by the OR-Tools model; solving from scratch")
    if solution is None:
        solution = routing.SolveWithParameters(params)
    status = str(routing.status())
    if solution is None:
        return EngineResult((), tuple(order_nodes), 0, time.perf_counter() - began, status)

    routes_out = []
    served: set[int] = set()
    for v in range(n_vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        route_nodes = []
        while not routing.IsEnd(index):
            route_nodes.append(model_nodes[manager.IndexToNode(index)])
            index = solution.Value(routing.NextVar(index))
        if route_nodes:
            start = solution.Value(time_dim.CumulVar(routing.Start(v)))
            routes_out.append(EngineRoute(v, tuple(route_nodes), int(start)))
            served.update(route_nodes)
    dropped = tuple(n for n in order_nodes if n not in served)
    return EngineResult(
        tuple(routes_out),
        dropped,
        int(solution.ObjectiveValue()),
        time.perf_counter() - began,
        status,
    )
