"""Key figures of a checked plan: cost, distance, time, utilisation, CO2.

:func:`compute_kpis` reads the recomputed figures of a
:class:`~optimizer.check.Report`, never the plan's own times, so the KPIs of a
plan a carrier edited are as trustworthy as those of a solver's plan.

Units follow the travel provider. For a geographic problem
(``distance_unit == "m"``) distances are metres and times seconds, and the
KPIs also give kilometres and hours. For a planar benchmark problem distances
and times are in the instance's own units; the kilometre and hour figures are
then ``None``, and the cost and CO2 formulas read one instance distance unit
as one metre and one instance time unit as one second.

A vehicle is *used* when its route has at least one visit; only used
vehicles pay their fixed cost and count in the utilisation figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optimizer.check import Report, RouteReport
from optimizer.domain.fleet import VehicleType
from optimizer.domain.plans import Plan
from optimizer.domain.problems import RoutingProblem
from optimizer.domain.units import METRES_PER_KM, SECONDS_PER_HOUR

GRAMS_PER_KG = 1000


@dataclass(frozen=True, slots=True)
class Utilisation:
    """Load over capacity, per dimension, or ``None`` when undefined.

    Parameters
    ----------
    weight, volume, parcels
        Ratios in ``[0, 1]`` for a feasible plan (above 1 when overloaded).
    """

    weight: float | None
    volume: float | None
    parcels: float | None


@dataclass(frozen=True, slots=True)
class RouteKpis:
    """Key figures of one route, aligned with :attr:`Report.routes`.

    Parameters
    ----------
    vehicle_id
        The vehicle driving the route.
    used
        Whether the route has at least one visit.
    cost
        Fixed, distance and time cost in cents, rounded to the nearest cent.
    co2_kg
        Kilograms of CO2 emitted.
    """

    vehicle_id: str
    used: bool
    cost: int
    co2_kg: float


@dataclass(frozen=True, slots=True)
class Kpis:
    """Key figures of a plan.

    Parameters
    ----------
    total_cost
        Cents: fixed cost of used vehicles plus distance and time costs,
        summed in floating point, then rounded.
    fixed_cost, distance_cost, time_cost
        The three parts of ``total_cost``, each rounded on its own.
    penalty_cost
        Cents: penalties of optional orders left unassigned (not included in
        ``total_cost``).
    distance, distance_unit
        Total distance in the travel provider's unit.
    distance_km
        Total distance in kilometres, or ``None`` when the unit is not metres.
    driving_time, service_time, waiting_time, route_time
        Sums over routes, in the problem's time unit (``route_time`` sums
        route durations, departure to return).
    time_unit
        ``"s"`` for geographic problems, ``"unit"`` otherwise.
    vehicles_used, vehicles_available
        Routes with visits, and vehicles in the fleet.
    orders, orders_routed, orders_unassigned, mandatory_unassigned
        Order counts: all orders of the problem, distinct known orders on
        checked routes, distinct known orders left out, and the mandatory
        ones among those left out.
    parcels_delivered
        Parcels on routes.
    utilisation_mean
        Mean over used vehicles of load over capacity (vehicles with a zero
        capacity in a dimension are left out of that dimension's mean).
    utilisation_overall
        Total load over total capacity of used vehicles.
    on_time_share
        Share of routed stops whose service starts inside a window, or
        ``None`` when nothing is routed.
    co2_kg
        Kilograms of CO2 over all routes.
    co2_g_per_parcel
        Grams of CO2 per parcel delivered, or ``None`` when none is.
    routes
        Per-route figures, aligned with :attr:`Report.routes`.
    """

    total_cost: int
    fixed_cost: int
    distance_cost: int
    time_cost: int
    penalty_cost: int
    distance: float
    distance_unit: str
    distance_km: float | None
    driving_time: float
    service_time: float
    waiting_time: float
    route_time: float
    time_unit: str
    vehicles_used: int
    vehicles_available: int
    orders: int
    orders_routed: int
    orders_unassigned: int
    mandatory_unassigned: int
    parcels_delivered: int
    utilisation_mean: Utilisation
    utilisation_overall: Utilisation
    on_time_share: float | None
    co2_kg: float
    co2_g_per_parcel: float | None
    routes: tuple[RouteKpis, ...]

    def _hours(self, value: float) -> float | None:
        return value / SECONDS_PER_HOUR if self.time_unit == "s" else None

    def as_dict(self) -> dict[str, Any]:
        """Flat, JSON-ready figures; keys name their unit.

        Money stays in cents (``*_cents``); :mod:`optimizer.formats` converts
        it for users. Hour figures are ``None`` unless times are seconds.
        """
        return {
            "total_cost_cents": self.total_cost,
            "fixed_cost_cents": self.fixed_cost,
            "distance_cost_cents": self.distance_cost,
            "time_cost_cents": self.time_cost,
            "penalty_cost_cents": self.penalty_cost,
            "distance": self.distance,
            "distance_unit": self.distance_unit,
            "distance_km": self.distance_km,
            "driving_time": self.driving_time,
            "service_time": self.service_time,
            "waiting_time": self.waiting_time,
            "route_time": self.route_time,
            "time_unit": self.time_unit,
            "driving_hours": self._hours(self.driving_time),
            "service_hours": self._hours(self.service_time),
            "waiting_hours": self._hours(self.waiting_time),
            "route_hours": self._hours(self.route_time),
            "vehicles_used": self.vehicles_used,
            "vehicles_available": self.vehicles_available,
            "orders": self.orders,
            "orders_routed": self.orders_routed,
            "orders_unassigned": self.orders_unassigned,
            "mandatory_unassigned": self.mandatory_unassigned,
            "parcels_delivered": self.parcels_delivered,
            "utilisation_weight_mean": self.utilisation_mean.weight,
            "utilisation_volume_mean": self.utilisation_mean.volume,
            "utilisation_parcels_mean": self.utilisation_mean.parcels,
            "utilisation_weight": self.utilisation_overall.weight,
            "utilisation_volume": self.utilisation_overall.volume,
            "utilisation_parcels": self.utilisation_overall.parcels,
            "on_time_share": self.on_time_share,
            "co2_kg": self.co2_kg,
            "co2_g_per_parcel": self.co2_g_per_parcel,
            "co2_kg_per_route": {r.vehicle_id: r.co2_kg for r in self.routes},
        }


def compute_kpis(plan: Plan, problem: RoutingProblem, report: Report) -> Kpis:
    """Compute the key figures of a plan from its check report.

    Parameters
    ----------
    plan
        The plan (for its unassigned orders).
    problem
        The problem it answers (for costs, capacities and penalties).
    report
        ``check_plan(plan, problem)``: the recomputed routes.

    Returns
    -------
    Kpis
        The figures; see the module docstring for units.
    """
    types = {v.id: v.type for v in problem.vehicles}
    orders = problem.order_by_id()
    geographic = problem.travel.distance_unit == "m"

    fixed = distance_cost = time_cost = co2_g = 0.0
    per_route: list[RouteKpis] = []
    used: list[tuple[RouteReport, VehicleType]] = []
    for rr in report.routes:
        vt = types[rr.vehicle_id]
        is_used = bool(rr.stops)
        km = rr.distance / METRES_PER_KM
        parts = (
            vt.fixed_cost if is_used else 0.0,
            vt.cost_per_km * km,
            vt.cost_per_hour * rr.duration / SECONDS_PER_HOUR,
        )
        route_co2 = vt.co2_per_km * km
        fixed += parts[0]
        distance_cost += parts[1]
        time_cost += parts[2]
        co2_g += route_co2
        per_route.append(RouteKpis(rr.vehicle_id, is_used, round(sum(parts)), route_co2 / 1000))
        if is_used:
            used.append((rr, vt))

    stops = [s for rr in report.routes for s in rr.stops]
    parcels = sum(rr.parcels for rr in report.routes)
    unassigned = [
        orders[i] for i in dict.fromkeys(u.order_id for u in plan.unassigned) if i in orders
    ]
    distance = report.total_distance
    return Kpis(
        total_cost=round(fixed + distance_cost + time_cost),
        fixed_cost=round(fixed),
        distance_cost=round(distance_cost),
        time_cost=round(time_cost),
        penalty_cost=sum(o.penalty for o in unassigned if o.penalty is not None),
        distance=distance,
        distance_unit=problem.travel.distance_unit,
        distance_km=distance / METRES_PER_KM if geographic else None,
        driving_time=sum(rr.driving_time for rr in report.routes),
        service_time=sum(rr.service_time for rr in report.routes),
        waiting_time=sum(rr.waiting_time for rr in report.routes),
        route_time=sum(rr.duration for rr in report.routes),
        time_unit="s" if geographic else "unit",
        vehicles_used=len(used),
        vehicles_available=len(problem.vehicles),
        orders=len(problem.orders),
        orders_routed=len({s.order_id for s in stops}),
        orders_unassigned=len(unassigned),
        mandatory_unassigned=len(report.unassigned_mandatory),
        parcels_delivered=parcels,
        utilisation_mean=_utilisation_mean(used),
        utilisation_overall=_utilisation_overall(used),
        on_time_share=sum(s.on_time for s in stops) / len(stops) if stops else None,
        co2_kg=co2_g / GRAMS_PER_KG,
        co2_g_per_parcel=co2_g / parcels if parcels else None,
        routes=tuple(per_route),
    )


def _loads(rr: RouteReport, vt: VehicleType) -> tuple[tuple[int, int], ...]:
    """(load, capacity) for weight, volume and parcels."""
    return (
        (rr.weight, vt.capacity_weight),
        (rr.volume, vt.capacity_volume),
        (rr.parcels, vt.capacity_parcels),
    )


def _utilisation_mean(used: list[tuple[RouteReport, VehicleType]]) -> Utilisation:
    ratios: list[list[float]] = [[], [], []]
    for rr, vt in used:
        for k, (load, capacity) in enumerate(_loads(rr, vt)):
            if capacity > 0:
                ratios[k].append(load / capacity)
    weight, volume, parcels = (sum(r) / len(r) if r else None for r in ratios)
    return Utilisation(weight, volume, parcels)


def _utilisation_overall(used: list[tuple[RouteReport, VehicleType]]) -> Utilisation:
    totals = [[0, 0], [0, 0], [0, 0]]
    for rr, vt in used:
        for k, (load, capacity) in enumerate(_loads(rr, vt)):
            totals[k][0] += load
            totals[k][1] += capacity
    weight, volume, parcels = (load / cap if cap > 0 else None for load, cap in totals)
    return Utilisation(weight, volume, parcels)


@dataclass(frozen=True, slots=True)
class DeliveryKpis:
    """Delivery-option and consolidation figures of a day, against an all-home baseline.

    Parameters
    ----------
    orders
        Orders in the batch.
    stops
        Routed stops.
    parcels
        Parcels on routed stops.
    pickup_parcel_share
        Parcels delivered to pickup points over all delivered parcels.
    first_choice_share
        Orders assigned their first-choice option over all orders.
    parcels_per_stop
        Delivered parcels per routed stop.
    parcels_saved, box_fill_rate
        From consolidation: parcels saved by packing orders of one customer
        together, and the boxes' volume fill rate.
    distance_km, co2_kg, cost
        Of the plan (cost in cents: vehicles, distance, time).
    baseline_stops, baseline_distance_km, baseline_co2_kg, baseline_cost
        The same figures with every order delivered home, or ``None`` when
        no baseline was planned.
    """

    orders: int
    stops: int
    parcels: int
    pickup_parcel_share: float | None
    first_choice_share: float | None
    parcels_per_stop: float | None
    parcels_saved: int
    box_fill_rate: float
    distance_km: float | None
    co2_kg: float
    cost: int
    baseline_stops: int | None = None
    baseline_distance_km: float | None = None
    baseline_co2_kg: float | None = None
    baseline_cost: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Flat, JSON-ready figures (money in cents)."""
        return {
            "orders": self.orders,
            "stops": self.stops,
            "parcels": self.parcels,
            "pickup_parcel_share": self.pickup_parcel_share,
            "first_choice_share": self.first_choice_share,
            "parcels_per_stop": self.parcels_per_stop,
            "parcels_saved": self.parcels_saved,
            "box_fill_rate": self.box_fill_rate,
            "distance_km": self.distance_km,
            "co2_kg": self.co2_kg,
            "cost_cents": self.cost,
            "baseline_stops": self.baseline_stops,
            "baseline_distance_km": self.baseline_distance_km,
            "baseline_co2_kg": self.baseline_co2_kg,
            "baseline_cost_cents": self.baseline_cost,
        }


def compute_delivery_kpis(
    kpis: Kpis,
    report: Report,
    *,
    orders: int,
    first_choice_orders: int,
    pickup_parcels: int,
    parcels_saved: int,
    box_fill_rate: float,
    baseline: tuple[int, Kpis] | None = None,
) -> DeliveryKpis:
    """Delivery figures from a plan's KPIs and check report.

    Parameters
    ----------
    kpis, report
        Figures and check report of the plan of stops.
    orders, first_choice_orders, pickup_parcels
        From the delivery check.
    parcels_saved, box_fill_rate
        From consolidation.
    baseline
        ``(routed stops, KPIs)`` of the all-home plan, if one was made.
    """
    stops = sum(len(r.stops) for r in report.routes)
    parcels = kpis.parcels_delivered
    return DeliveryKpis(
        orders=orders,
        stops=stops,
        parcels=parcels,
        pickup_parcel_share=pickup_parcels / parcels if parcels else None,
        first_choice_share=first_choice_orders / orders if orders else None,
        parcels_per_stop=parcels / stops if stops else None,
        parcels_saved=parcels_saved,
        box_fill_rate=box_fill_rate,
        distance_km=kpis.distance_km,
        co2_kg=kpis.co2_kg,
        cost=kpis.total_cost,
        baseline_stops=None if baseline is None else baseline[0],
        baseline_distance_km=None if baseline is None else baseline[1].distance_km,
        baseline_co2_kg=None if baseline is None else baseline[1].co2_kg,
        baseline_cost=None if baseline is None else baseline[1].total_cost,
    )
