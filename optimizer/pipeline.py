"""``plan_day``: a daily batch in, a verified plan out.

consolidate -> assign pickup points -> route -> check:

1. :func:`optimizer.consolidation.consolidate` merges the orders of one
   customer into shipments and packs order items into boxes.
2. Options are chosen per shipment in up to two ways, and the plan with the
   lower checked cost is kept (``BatchOptions.assignment``):

   * **sequential**: :func:`optimizer.assignment.assign_pickup_points` (a
     CP-SAT model on a routing-cost estimate), then stops are built
     (:func:`optimizer.consolidation.build_stops`: one stop per pickup
     point, per address) and routed with :func:`optimizer.routing.solve_routes`;
   * **integrated**: :func:`optimizer.integrated.assign_integrated` routes
     over every option at once, starting from the sequential plan.
3. The plan of stops is checked by :func:`optimizer.check.check_plan` and
   the delivery rules by :func:`optimizer.delivery_check.check_delivery`.
4. When orders have pickup options, the same batch is planned again with
   every order delivered home (the *baseline*) for comparison.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.assignment import assign_pickup_points
from optimizer.check import Report, check_plan
from optimizer.consolidation import Consolidation, Stops, build_stops, consolidate
from optimizer.delivery_check import DeliveryReport, check_delivery
from optimizer.domain.batch import Batch
from optimizer.domain.delivery import Assignment, Candidate, OptionKind
from optimizer.domain.plans import Plan, Reason, Unassigned
from optimizer.domain.problems import RoutingProblem
from optimizer.integrated import assign_integrated
from optimizer.kpis import DeliveryKpis, Kpis, compute_delivery_kpis, compute_kpis
from optimizer.routing import PlanCheckError, SolveParams, plan_from_routes, solve_routes
from optimizer.travel.geodesic import GeodesicProvider
from optimizer.zones import ZoneRules

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The same batch planned with every order delivered home.

    Attributes
    ----------
    stops
        Stops routed.
    kpis
        Figures of the baseline plan.
    """

    stops: int
    kpis: Kpis


@dataclass(frozen=True, slots=True)
class DayPlan:
    """A planned day.

    Attributes
    ----------
    batch
        The batch as read.
    problem
        The routing problem of the stops (one problem order per stop).
    plan
        The plan of stops; passed :func:`optimizer.check.check_plan`.
    report
        The checker's report on ``plan``.
    kpis
        Figures of ``plan``.
    consolidation
        Shipments, packings and the consolidation report.
    assignment
        The option chosen per shipment, with explanations.
    stops
        Stop id -> shipments and site.
    delivery
        The delivery-rule check (options, pickup capacities, quota, zones).
    unassigned
        Every batch order not delivered, with a reason.
    delivery_kpis
        Pickup share, first-choice share, parcels per stop, and stops, km and
        CO2 against the all-home baseline.
    baseline
        The all-home plan of the same batch, when orders have pickup options.
    costs
        Checked total cost in cents of each method tried.
    """

    batch: Batch
    problem: RoutingProblem
    plan: Plan
    report: Report
    kpis: Kpis
    consolidation: Consolidation
    assignment: Assignment
    stops: Stops
    delivery: DeliveryReport
    unassigned: tuple[Unassigned, ...]
    delivery_kpis: DeliveryKpis
    baseline: Baseline | None = None
    costs: Mapping[str, int] = dataclasses.field(default_factory=dict)

    @property
    def stop_orders(self) -> dict[str, tuple[str, ...]]:
        """Stop id -> batch order ids delivered there."""
        return _stop_orders(self.consolidation, self.stops)


def _stop_orders(cons: Consolidation, stops: Stops) -> dict[str, tuple[str, ...]]:
    return {
        stop_id: tuple(o for s in shipments for o in cons.members[s])
        for stop_id, shipments in stops.members.items()
    }


@dataclass(frozen=True, slots=True)
class _Trial:
    method: str
    assignment: Assignment
    stops: Stops
    problem: RoutingProblem
    plan: Plan
    report: Report
    kpis: Kpis
    cost: int


