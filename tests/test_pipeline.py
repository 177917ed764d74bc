"""Tests for optimizer.pipeline (plan_day with delivery options) and the delivery checker."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from optimizer.check import check_plan
from optimizer.delivery_check import check_delivery
from optimizer.domain import (
    Batch,
    BatchOptions,
    DeliveryOption,
    Depot,
    Fleet,
    Location,
    OptionKind,
    Order,
    Parcel,
    PickupPoint,
    Plan,
    Route,
    ServiceZone,
    TimeWindow,
    VehicleType,
)
from optimizer.pipeline import check_day_plan, plan_day
from optimizer.routing import SolveParams

H = 3600
DAY = TimeWindow(8 * H, 18 * H)
DEPOT = Depot("D", Location(45.700, 4.890), TimeWindow(6 * H, 21 * H))
# Three customers in one street 7 km north of the depot, 100 m apart, and a
# locker in the middle of the street.
STREET = [Location(45.7600, 4.8400 + 0.0013 * k) for k in range(3)]
LOCKER_AT = Location(45.7602, 4.8413)
LOCKER = PickupPoint(
    "LCK",
    LOCKER_AT,
    (TimeWindow(7 * H, 21 * H),),
    compartments={"S": 2, "M": 2, "L": 1},
    stop_time=120,
    parcel_time=20,
)
HOME_THEN_LOCKER = (
    DeliveryOption(OptionKind.HOME, rank=0),
    DeliveryOption(OptionKind.PICKUP_POINT, rank=1, pickup_point="LCK"),
)
LOCKER_THEN_HOME = (
    DeliveryOption(OptionKind.PICKUP_POINT, rank=0, pickup_point="LCK"),
    DeliveryOption(OptionKind.HOME, rank=1),
)
FAST = SolveParams(time_limit=2, seed=1, engine="ortools")


def van(vid: str = "van", **changes: object) -> VehicleType:
    base = VehicleType(
        id=vid,
        count=2,
        capacity_weight=500_000,
        capacity_volume=4_000_000,
        capacity_parcels=60,
        start_depot="D",
        end_depot="D",
        shift=TimeWindow(7 * H, 19 * H),
        fixed_cost=2000,
        cost_per_km=30,
        cost_per_hour=2500,
        speed_kmh=25,
        co2_per_km=200,
    )
    return dataclasses.replace(base, **changes)


def order(k: int, options: tuple[DeliveryOption, ...] = (), **changes: object) -> Order:
    base = Order(
        f"O{k}",
        f"C{k}",
        STREET[k % 3],
        (Parcel(f"O{k}-1", 2_000, 10_000),),  # 10 l: an S parcel
        (DAY,),
        service_time=300,
        options=options,
    )
    return dataclasses.replace(base, **changes)


def day(*orders: Order, points=(LOCKER,), types=None, zones=(), **options: object) -> Batch:
    return Batch(
        name="street",
        date=dt.date(2026, 11, 24),
        timezone="Europe/Paris",
        orders=tuple(orders),
        depots=(DEPOT,),
        fleet=Fleet(tuple(types or (van(),))),
        options=BatchOptions(time_limit=4, **options),  # type: ignore[arg-type]
        pickup_points=tuple(points),
        zones=tuple(zones),
    )


def sites(result) -> dict[str, str]:
    """Order id -> site of the stop delivering it."""
    return {o: result.stops.sites[s] for s, oids in result.stop_orders.items() for o in oids}


def test_three_neighbours_share_the_locker_when_preference_is_free() -> None:
    # Home stops cost 5 min each (2.08 EUR at 25 EUR/h) plus the walk between
    # them; the locker takes 2 min + 3 x 20 s = 3 min for all three. With no
    # rank cost and no quota, all three go to the locker: one stop instead of three.
    b = day(*(order(k, HOME_THEN_LOCKER) for k in range(3)))
    result = plan_day(b, FAST)
    assert sites(result) == {"O0": "LCK", "O1": "LCK", "O2": "LCK"}
    assert result.delivery.feasible and result.report.feasible
    assert result.delivery_kpis.stops == 1 and result.delivery_kpis.baseline_stops == 3
    assert result.delivery_kpis.pickup_parcel_share == 1.0
    assert result.delivery_kpis.first_choice_share == 0.0
    assert result.delivery_kpis.distance_km <= result.delivery_kpis.baseline_distance_km + 1e-9
    assert set(result.costs) == {"sequential", "integrated"}


def test_a_full_locker_forces_home_delivery() -> None:
    full = dataclasses.replace(LOCKER, occupied={"S": 2, "M": 2, "L": 1})
    b = day(*(order(k, LOCKER_THEN_HOME) for k in range(3)), points=(full,))
    result = plan_day(b, FAST)
    assert set(sites(result).values()) == {"home"}
    assert any(r.site == "LCK" for r in result.assignment.rejected)
    assert result.delivery.feasible


def test_locker_compartments_cap_the_parcels_left_there() -> None:
    # 2 S + 2 M + 1 L free compartments take at most 5 S parcels; six orders
    # want the locker first: exactly five get it, the sixth goes home.
    b = day(*(order(k, LOCKER_THEN_HOME) for k in range(6)))
    result = plan_day(b, FAST)
    at_locker = [o for o, site in sites(result).items() if site == "LCK"]
    assert len(at_locker) == 5
    assert result.delivery.feasible


def test_a_quota_forces_a_costlier_first_choice() -> None:
    # Without a quota all three go to the locker (first test). A 60 % quota
    # needs ceil(0.6 * 3) = 2 first choices (home): two go home at a higher cost.
    b = day(*(order(k, HOME_THEN_LOCKER) for k in range(3)), min_first_choice_pct=60)
    result = plan_day(b, FAST)
    assert sorted(sites(result).values()) == ["LCK", "home", "home"]
    assert result.delivery.first_choice_orders == 2
    assert result.delivery.feasible
    free = plan_day(day(*(order(k, HOME_THEN_LOCKER) for k in range(3))), FAST)
    assert result.costs["sequential"] > free.costs["sequential"]


def test_a_zone_excludes_the_van() -> None:
    # The street lies in a zone only cargo bikes may enter: the bike serves it.
    zone = ServiceZone(
        "centre", ((4.83, 45.75), (4.86, 45.75), (4.86, 45.77), (4.83, 45.77)), frozenset({"bike"})
    )
    bike = van("bike", capacity_weight=100_000, co2_per_km=0, fixed_cost=500)
    b = day(*(order(k) for k in range(3)), types=(van(), bike), zones=(zone,))
    result = plan_day(b, FAST)
    assert [r.vehicle_id for r in result.plan.routes] == ["bike-1"]
    assert result.delivery.feasible
    # The checker refuses the van there.
    stops = result.plan.routes[0].visits
    moved = Plan((Route("van-1", stops, result.plan.routes[0].start),))
    report = check_plan(moved, result.problem)
    delivery = check_delivery(
        b, result.problem, moved, report, result.stop_orders, result.stops.sites
    )
    assert [v.code for v in delivery.violations] == ["zone"] * 3  # one per stop


def test_an_order_with_no_usable_option_is_unassigned_with_a_reason() -> None:
    # Its only option is the locker, and the locker is full.
    full = dataclasses.replace(LOCKER, occupied={"S": 2, "M": 2, "L": 1})
    only_locker = (DeliveryOption(OptionKind.PICKUP_POINT, pickup_point="LCK"),)
    b = day(order(0), order(1, only_locker), points=(full,))
    result = plan_day(b, FAST)
    assert [(u.order_id, u.reason.value) for u in result.unassigned] == [("O1", "no_option")]
    assert "LCK" in result.unassigned[0].detail
    assert result.delivery.feasible


def test_orders_of_one_customer_become_one_stop() -> None:
    twice = [order(0), dataclasses.replace(order(0), id="O0b", parcels=(Parcel("b", 1000, 1000),))]
    result = plan_day(day(*twice, order(1)), FAST)
    assert result.consolidation.report.shipments == 2
    assert len(result.stops.orders) == 2
    assert sorted(result.stop_orders["stop:O0+1"]) == ["O0", "O0b"]


def test_checker_flags_broken_delivery_rules() -> None:
    b = day(*(order(k, HOME_THEN_LOCKER) for k in range(3)))
    result = plan_day(b, FAST)
    route = result.plan.routes[0]
    # Claim the locker stop holds an order that never accepted the locker.
    bad_orders = dict(result.stop_orders)
    stop = route.visits[0].order_id
    b2 = dataclasses.replace(b, orders=(order(0), *(order(k, HOME_THEN_LOCKER) for k in (1, 2))))
    report = check_delivery(
        b2, result.problem, result.plan, result.report, bad_orders, result.stops.sites
    )
    assert "option" in [v.code for v in report.violations]
    # Quota: 100 % first choice cannot hold when all three are at the locker.
    strict = dataclasses.replace(
        b, options=dataclasses.replace(b.options, min_first_choice_pct=100)
    )
    report = check_delivery(
        strict, result.problem, result.plan, result.report, bad_orders, result.stops.sites
    )
    assert [v.code for v in report.violations] == ["quota"]
    # Compartments: only one free compartment left.
    tight = dataclasses.replace(LOCKER, occupied={"S": 2, "M": 2, "L": 0})
    report = check_delivery(
        dataclasses.replace(b, pickup_points=(tight,)),
        result.problem,
        result.plan,
        result.report,
        bad_orders,
        result.stops.sites,
    )
    assert [v.code for v in report.violations] == ["compartments"]
    # An order in no stop is missing.
    fewer = {k: v for k, v in bad_orders.items() if k != stop}
    report = check_delivery(
        b, result.problem, result.plan, result.report, fewer, result.stops.sites
    )
    assert "missing" in [v.code for v in report.violations]


def test_a_plan_is_rechecked_from_its_stops() -> None:
    b = day(*(order(k, HOME_THEN_LOCKER) for k in range(3)))
    result = plan_day(b, FAST)
    listed = {s: (result.stops.sites[s], result.stops.members[s]) for s in result.stops.members}
    checked = check_day_plan(b, result.plan, listed)
    assert checked.report.feasible and checked.delivery.feasible
    assert checked.kpis.total_cost == result.kpis.total_cost
    with pytest.raises(ValueError, match="unknown pickup point"):
        check_day_plan(b, result.plan, {"stop:LCK": ("NOPE", ("O0",))})


def test_plan_without_options_routes_every_order_home() -> None:
    result = plan_day(day(*(order(k) for k in range(3)), points=()), FAST)
    assert result.baseline is None and set(result.costs) == {"sequential"}
    assert sorted(o for r in result.plan.routes for o in r.order_ids) == [
        "stop:O0",
        "stop:O1",
        "stop:O2",
    ]
    assert result.unassigned == () and result.delivery.first_choice_orders == 3


def test_integrated_choices_are_explained_with_the_next_best() -> None:
    b = day(*(order(k, HOME_THEN_LOCKER) for k in range(3)), assignment="integrated")
    result = plan_day(b, FAST)
    assert result.assignment.method == "integrated"
    assert set(sites(result).values()) == {"LCK"}
    for choice in result.assignment.choices:
        assert choice.explanation.startswith("routed with all options at once (van-")
        assert choice.next_best is not None and choice.next_best.site == "home"
        # Home would add its own stop (a detour and 5 min of service) while the
        # locker stop stays for the other two: the next best costs more.
        assert choice.next_best_delta is not None and choice.next_best_delta > 0
        assert "next best: home" in choice.explanation


def test_checker_measures_the_walk_to_any_pickup_point() -> None:
    # The locker is 22 m from O1's door (29 m with the 1.3 detour) and 101 m
    # from O0's (132 m): with "any pickup point within 50 m", O1 may use it and
    # O0 may not.
    b = day(*(order(k, HOME_THEN_LOCKER) for k in range(3)))
    result = plan_day(b, FAST)
    assert set(sites(result).values()) == {"LCK"}
    near = (
        DeliveryOption(OptionKind.HOME),
        DeliveryOption(OptionKind.ANY_PICKUP_POINT, rank=1, max_walk=50),
    )
    walked = dataclasses.replace(
        b, orders=(order(0, near), order(1, near), order(2, HOME_THEN_LOCKER))
    )
    report = check_delivery(
        walked, result.problem, result.plan, result.report, result.stop_orders, result.stops.sites
    )
    assert [(v.code, v.order) for v in report.violations] == [("option", "O0")]
