"""``solve_routes``: the vehicle routing verb."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from optimizer.compiled import COST_PER_CENT, CompiledProblem
from optimizer.domain.plans import Plan, Reason, Route, Unassigned, Visit
from optimizer.domain.problems import RoutingProblem
from optimizer.reasons import best_insertion, diagnose
from optimizer.schedule import Timing, evaluate, forward, route_cost

logger = logging.getLogger(__name__)

ENGINES = ("ortools", "pyvrp", "hybrid")


@dataclass(frozen=True, slots=True)
class SolveParams:
    """How to solve.

    Parameters
    ----------
    time_limit
        Search time in seconds.
    seed
        Random seed; the same seed and time limit give the same model.
    engine
        ``"ortools"`` (all constraints), ``"pyvrp"`` (PyVRP's hybrid genetic
        search, for problems it can express) or ``"hybrid"`` (PyVRP for
        most of the time, then OR-Tools guided local search from its best
        solution; OR-Tools alone when PyVRP cannot express the problem).
    first_solution, metaheuristic
        OR-Tools strategy names.
    """

    time_limit: float = 10.0
    seed: int = 0
    engine: str = "ortools"
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    on_progress: Callable[[int], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.time_limit > 0:
            raise ValueError(f"time_limit must be > 0, got {self.time_limit}")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")


class PlanCheckError(RuntimeError):
    """The checker rejected a plan an engine produced (a bug, never bad input)."""

    def __init__(self, plan: Plan, report: object) -> None:
        self.plan = plan
        self.report = report
        super().__init__(f"the checker rejected the plan: {report}")


def _timing(cp: CompiledProblem, v: int, nodes: tuple[int, ...], start: int) -> Timing:
    timing = evaluate(cp, v, nodes)
    if isinstance(timing, Timing):
        return timing
    fallback = forward(cp, v, nodes, start)
    if isinstance(fallback, Timing):
        return fallback
    raise RuntimeError(f"engine returned an infeasible route for {cp.vehicles[v].id}")


def _run_engine(
    cp: CompiledProblem, nodes: list[int], params: SolveParams
) -> tuple[dict[int, tuple[int, ...]], str]:
    """Routes found by the engine(s), and which engines ran."""
    from optimizer.engines import ortools_routing

    used = "ortools"

    initial = None
    budget = params.time_limit
    if params.engine in ("pyvrp", "hybrid"):
        from optimizer.engines import pyvrp_routing

        if pyvrp_routing.supports(cp, nodes):
            share = 1.0 if params.engine == "pyvrp" else 0.7
            routes = pyvrp_routing.solve(cp, nodes, time_limit=budget * share, seed=params.seed)
            if params.engine == "pyvrp":
                return routes, "pyvrp"
            used = "pyvrp+ortools"
            if routes:  # otherwise PyVRP found nothing feasible: OR-Tools starts afresh
                initial = [list(routes.get(v, ())) for v in range(len(cp.vehicles))]
            budget *= 1 - share
        else:
            logger.info("PyVRP cannot express this problem; using OR-Tools alone")
    result = ortools_routing.solve(
        cp,
        nodes,
        time_limit=budget,
        seed=params.seed,
        first_solution=params.first_solution,
        metaheuristic=params.metaheuristic,
        initial_routes=initial,
        on_solution=params.on_progress,
    )
    return {r.vehicle: r.nodes for r in result.routes}, used


def _unprofitable(cp: CompiledProblem, routes: dict[int, tuple[int, ...]]) -> list[int]:
    """Remove optional orders whose removal saves more than their penalty.

    A local search may stop with such an order still routed; removing it is
    a pure gain. Repeats until no removal pays. Updates ``routes`` in place.
    """
    orders = cp.problem.orders
    removed: list[int] = []
    changed = True
    while changed:
        changed = False
        for v, nodes in list(routes.items()):
            timing = evaluate(cp, v, nodes)
            if isinstance(timing, Reason):
                continue
            cost = route_cost(cp, v, nodes, timing)
            best_gain, best_node, best_rest = 0, -1, nodes
            for node in nodes:
                penalty = orders[node - cp.n_depots].penalty
                if penalty is None:
                    continue
                rest = tuple(n for n in nodes if n != node)
                rest_timing = evaluate(cp, v, rest) if rest else None
                if isinstance(rest_timing, Reason):
                    continue
                rest_cost = route_cost(cp, v, rest, rest_timing) if rest_timing else 0
                gain = cost - rest_cost - penalty * COST_PER_CENT
                if gain > best_gain:
                    best_gain, best_node, best_rest = gain, node, rest
            if best_node >= 0:
                routes[v] = best_rest
                removed.append(best_node)
                changed = True
    return removed


def solve_routes(problem: RoutingProblem, params: SolveParams | None = None) -> Plan:
    """Route the orders of ``problem`` and explain every order left out.

    Orders that no vehicle could serve even alone are set aside before the
    search. After it, a mandatory order the engine dropped is inserted at
    its cheapest feasible position when one exists; every order still left
    out gets a reason from :func:`optimizer.reasons.diagnose`. The plan is
    then verified by :func:`optimizer.check.check_plan`.

    Parameters
    ----------
    problem
        What to solve.
    params
        Time limit, seed and engine.

    Returns
    -------
    Plan
        Routes with earliest, shortest-duration schedules, and unassigned
        orders with reasons.

    Raises
    ------
    PlanCheckError
        When the independent checker finds a violation (a solver bug).
    """
    from optimizer.check import check_plan

    params = params or SolveParams()
    cp = CompiledProblem.from_problem(problem)
    all_nodes = [cp.order_node(k) for k in range(len(problem.orders))]
    candidates = []
    unassigned: dict[int, tuple[Reason, str]] = {}
    for node in all_nodes:
        insertion, _ = best_insertion(cp, node, {})
        if insertion is None:
            unassigned[node] = diagnose(cp, node, {})
        else:
            candidates.append(node)
    routes, used = _run_engine(cp, candidates, params) if candidates else ({}, "none")
    served = {n for nodes in routes.values() for n in nodes}
    dropped = [n for n in candidates if n not in served]
    for node in dropped:  # repair: mandatory orders go wherever they fit
        if problem.orders[node - cp.n_depots].required:
            insertion, _ = best_insertion(cp, node, routes)
            if insertion is not None:
                routes[insertion.vehicle] = insertion.nodes
                served.add(node)
    for node in _unprofitable(cp, routes):
        dropped.append(node)
        served.discard(node)
    for node in dropped:
        if node not in served:
            unassigned[node] = diagnose(cp, node, routes)

    plan = _build_plan(
        cp,
        routes,
        unassigned,
        {
            "engine": params.engine,
            "engines_run": used,
            "time_limit_s": params.time_limit,
            "seed": params.seed,
        },
    )
    report = check_plan(plan, problem)
    if not report.feasible:
        raise PlanCheckError(plan, report)
    return plan


def _build_plan(
    cp: CompiledProblem,
    routes: dict[int, tuple[int, ...]],
    unassigned: dict[int, tuple[Reason, str]],
    meta: dict[str, object],
) -> Plan:
    """A plan with earliest, shortest-duration schedules for engine routes."""
    problem = cp.problem
    out_routes = []
    for v in sorted(routes):
        nodes = routes[v]
        if not nodes:
            continue
        timing = _timing(cp, v, nodes, cp.start_window[v].start)  # type: ignore[union-attr]
        visits = tuple(
            Visit(problem.orders[n - cp.n_depots].id, a, s, d)
            for n, a, s, d in zip(nodes, timing.arrivals, timing.starts, timing.departures)
        )
        out_routes.append(Route(cp.vehicles[v].id, visits, timing.start, timing.end))
    return Plan(
        routes=tuple(out_routes),
        unassigned=tuple(
            Unassigned(problem.orders[n - cp.n_depots].id, reason, detail)
            for n, (reason, detail) in sorted(unassigned.items())
        ),
        meta=meta,
    )


def plan_from_routes(
    problem: RoutingProblem,
    routes: Mapping[str, Sequence[str]],
    meta: Mapping[str, object] | None = None,
) -> Plan:
    """Schedule given routes and explain every order they leave out.

    Parameters
    ----------
    problem
        The problem the routes answer.
    routes
        Vehicle id -> order ids in visit order.
    meta
        Facts about how the routes were found.

    Returns
    -------
    Plan
        Routes with earliest, shortest-duration schedules; orders on no
        route are unassigned with a reason from
        :func:`optimizer.reasons.diagnose`.

    Raises
    ------
    ValueError
        When a vehicle or order is unknown, an order is routed twice or a
        route breaks a constraint.
    """
    cp = CompiledProblem.from_problem(problem)
    vehicle_index = {v.id: k for k, v in enumerate(cp.vehicles)}
    node_of = {o.id: cp.order_node(k) for k, o in enumerate(problem.orders)}
    nodes_by_vehicle: dict[int, tuple[int, ...]] = {}
    seen: set[int] = set()
    for vehicle_id, order_ids in routes.items():
        if vehicle_id not in vehicle_index:
            raise ValueError(f"unknown vehicle {vehicle_id!r}")
        nodes = []
        for order_id in order_ids:
            if order_id not in node_of:
                raise ValueError(f"unknown order {order_id!r}")
            node = node_of[order_id]
            if node in seen:
                raise ValueError(f"order {order_id!r} is routed twice")
            seen.add(node)
            nodes.append(node)
        if nodes:
            v = vehicle_index[vehicle_id]
            if isinstance(evaluate(cp, v, nodes), Reason):
                raise ValueError(f"route of {vehicle_id!r} breaks a constraint")
            nodes_by_vehicle[v] = tuple(nodes)
    unassigned = {
        node: diagnose(cp, node, nodes_by_vehicle) for node in node_of.values() if node not in seen
    }
    return _build_plan(cp, nodes_by_vehicle, unassigned, dict(meta or {}))