def _stop_problem(batch: Batch, stops: Stops) -> RoutingProblem:
    return RoutingProblem.build(
        batch.name,
        stops.orders,
        batch.depots,
        batch.fleet,
        GeodesicProvider(batch.options.detour_factor),
        arc_scale=1.0,
        arc_rounding="round",
        co2_price=batch.options.co2_price,
    )


def _option_cost(batch: Batch, assignment: Assignment, stops: Stops, plan: Plan) -> int:
    """Option and preference costs of the shipments on routed stops."""
    routed = set(plan.routed_order_ids)
    on_route = {s for stop in routed for s in stops.members[stop]}
    rank_cost = batch.options.rank_cost
    return sum(
        c.candidate.cost + rank_cost * c.candidate.rank
        for c in assignment.choices
        if c.shipment_id in on_route
    )


def _trial(
    method: str,
    batch: Batch,
    assignment: Assignment,
    stops: Stops,
    problem: RoutingProblem,
    plan: Plan,
) -> _Trial:
    report = check_plan(plan, problem)
    if not report.feasible:
        raise PlanCheckError(plan, report)
    kpis = compute_kpis(plan, problem, report)
    carbon = round(kpis.co2_kg * batch.options.co2_price / 1000)
    cost = (
        kpis.total_cost + kpis.penalty_cost + carbon + _option_cost(batch, assignment, stops, plan)
    )
    return _Trial(method, assignment, stops, problem, plan, report, kpis, cost)


def _rank(trial: _Trial) -> tuple[int, int, int]:
    return (trial.kpis.mandatory_unassigned, trial.kpis.orders_unassigned, trial.cost)


def _sequential(
    batch: Batch,
    cons: Consolidation,
    rules: ZoneRules,
    params: SolveParams,
    assign_time: float,
) -> _Trial:
    assignment = assign_pickup_points(
        batch, cons.shipments, cons.members, time_limit=assign_time, seed=params.seed
    )
    choices = {c.shipment_id: c.candidate for c in assignment.choices}
    stops = build_stops(batch, cons, choices, rules=rules)
    problem = _stop_problem(batch, stops)
    plan = solve_routes(problem, params)
    return _trial("sequential", batch, assignment, stops, problem, plan)


def _integrated(
    batch: Batch,
    cons: Consolidation,
    rules: ZoneRules,
    start: _Trial,
    time_limit: float,
    seed: int,
) -> _Trial | None:
    sites = {c.shipment_id: c.candidate.site for c in start.assignment.choices}
    initial = {
        route.vehicle_id: [
            (s, sites[s]) for stop in route.order_ids for s in start.stops.members[stop]
        ]
        for route in start.plan.routes
    }
    found = assign_integrated(
        batch, cons.shipments, cons.members, initial=initial, time_limit=time_limit, seed=seed
    )
    if found is None:
        logger.info("integrated assignment found no plan; keeping the sequential one")
        return None
    choices: dict[str, Candidate] = {c.shipment_id: c.candidate for c in found.assignment.choices}
    split: dict[str, object] = dict(found.runs)
    for shipment_id in choices:
        split.setdefault(shipment_id, ("unrouted", shipment_id))
    stops = build_stops(batch, cons, choices, split=split, rules=rules)
    stop_of = {s: stop for stop, members in stops.members.items() for s in members}
    routes = {
        vehicle_id: list(dict.fromkeys(stop_of[s] for s in shipments))
        for vehicle_id, shipments in found.routes.items()
    }
    problem = _stop_problem(batch, stops)
    try:
        plan = plan_from_routes(
            problem, routes, {"engine": "ortools", "engines_run": "ortools (integrated)"}
        )
    except ValueError as exc:
        logger.warning("integrated routes rejected at stop level: %s", exc)
        return None
    return _trial("integrated", batch, found.assignment, stops, problem, plan)


