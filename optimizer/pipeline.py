"""``plan_day``: a daily batch in, a verified plan out."""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.check import Report, check_plan
from optimizer.domain.batch import Batch
from optimizer.domain.plans import Plan
from optimizer.domain.problems import RoutingProblem
from optimizer.kpis import Kpis, compute_kpis
from optimizer.routing import SolveParams, solve_routes


@dataclass(frozen=True, slots=True)
class DayPlan:
    """A planned day: the problem, the plan, the checker's report and KPIs."""

    batch: Batch
    problem: RoutingProblem
    plan: Plan
    report: Report
    kpis: Kpis


def plan_day(batch: Batch, params: SolveParams | None = None) -> DayPlan:
    """Route a day's batch and verify the plan.

    Parameters
    ----------
    batch
        Orders, depots, fleet and options.
    params
        Solve parameters; defaults to the batch's options.

    Returns
    -------
    DayPlan
        The plan has passed :func:`optimizer.check.check_plan`.
    """
    if params is None:
        params = SolveParams(
            time_limit=batch.options.time_limit, seed=batch.options.seed, engine="hybrid"
        )
    problem = batch.to_problem()
    plan = solve_routes(problem, params)
    report = check_plan(plan, problem)
    return DayPlan(batch, problem, plan, report, compute_kpis(plan, problem, report))
