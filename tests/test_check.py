"""Tests for optimizer.check: each constraint alone on a hand-made plan."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from optimizer.check import check_plan
from optimizer.domain import (
    Depot,
    Fleet,
    Location,
    Order,
    Parcel,
    Plan,
    PlanarPoint,
    Reason,
    Route,
    RoutingProblem,
    TimeWindow,
    Unassigned,
    VehicleType,
    Visit,
)
from optimizer.travel import GeodesicProvider, PlanarProvider

# Planar fixture, one time unit per distance unit.
#
#   B (6,8)          depot D (0,0), open [0, 1000]; van: shift [0, 200]
#     |              A: 2000 g, 10 l, 1 parcel, window [0, 100], service 10
#   A (3,4)          B: 2 x (1000 g, 5 l),       window [30, 100], service 10
#     |              C: 3000 g, 20 l, 1 parcel,  window [0, 100], service 10
#   D (0,0) --- C (6,0)
#
# Route van-1: D -> A -> B -> C -> D, leaving at 0:
#   D->A 5:  arrive 5,  start 5,             depart 15
#   A->B 5:  arrive 20, wait 10, start 30,   depart 40
#   B->C 8:  arrive 48, start 48,            depart 58
#   C->D 6:  return 64
# distance 24, driving 24, service 30, waiting 10, duration 64;
# load 7000 g, 40000 cm3, 4 parcels.

VAN = VehicleType(
    id="van",
    count=2,
    capacity_weight=10_000,
    capacity_volume=100_000,
    capacity_parcels=5,
    start_depot="D",
    end_depot="D",
    shift=TimeWindow(0, 200),
)


def order(
    oid: str,
    x: float,
    y: float,
    parcels: tuple[tuple[int, int], ...],
    windows: tuple[tuple[int, int], ...] = ((0, 100),),
    **kwargs: object,
) -> Order:
    """An order at (x, y) with parcels given as (grams, cm3)."""
    return Order(
        id=oid,
        customer=f"cust-{oid}",
        location=PlanarPoint(x, y),
        parcels=tuple(Parcel(f"{oid}{k}", w, v) for k, (w, v) in enumerate(parcels, start=1)),
        time_windows=tuple(TimeWindow(s, e) for s, e in windows),
        service_time=10,
        **kwargs,  # type: ignore[arg-type]
    )


ORDERS = (
    order("A", 3, 4, ((2000, 10_000),)),
    order("B", 6, 8, ((1000, 5000), (1000, 5000)), ((30, 100),)),
    order("C", 6, 0, ((3000, 20_000),)),
)


def problem(vt: VehicleType = VAN, orders: tuple[Order, ...] = ORDERS) -> RoutingProblem:
    depot = Depot("D", PlanarPoint(0, 0), TimeWindow(0, 1000))
    return RoutingProblem.build("tiny", orders, (depot,), Fleet((vt,)), PlanarProvider())


def with_order(**changes: object) -> tuple[Order, ...]:
    """ORDERS with order C changed."""
    return (*ORDERS[:2], replace(ORDERS[2], **changes))  # type: ignore[arg-type]


def route(*ids: str, vehicle: str = "van-1", start: int = 0) -> Route:
    return Route(vehicle, tuple(Visit(i) for i in ids), start)


GOOD = Plan((route("A", "B", "C"),))


def test_good_plan_is_feasible_with_hand_computed_figures():
    report = check_plan(GOOD, problem())

    assert report.feasible
    assert report.violations == ()
    assert report.warnings == ()
    (rr,) = report.routes
    assert (rr.vehicle_id, rr.vehicle_type) == ("van-1", "van")
    assert rr.distance == pytest.approx(24)
    assert rr.distance_to_end == pytest.approx(6)
    assert rr.driving_time == pytest.approx(24)
    assert rr.service_time == pytest.approx(30)
    assert rr.waiting_time == pytest.approx(10)
    assert (rr.start, rr.end, rr.duration) == pytest.approx((0, 64, 64))
    assert (rr.weight, rr.volume, rr.parcels) == (7000, 40_000, 4)
    assert report.total_distance == pytest.approx(24)

    schedule = [(s.order_id, s.arrival, s.start, s.departure, s.waiting) for s in rr.stops]
    assert schedule == [
        ("A", pytest.approx(5), pytest.approx(5), pytest.approx(15), pytest.approx(0)),
        ("B", pytest.approx(20), pytest.approx(30), pytest.approx(40), pytest.approx(10)),
        ("C", pytest.approx(48), pytest.approx(48), pytest.approx(58), pytest.approx(0)),
    ]
    assert [s.distance_from_previous for s in rr.stops] == pytest.approx([5, 5, 8])
    assert all(s.on_time for s in rr.stops)
    assert rr.stops[1].window == TimeWindow(30, 100)


def test_geodesic_route_uses_great_circle_and_speed():
    # 0.01 degree of latitude = 6 371 009 m * 0.01 * pi / 180 = 1111.95 m; x 1.3 detour
    # = 1445.54 m per leg. At 30 km/h (8.333 m/s) a leg takes 173.46 s.
    depot = Depot("paris", Location(48.8566, 2.3522), TimeWindow(0, 86_400))
    stop = Order(
        "O1",
        "c1",
        Location(48.8666, 2.3522),
        (Parcel("p", 1000, 1000),),
        (TimeWindow(8 * 3600, 12 * 3600),),
        service_time=300,
    )
    vt = replace(VAN, start_depot="paris", end_depot="paris", shift=TimeWindow(0, 86_400))
    geo = RoutingProblem.build("geo", (stop,), (depot,), Fleet((vt,)), GeodesicProvider())
    leg = 6_371_009 * math.radians(0.01) * 1.3

    report = check_plan(Plan((Route("van-1", (Visit("O1"),), 8 * 3600),)), geo)

    assert report.feasible
    (rr,) = report.routes
    assert rr.distance == pytest.approx(2 * leg, rel=1e-6)
    assert rr.stops[0].arrival == pytest.approx(28_800 + leg / (30 / 3.6), rel=1e-9)
    assert rr.end == pytest.approx(28_800 + 300 + 2 * leg / (30 / 3.6), rel=1e-9)


@pytest.mark.parametrize(
    ("changes", "dimension"),
    [
        ({"capacity_weight": 6000}, "weight"),
        ({"capacity_volume": 30_000}, "volume"),
        ({"capacity_parcels": 3}, "parcels"),
    ],
)
def test_capacity_violation_names_the_dimension(changes, dimension):
    report = check_plan(GOOD, problem(replace(VAN, **changes)))

    assert report.codes == ("capacity",)
    assert report.violations[0].message.startswith(dimension)
    assert report.violations[0].route == "van-1"


def test_missed_time_window():
    # C now closes at 40; the van arrives at 48.
    report = check_plan(GOOD, problem(orders=with_order(time_windows=(TimeWindow(0, 40),))))

    assert report.codes == ("time_window",)
    assert report.violations[0].order == "C"
    stop_c = report.routes[0].stops[2]
    assert not stop_c.on_time
    assert stop_c.window is None
    assert stop_c.start == pytest.approx(48)  # service starts on arrival


def test_shift_end_exceeded():
    report = check_plan(GOOD, problem(replace(VAN, shift=TimeWindow(0, 60))))  # returns at 64

    assert report.codes == ("shift",)


def test_depot_closing_counts_as_shift_end():
    depot = Depot("D", PlanarPoint(0, 0), TimeWindow(0, 63))
    tight = RoutingProblem.build("tiny", ORDERS, (depot,), Fleet((VAN,)), PlanarProvider())

    assert check_plan(GOOD, tight).codes == ("shift",)


def test_start_before_shift():
    # The shift opens at 1; the route leaves at 0 (every window is still met).
    report = check_plan(GOOD, problem(replace(VAN, shift=TimeWindow(1, 200))))

    assert report.codes == ("shift",)
    assert "leaves" in report.violations[0].message


def test_max_duration():
    report = check_plan(GOOD, problem(replace(VAN, max_duration=60)))  # lasts 64

    assert report.codes == ("max_duration",)


def test_max_duration_reached_exactly_is_fine():
    assert check_plan(GOOD, problem(replace(VAN, max_duration=64))).feasible


def test_max_stops():
    report = check_plan(GOOD, problem(replace(VAN, max_stops=2)))

    assert report.codes == ("max_stops",)


def test_skills():
    orders = (replace(ORDERS[0], skills=frozenset({"fridge"})), *ORDERS[1:])

    report = check_plan(GOOD, problem(orders=orders))

    assert report.codes == ("skills",)
    assert (report.violations[0].order, report.violations[0].route) == ("A", "van-1")
    assert check_plan(GOOD, problem(replace(VAN, skills=frozenset({"fridge"})), orders)).feasible


def test_missing_order():
    report = check_plan(Plan((route("A", "B"),)), problem())

    assert report.codes == ("missing",)
    assert report.violations[0].order == "C"


def test_order_routed_and_unassigned_is_duplicate():
    plan = Plan((route("A", "B", "C"),), (Unassigned("C", Reason.CAPACITY),))

    report = check_plan(plan, problem())

    assert report.codes == ("duplicate",)
    assert report.violations[0].order == "C"


def test_order_routed_twice_is_duplicate():
    plan = Plan((route("A", "B", "C"), route("C", vehicle="van-2")))

    report = check_plan(plan, problem())

    assert report.codes == ("duplicate",)
    assert report.violations[0].route == "van-2"


def test_unknown_order():
    report = check_plan(Plan((route("A", "B", "C", "X"),)), problem())

    assert report.codes == ("unknown_order",)
    assert report.violations[0].order == "X"
    assert [s.order_id for s in report.routes[0].stops] == ["A", "B", "C"]


def test_unknown_vehicle():
    report = check_plan(Plan((route("A", "B", "C", vehicle="truck-1"),)), problem())

    assert report.codes == ("unknown_vehicle",)
    assert report.routes == ()


def test_vehicle_reused():
    plan = Plan((route("A", "B"), route("C")))

    report = check_plan(plan, problem())

    assert report.codes == ("vehicle_reused",)
    assert len(report.routes) == 2


def test_mandatory_order_unassigned_is_reported_not_a_violation():
    plan = Plan((route("A", "B"),), (Unassigned("C", Reason.CAPACITY, "too heavy"),))

    report = check_plan(plan, problem())

    assert report.feasible
    assert report.unassigned_mandatory == ("C",)


def test_optional_order_unassigned_is_not_listed_as_mandatory():
    plan = Plan((route("A", "B"),), (Unassigned("C", Reason.PRICED_OUT),))

    report = check_plan(plan, problem(orders=with_order(penalty=500)))

    assert report.feasible
    assert report.unassigned_mandatory == ()


def test_stale_eta_is_a_warning_not_a_violation():
    # C is really reached at 48; the plan says 40 (more than 1 unit off) for arrival,
    # and 47 (exactly 1 unit off, tolerated) for service start.
    visits = (Visit("A", 5, 5, 15), Visit("B", 20, 30, 40), Visit("C", 40, 47, 58))
    report = check_plan(Plan((Route("van-1", visits, 0, end=70),)), problem())

    assert report.feasible
    assert [(w.code, w.order) for w in report.warnings] == [
        ("eta_mismatch", "C"),
        ("eta_mismatch", None),  # the return at 70 instead of 64
    ]
    assert "arrival" in report.warnings[0].message


def test_arrival_between_windows_waits_for_the_next_one():
    # B has windows [0, 10] and [30, 100]; the van arrives at 20 and waits until 30.
    windows = (TimeWindow(0, 10), TimeWindow(30, 100))
    orders = (ORDERS[0], replace(ORDERS[1], time_windows=windows), ORDERS[2])

    report = check_plan(GOOD, problem(orders=orders))

    assert report.feasible
    stop_b = report.routes[0].stops[1]
    assert (stop_b.arrival, stop_b.start, stop_b.waiting) == pytest.approx((20, 30, 10))
    assert stop_b.window == TimeWindow(30, 100)


def test_arrival_inside_the_second_window_starts_at_once():
    windows = (TimeWindow(0, 10), TimeWindow(15, 25))
    orders = (ORDERS[0], replace(ORDERS[1], time_windows=windows), ORDERS[2])

    report = check_plan(GOOD, problem(orders=orders))

    stop_b = report.routes[0].stops[1]
    assert (stop_b.start, stop_b.waiting) == pytest.approx((20, 0))
    assert stop_b.window == TimeWindow(15, 25)
    # The schedule moves 10 earlier: C is reached at 38, return at 54.
    assert report.routes[0].end == pytest.approx(54)


def test_arrival_after_every_window_is_a_violation():
    orders = (ORDERS[0], replace(ORDERS[1], time_windows=(TimeWindow(0, 5), TimeWindow(10, 15))))

    report = check_plan(GOOD, problem(orders=(*orders, ORDERS[2])))

    assert report.codes == ("time_window",)
    assert report.violations[0].order == "B"


def test_vehicle_type_not_allowed():
    orders = (replace(ORDERS[0], vehicle_types=frozenset({"bike"})), *ORDERS[1:])
    bike = replace(VAN, id="bike")
    depot = Depot("D", PlanarPoint(0, 0), TimeWindow(0, 1000))
    p = RoutingProblem.build("tiny", orders, (depot,), Fleet((VAN, bike)), PlanarProvider())
    report = check_plan(GOOD, p)
    assert report.codes == ("vehicle_type",)
    assert check_plan(Plan((route("A", "B", "C", vehicle="bike-1"),)), p).feasible