def _order_unassigned(trial: _Trial, cons: Consolidation, batch: Batch) -> tuple[Unassigned, ...]:
    out: list[Unassigned] = []
    for entry in trial.plan.unassigned:
        for shipment_id in trial.stops.members[entry.order_id]:
            for order_id in cons.members[shipment_id]:
                out.append(Unassigned(order_id, entry.reason, entry.detail))
    for shipment_id, detail in trial.assignment.unserved:
        shipment = cons.shipment(shipment_id)
        reason = Reason.NO_OPTION
        if not any(shipment.skills <= vt.skills for vt in batch.fleet.types if vt.count):
            reason = Reason.SKILLS  # no vehicle anywhere could serve it, whatever the option
        for order_id in cons.members[shipment_id]:
            out.append(Unassigned(order_id, reason, detail))
    rank = {o.id: k for k, o in enumerate(batch.orders)}
    return tuple(sorted(out, key=lambda u: rank.get(u.order_id, 0)))


def _has_pickup_options(batch: Batch) -> bool:
    return bool(batch.pickup_points) and any(
        option.kind != "home" for order in batch.orders for option in order.options
    )


def all_home(batch: Batch) -> Batch:
    """The same batch with every order delivered home and no first-choice quota."""
    return dataclasses.replace(
        batch,
        orders=tuple(dataclasses.replace(o, options=()) for o in batch.orders),
        options=dataclasses.replace(batch.options, min_first_choice_pct=0),
    )


def plan_day(batch: Batch, params: SolveParams | None = None, *, baseline: bool = True) -> DayPlan:
    """Consolidate, assign delivery options, route and check a day's batch.

    Parameters
    ----------
    batch
        Orders, pickup points, zones, depots, fleet and options.
    params
        Solve parameters; defaults to the batch's options. The time limit
        is shared between the assignment methods and the baseline.
    baseline
        Also plan the all-home baseline when orders have pickup options.

    Returns
    -------
    DayPlan
        The plan passed :func:`optimizer.check.check_plan`; its delivery
        rules are in :attr:`DayPlan.delivery`.

    Raises
    ------
    PlanCheckError
        When a checker finds a violation other than an unreachable quota
        (a solver bug, never bad input).
    """
    if params is None:
        params = SolveParams(
            time_limit=batch.options.time_limit, seed=batch.options.seed, engine="hybrid"
        )
    total = params.time_limit
    options = _has_pickup_options(batch)
    method = batch.options.assignment if options else "sequential"
    cons = consolidate(batch)
    rules = ZoneRules(batch.zones, batch.fleet)
    if options:
        shares = {"assign": 0.05, "route": 0.45, "integrated": 0.3, "baseline": 0.2}
        if method == "sequential":
            shares = {"assign": 0.05, "route": 0.7, "integrated": 0.0, "baseline": 0.25}
        if not baseline:
            shares = {k: v / (1 - shares["baseline"]) for k, v in shares.items()}
            shares["baseline"] = 0.0
    else:
        shares = {"assign": 0.0, "route": 1.0, "integrated": 0.0, "baseline": 0.0}
    route_params = dataclasses.replace(params, time_limit=max(total * shares["route"], 0.5))
    best = _sequential(batch, cons, rules, route_params, max(total * shares["assign"], 0.5))
    costs = {"sequential": best.cost}
    if options and method in ("best", "integrated"):
        found = _integrated(
            batch, cons, rules, best, max(total * shares["integrated"], 0.5), params.seed
        )
        if found is not None:
            costs["integrated"] = found.cost
            if method == "integrated" or _rank(found) < _rank(best):
                best = found
    stop_orders = _stop_orders(cons, best.stops)
    unserved = [o for s, _ in best.assignment.unserved for o in cons.members[s]]
    delivery = check_delivery(
        batch, best.problem, best.plan, best.report, stop_orders, best.stops.sites, unserved
    )
    broken = [v for v in delivery.violations if v.code != "quota"]
    if broken:
        raise PlanCheckError(best.plan, delivery)
    home = None
    if options and baseline:
        home_batch = all_home(batch)
        home_params = dataclasses.replace(params, time_limit=max(total * shares["baseline"], 0.5))
        home_trial = _sequential(home_batch, consolidate(home_batch), rules, home_params, 0.5)
        home = Baseline(sum(len(r.stops) for r in home_trial.report.routes), home_trial.kpis)
    plan = dataclasses.replace(
        best.plan, meta={**best.plan.meta, "assignment": best.method, "costs_cents": costs}
    )
    return DayPlan(
        batch=batch,
        problem=best.problem,
        plan=plan,
        report=best.report,
        kpis=best.kpis,
        consolidation=cons,
        assignment=best.assignment,
        stops=best.stops,
        delivery=delivery,
        unassigned=_order_unassigned(best, cons, batch),
        delivery_kpis=compute_delivery_kpis(
            best.kpis,
            best.report,
            orders=delivery.orders,
            first_choice_orders=delivery.first_choice_orders,
            pickup_parcels=delivery.pickup_parcels,
            parcels_saved=cons.report.parcels_saved,
            box_fill_rate=cons.report.box_fill_rate,
            baseline=None if home is None else (home.stops, home.kpis),
        ),
        baseline=home,
        costs=costs,
    )


