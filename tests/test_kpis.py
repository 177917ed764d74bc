"""Tests for optimizer.kpis on a hand-worked two-route plan."""

from __future__ import annotations

import pytest

from optimizer.check import check_plan
from optimizer.domain import (
    Depot,
    Fleet,
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
from optimizer.kpis import compute_kpis
from optimizer.travel import PlanarProvider

# A planar problem read in metres and seconds (1 m takes 1 s), depot D at (0, 0).
#
# van   (x2): 10 kg, 100 l, 5 parcels; 50.00 EUR fixed, 0.50 EUR/km, 20 EUR/h, 200 g CO2/km
# small (x1): 20 kg,  50 l, 10 parcels; 30.00 EUR fixed, 0.50 EUR/km, 20 EUR/h, 100 g CO2/km
#
# van-1:   D -> A (3000, 4000) -> B (6000, 8000) -> C (6000, 0) -> D, service 1600 each
#          legs 5000 + 5000 + 8000 + 6000 = 24 km; driving 24000 s + service 4800 s = 8 h.
#          A: arrive 5000; B: arrive 11600, after its window [0, 10000] closed (late);
#          C: arrive 21200; back at 28800.
#          cost 5000 + 24 * 50 + 8 * 2000 = 22200 cents; CO2 24 * 200 = 4800 g.
#          load 7 kg / 10, 40 l / 100, 4 parcels / 5.
# small-1: D -> E (0, 4000) -> D, service 2800: 8 km, 8000 s + 2800 s = 3 h.
#          cost 3000 + 8 * 50 + 3 * 2000 = 9400 cents; CO2 8 * 100 = 800 g.
#          load 5 kg / 20, 10 l / 50, 1 parcel / 10.
# F (optional, penalty 700) and G (mandatory) are unassigned.


def vehicle_type(tid: str, count: int, caps: tuple[int, int, int], fixed: int, co2: int):
    return VehicleType(
        id=tid,
        count=count,
        capacity_weight=caps[0],
        capacity_volume=caps[1],
        capacity_parcels=caps[2],
        start_depot="D",
        end_depot="D",
        shift=TimeWindow(0, 86_400),
        fixed_cost=fixed,
        cost_per_km=50,
        cost_per_hour=2000,
        co2_per_km=co2,
    )


def order(oid, x, y, parcels, service=1600, window=(0, 86_400), penalty=None) -> Order:
    return Order(
        id=oid,
        customer=f"cust-{oid}",
        location=PlanarPoint(x, y),
        parcels=tuple(Parcel(f"{oid}{k}", w, v) for k, (w, v) in enumerate(parcels)),
        time_windows=(TimeWindow(*window),),
        service_time=service,
        penalty=penalty,
    )


ORDERS = (
    order("A", 3000, 4000, [(2000, 10_000)]),
    order("B", 6000, 8000, [(1000, 5000), (1000, 5000)], window=(0, 10_000)),
    order("C", 6000, 0, [(3000, 20_000)]),
    order("E", 0, 4000, [(5000, 10_000)], service=2800),
    order("F", 1, 1, [(1, 1)], penalty=700),
    order("G", 2, 2, [(1, 1)]),
)
FLEET = Fleet(
    (
        vehicle_type("van", 2, (10_000, 100_000, 5), 5000, 200),
        vehicle_type("small", 1, (20_000, 50_000, 10), 3000, 100),
    )
)
DEPOT = Depot("D", PlanarPoint(0, 0), TimeWindow(0, 86_400))
PLAN = Plan(
    (
        Route("van-1", (Visit("A"), Visit("B"), Visit("C")), 0),
        Route("small-1", (Visit("E"),), 0),
    ),
    (Unassigned("F", Reason.PRICED_OUT), Unassigned("G", Reason.CAPACITY)),
)


def kpis_of(provider: PlanarProvider):
    problem = RoutingProblem.build("kpi", ORDERS, (DEPOT,), FLEET, provider)
    report = check_plan(PLAN, problem)
    assert report.codes == ("time_window",)  # B is late; KPIs are computed all the same
    return compute_kpis(PLAN, problem, report)


@pytest.fixture
def kpis():
    return kpis_of(PlanarProvider(time_per_unit=1, distance_unit="m"))


def test_cost(kpis):
    assert kpis.total_cost == 22_200 + 9400
    assert (kpis.fixed_cost, kpis.distance_cost, kpis.time_cost) == (8000, 1600, 22_000)
    assert kpis.penalty_cost == 700
    assert [(r.vehicle_id, r.cost) for r in kpis.routes] == [("van-1", 22_200), ("small-1", 9400)]


def test_distance_and_time(kpis):
    assert kpis.distance == pytest.approx(32_000)
    assert kpis.distance_km == pytest.approx(32)
    assert kpis.driving_time == pytest.approx(32_000)
    assert kpis.service_time == pytest.approx(3 * 1600 + 2800)
    assert kpis.waiting_time == pytest.approx(0)
    assert kpis.route_time == pytest.approx(11 * 3600)
    figures = kpis.as_dict()
    assert figures["route_hours"] == pytest.approx(11)
    assert figures["driving_hours"] == pytest.approx(32_000 / 3600)


def test_co2(kpis):
    assert [r.co2_kg for r in kpis.routes] == pytest.approx([4.8, 0.8])
    assert kpis.co2_kg == pytest.approx(5.6)
    assert kpis.co2_g_per_parcel == pytest.approx(5600 / 5)


def test_utilisation(kpis):
    # mean of per-vehicle ratios vs total load over total capacity
    assert kpis.utilisation_mean.weight == pytest.approx((0.7 + 0.25) / 2)
    assert kpis.utilisation_mean.volume == pytest.approx((0.4 + 0.2) / 2)
    assert kpis.utilisation_mean.parcels == pytest.approx((0.8 + 0.1) / 2)
    assert kpis.utilisation_overall.weight == pytest.approx(12_000 / 30_000)
    assert kpis.utilisation_overall.volume == pytest.approx(50_000 / 150_000)
    assert kpis.utilisation_overall.parcels == pytest.approx(5 / 15)


def test_counts_and_on_time_share(kpis):
    assert (kpis.vehicles_used, kpis.vehicles_available) == (2, 3)
    assert (kpis.orders, kpis.orders_routed, kpis.orders_unassigned) == (6, 4, 2)
    assert kpis.mandatory_unassigned == 1
    assert kpis.parcels_delivered == 5
    assert kpis.on_time_share == pytest.approx(3 / 4)


def test_as_dict_keys_name_units(kpis):
    figures = kpis.as_dict()

    assert figures["total_cost_cents"] == 31_600
    assert figures["distance_unit"] == "m"
    assert figures["co2_kg_per_route"] == pytest.approx({"van-1": 4.8, "small-1": 0.8})


def test_planar_units_have_no_km_or_hours():
    kpis = kpis_of(PlanarProvider(time_per_unit=1))

    figures = kpis.as_dict()
    assert figures["distance"] == pytest.approx(32_000)
    assert figures["distance_unit"] == "unit"
    assert figures["distance_km"] is None
    assert figures["time_unit"] == "unit"
    assert figures["route_hours"] is None
    assert kpis.total_cost == 31_600  # one unit read as one metre and one second


def test_empty_plan():
    problem = RoutingProblem.build("kpi", ORDERS[:1], (DEPOT,), FLEET, PlanarProvider())
    plan = Plan((), (Unassigned("A", Reason.NO_VEHICLE),))

    kpis = compute_kpis(plan, problem, check_plan(plan, problem))

    assert (kpis.total_cost, kpis.vehicles_used, kpis.parcels_delivered) == (0, 0, 0)
    assert kpis.on_time_share is None
    assert kpis.co2_g_per_parcel is None
    assert kpis.utilisation_mean.weight is None