@dataclass(frozen=True, slots=True)
class DayCheck:
    """A plan of stops re-checked against its batch (see :func:`check_day_plan`)."""

    problem: RoutingProblem
    report: Report
    delivery: DeliveryReport
    kpis: Kpis


def check_day_plan(
    batch: Batch, plan: Plan, stop_sites: Mapping[str, tuple[str, tuple[str, ...]]]
) -> DayCheck:
    """Re-check a plan of stops, such as one a carrier edited, against its batch.

    The stops are rebuilt from the batch: the batch is consolidated again
    (deterministically), each listed stop delivers its shipments at its
    site, and the routing and delivery rules are checked with no solver.

    Parameters
    ----------
    batch
        The batch the plan answers.
    plan
        Routes of stop ids, and stops left unassigned.
    stop_sites
        Stop id -> ``(site, shipment ids)``, as in the plan's ``delivery.stops``.

    Returns
    -------
    DayCheck

    Raises
    ------
    ValueError
        When a stop names an unknown shipment or pickup point.
    """
    cons = consolidate(batch)
    points = {p.id: p for p in batch.pickup_points}
    choices: dict[str, Candidate] = {}
    split: dict[str, object] = {}
    for stop_id, (site, shipment_ids) in stop_sites.items():
        for shipment_id in shipment_ids:
            try:
                shipment = cons.shipment(shipment_id)
            except KeyError:
                raise ValueError(f"stop {stop_id!r}: unknown shipment {shipment_id!r}") from None
            if site == "home":
                where, windows, kind = shipment.location, shipment.time_windows, OptionKind.HOME
            elif site in points:
                point = points[site]
                where, windows, kind = point.location, point.opening, OptionKind.PICKUP_POINT
            else:
                raise ValueError(f"stop {stop_id!r}: unknown pickup point {site!r}")
            choices[shipment_id] = Candidate(shipment_id, 0, kind, 0, 0, site, where, windows)
            split[shipment_id] = stop_id
    built = build_stops(batch, cons, choices, split=split)
    rename: dict[str, str] = {}
    for new_id, members in built.members.items():
        rename[new_id] = split[members[0]]  # type: ignore[assignment]
    stops = Stops(
        tuple(dataclasses.replace(o, id=rename[o.id]) for o in built.orders),
        {rename[k]: v for k, v in built.members.items()},
        {rename[k]: v for k, v in built.sites.items()},
    )
    problem = _stop_problem(batch, stops)
    report = check_plan(plan, problem)
    placed = {s for members in stops.members.values() for s in members}
    unserved = [o for s, oids in cons.members.items() if s not in placed for o in oids]
    delivery = check_delivery(
        batch, problem, plan, report, _stop_orders(cons, stops), stops.sites, unserved
    )
    return DayCheck(problem, report, delivery, compute_kpis(plan, problem, report))
