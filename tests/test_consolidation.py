"""Tests for optimizer.consolidation: shipments, packing savings and stops."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from optimizer.cartonization import check_packing
from optimizer.consolidation import Consolidation, Stops, build_stops, consolidate
from optimizer.domain import (
    Batch,
    BatchOptions,
    Candidate,
    DeliveryOption,
    Depot,
    Fleet,
    Location,
    OptionKind,
    Order,
    Parcel,
    PickupPoint,
    ServiceZone,
    TimeWindow,
    VehicleType,
)
from optimizer.domain.packing import BoxType, Item, Packing
from optimizer.zones import ZoneRules

H = 3600
DAY = TimeWindow(8 * H, 18 * H)
HOME = Location(45.760, 4.840)  # inside the centre zone
FAR = Location(45.700, 4.800)  # outside it
DEPOT = Depot("D", Location(45.70, 4.89), TimeWindow(6 * H, 21 * H))

# Catalogue of the brief: S 300x200x100 mm (6 000 cm3) at 1 EUR, L 600x400x400 mm (96 000 cm3)
# at 3 EUR.
BOX_S = BoxType("S", 300, 200, 100, max_weight=5_000, cost=100, size_class="S", tare=50)
BOX_L = BoxType("L", 600, 400, 400, max_weight=20_000, cost=300, size_class="L", tare=200)

LOCKER = PickupPoint(
    "L1",
    Location(45.762, 4.842),
    (TimeWindow(7 * H, 20 * H),),
    compartments={"S": 10, "M": 10, "L": 10},
    stop_time=120,
    parcel_time=30,
)
CENTRE = ServiceZone(
    "centre",
    ((4.83, 45.75), (4.85, 45.75), (4.85, 45.77), (4.83, 45.77)),
    vehicle_types=frozenset({"bike"}),
)


def vehicle_type(vid: str = "van", **changes: object) -> VehicleType:
    base = VehicleType(
        id=vid,
        count=2,
        capacity_weight=100_000,
        capacity_volume=500_000,
        capacity_parcels=50,
        start_depot="D",
        end_depot="D",
        shift=TimeWindow(7 * H, 19 * H),
    )
    return dataclasses.replace(base, **changes)


def order(oid: str, customer: str = "alice", **changes: object) -> Order:
    base = Order(oid, customer, HOME, (Parcel("p1", 1_000, 2_000),), (DAY,))
    return dataclasses.replace(base, **changes)


def batch(*orders: Order, **changes: object) -> Batch:
    base = Batch(
        name="tiny",
        date=dt.date(2026, 11, 24),
        timezone="Europe/Paris",
        orders=orders,
        depots=(DEPOT,),
        fleet=Fleet((vehicle_type(),)),
        pickup_points=(LOCKER,),
        boxes=(BOX_S, BOX_L),
    )
    return dataclasses.replace(base, **changes)


def at_home(shipment: Order) -> Candidate:
    return Candidate(
        shipment.id, 0, OptionKind.HOME, 0, 0, "home", shipment.location, shipment.time_windows
    )


def at_locker(shipment: Order, point: PickupPoint = LOCKER) -> Candidate:
    return Candidate(
        shipment.id, 0, OptionKind.PICKUP_POINT, 0, 0, point.id, point.location, point.opening
    )


def assert_packings_check(b: Batch, result: Consolidation) -> None:
    """Every packing passes check_packing against its (prefixed) items."""
    orders = {o.id: o for o in b.orders}
    for shipment_id, packing in result.packings.items():
        items = [
            dataclasses.replace(i, id=f"{oid}/{i.id}")
            for oid in result.members[shipment_id]
            for i in orders[oid].items
        ]
        report = check_packing(items, b.boxes, packing)
        assert report.ok, report.violations


# --------------------------------------------------------------------------- consolidate


def test_two_orders_of_one_customer_become_one_shipment_with_the_common_window() -> None:
    # A1 8-12h and A2 10-14h at one address: one shipment "A1+1" open 10-12h.
    # Service and release: the larger (300 s, 9h); penalty 500 + 300 = 800.
    # Both parcels are called "p1": they are prefixed with their order id.
    a1 = order("A1", time_windows=(TimeWindow(8 * H, 12 * H),), service_time=120, penalty=500)
    a2 = order(
        "A2",
        time_windows=(TimeWindow(10 * H, 14 * H),),
        service_time=300,
        penalty=300,
        release_time=9 * H,
    )
    result = consolidate(batch(a1, a2))
    (shipment,) = result.shipments
    assert shipment.id == "A1+1"
    assert result.members == {"A1+1": ("A1", "A2")}
    assert shipment.time_windows == (TimeWindow(10 * H, 12 * H),)
    assert (shipment.service_time, shipment.release_time, shipment.penalty) == (300, 9 * H, 800)
    assert [p.id for p in shipment.parcels] == ["A1/p1", "A2/p1"]
    report = result.report
    assert (report.orders, report.shipments) == (2, 1)
    # Ready parcels are not repacked: 2 before, 2 after.
    assert (report.parcels_before, report.parcels_after, report.parcels_saved) == (2, 2, 0)
    assert (report.box_fill_rate, report.box_cost) == (0.0, 0)
    assert result.packings == {}


def test_three_orders_id_mandatory_member_and_merged_options() -> None:
    # Same options (home, locker L1); ranks and costs differ: least rank, highest cost.
    home_a, home_b = DeliveryOption(OptionKind.HOME, 0, 0), DeliveryOption(OptionKind.HOME, 1, 50)
    pp_a = DeliveryOption(OptionKind.PICKUP_POINT, 1, 0, pickup_point="L1")
    pp_b = DeliveryOption(OptionKind.PICKUP_POINT, 0, 20, pickup_point="L1")
    orders = (
        order("A1", options=(home_a, pp_a), penalty=100, parcels=(Parcel("x", 1, 1),)),
        order("A2", options=(pp_b, home_b), parcels=(Parcel("y", 1, 1),)),  # mandatory
        order("A3", options=(home_a, pp_a), penalty=100, parcels=(Parcel("z", 1, 1),)),
    )
    (shipment,) = consolidate(batch(*orders)).shipments
    assert shipment.id == "A1+2"
    assert shipment.penalty is None
    assert shipment.options == (
        DeliveryOption(OptionKind.HOME, 0, 50),
        DeliveryOption(OptionKind.PICKUP_POINT, 0, 20, pickup_point="L1"),
    )
    # No clash: parcel ids kept as they are.
    assert [p.id for p in shipment.parcels] == ["x", "y", "z"]


@pytest.mark.parametrize(
    "changes",
    [
        {"time_windows": (TimeWindow(13 * H, 14 * H),)},  # disjoint from 8-12h
        {"location": Location(45.7601, 4.840)},
        {"options": (DeliveryOption(OptionKind.PICKUP_POINT, pickup_point="L1"),)},
        {"skills": frozenset({"fridge"})},
        {"vehicle_types": frozenset({"van"})},
        {"customer": "bob"},
    ],
)
def test_orders_that_cannot_travel_together_stay_apart(changes: dict[str, object]) -> None:
    a1 = order("A1", time_windows=(TimeWindow(8 * H, 12 * H),))
    result = consolidate(batch(a1, order("A2", **changes)))
    assert [s.id for s in result.shipments] == ["A1", "A2"]


def test_first_fit_keeps_the_windows_of_the_shipment_so_far() -> None:
    # A1 8-10h, A2 9-12h -> A1+1 open 9-10h; A3 11-12h misses 9-10h: a shipment of its own.
    a1 = order("A1", time_windows=(TimeWindow(8 * H, 10 * H),))
    a2 = order("A2", time_windows=(TimeWindow(9 * H, 12 * H),))
    a3 = order("A3", time_windows=(TimeWindow(11 * H, 12 * H),))
    result = consolidate(batch(a1, a2, a3))
    assert dict(result.members) == {"A1+1": ("A1", "A2"), "A3": ("A3",)}


def test_merge_false_gives_one_shipment_per_order() -> None:
    b = batch(order("A1"), order("A2"), options=BatchOptions(consolidate=False))
    assert [s.id for s in consolidate(b).shipments] == ["A1", "A2"]
    assert [s.id for s in consolidate(b, merge=True).shipments] == ["A1+1"]


def test_an_oversized_item_gets_the_big_box() -> None:
    # 450x300x200 mm fits L only: one parcel of 1.5 kg + 200 g tare, 96 000 cm3, class L.
    item = Item("tv", 450, 300, 200, weight=1_500)
    b = batch(order("A1", parcels=(), items=(item,)))
    result = consolidate(b)
    (shipment,) = result.shipments
    assert shipment.parcels == (Parcel("A1-box1", 1_700, 96_000, "L"),)
    assert shipment.items == ()
    assert result.packings["A1"].boxes[0].box == BOX_L
    assert result.report.box_cost == 300
    assert_packings_check(b, result)


def test_two_small_items_of_two_orders_share_one_box() -> None:
    # Alone, each 100x100x50 mm item needs an S box: 2 parcels, 2 EUR.
    # Together both fit one S box: 1 parcel (400 + 400 g + 50 g tare), 1 EUR, 1 parcel saved.
    # Fill rate: 2 * 500 000 mm3 / 6 000 000 mm3 = 1/6.
    b = batch(
        order("A1", parcels=(), items=(Item("shoe", 100, 100, 50, weight=400),)),
        order("A2", parcels=(), items=(Item("shoe", 100, 100, 50, weight=400),)),
    )
    result = consolidate(b)
    (shipment,) = result.shipments
    assert shipment.parcels == (Parcel("A1+1-box1", 850, 6_000, "S"),)
    placed = {p.item for p in result.packings["A1+1"].boxes[0].placements}
    assert placed == {"A1/shoe", "A2/shoe"}
    report = result.report
    assert (report.parcels_before, report.parcels_after, report.parcels_saved) == (2, 1, 1)
    assert report.box_fill_rate == 1_000_000 / 6_000_000
    assert report.box_cost == 100
    assert_packings_check(b, result)

    apart = consolidate(b, merge=False)
    assert (apart.report.parcels_saved, apart.report.box_cost) == (0, 200)
    assert apart.report.box_fill_rate == 1_000_000 / 12_000_000
    assert_packings_check(b, apart)


def test_ships_alone_units_and_ready_parcels_are_kept() -> None:
    # A bike (ships alone, 1 600x200x900 mm = 288 000 cm3, size left to the volume) and a ready
    # parcel "A1-box1" that clashes with the generated box id: ready parcels get prefixed.
    items = (
        Item("bike", 1_600, 200, 900, weight=12_000, ships_alone=True),
        Item("bell", 50, 50, 50, weight=100),
    )
    b = batch(order("A1", parcels=(Parcel("A1-box1", 500, 1_000),), items=items))
    result = consolidate(b)
    (shipment,) = result.shipments
    assert shipment.parcels == (
        Parcel("A1/A1-box1", 500, 1_000),
        Parcel("A1-box1", 150, 6_000, "S"),
        Parcel("A1-own1", 12_000, 288_000),
    )
    assert result.report.parcels_before == result.report.parcels_after == 3
    assert_packings_check(b, result)


def test_a_packing_failing_the_check_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    import optimizer.consolidation as module

    monkeypatch.setattr(module, "cartonize", lambda items, catalogue: Packing(()))
    b = batch(order("A1", parcels=(), items=(Item("shoe", 100, 100, 50, weight=400),)))
    with pytest.raises(RuntimeError, match="check_packing"):
        consolidate(b)


def test_a_shipment_id_clashing_with_an_order_id_is_refused() -> None:
    b = batch(order("A1"), order("A2"), order("A1+1", "bob"))
    with pytest.raises(ValueError, match="A1\\+1"):
        consolidate(b)


def test_objects_are_frozen() -> None:
    result = consolidate(batch(order("A1")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.report = result.report  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.members["X"] = ("A1",)  # type: ignore[index]


# --------------------------------------------------------------------------- build_stops


def stops_for(b: Batch, where: dict[str, str], **kwargs: object) -> tuple[Consolidation, Stops]:
    result = consolidate(b)
    choices = {
        s.id: at_home(s) if where[s.id] == "home" else at_locker(s) for s in result.shipments
    }
    return result, build_stops(b, result, choices, **kwargs)  # type: ignore[arg-type]


def test_different_customers_at_one_address_share_one_home_stop() -> None:
    # alice 8-12h (service 60 s, penalty 100) and bob 10-14h (service 90 s, mandatory):
    # two shipments, one stop "stop:A1" open 10-12h, service 60 + 90 = 150 s.
    b = batch(
        order("A1", time_windows=(TimeWindow(8 * H, 12 * H),), service_time=60, penalty=100),
        order("B1", "bob", time_windows=(TimeWindow(10 * H, 14 * H),), service_time=90),
    )
    result, stops = stops_for(b, {"A1": "home", "B1": "home"})
    assert len(result.shipments) == 2
    (stop,) = stops.orders
    assert stop.id == "stop:A1"
    assert stop.location == HOME
    assert stop.customer == "alice,bob"
    assert stop.time_windows == (TimeWindow(10 * H, 12 * H),)
    assert (stop.service_time, stop.penalty) == (150, None)
    assert [p.id for p in stop.parcels] == ["A1/p1", "B1/p1"]
    assert stops.members == {"stop:A1": ("A1", "B1")}
    assert stops.sites == {"stop:A1": "home"}
    assert stops.order_ids("stop:A1", result) == ("A1", "B1")


def test_home_shipments_with_disjoint_windows_are_separate_stops() -> None:
    b = batch(
        order("A1", time_windows=(TimeWindow(8 * H, 9 * H),)),
        order("B1", "bob", time_windows=(TimeWindow(10 * H, 11 * H),)),
    )
    _, stops = stops_for(b, {"A1": "home", "B1": "home"})
    assert [s.id for s in stops.orders] == ["stop:A1", "stop:B1"]


def test_three_shipments_to_one_locker_are_one_stop() -> None:
    # Three customers, one parcel each: service = 120 + 3 * 30 = 210 s, at the locker, in its
    # opening hours; penalty 100 + 200 + 300 = 600; skills united; release the latest.
    b = batch(
        order("A1", penalty=100, skills=frozenset({"id-check"})),
        order("B1", "bob", location=FAR, penalty=200, release_time=9 * H),
        order("C1", "carol", location=FAR, penalty=300),
    )
    result, stops = stops_for(b, dict.fromkeys(("A1", "B1", "C1"), "locker"))
    (stop,) = stops.orders
    assert stop.id == "stop:L1"
    assert (stop.customer, stop.location, stop.time_windows) == (
        "L1",
        LOCKER.location,
        LOCKER.opening,
    )
    assert stop.service_time == 210
    assert [p.id for p in stop.parcels] == ["A1/p1", "B1/p1", "C1/p1"]
    assert all(p.size is None for p in stop.parcels)
    assert (stop.penalty, stop.skills, stop.release_time) == (600, {"id-check"}, 9 * H)
    assert stop.vehicle_types == frozenset()  # no zone: every type
    assert stops.sites == {"stop:L1": "L1"}
    assert stops.order_ids("stop:L1", result) == ("A1", "B1", "C1")


def test_locker_stop_keeps_parcel_sizes_and_counts_boxes() -> None:
    # A1+1 packs into one S box; B1 has one ready parcel: 2 parcels -> 120 + 2 * 30 = 180 s.
    b = batch(
        order("A1", parcels=(), items=(Item("shoe", 100, 100, 50, weight=400),)),
        order("A2", parcels=(), items=(Item("sock", 100, 100, 50, weight=100),)),
        order("B1", "bob"),
    )
    result, stops = stops_for(b, {"A1+1": "locker", "B1": "locker"})
    (stop,) = stops.orders
    assert stop.parcels == (
        Parcel("A1+1/A1+1-box1", 550, 6_000, "S"),
        Parcel("B1/p1", 1_000, 2_000),
    )
    assert stop.service_time == 180
    assert stops.order_ids("stop:L1", result) == ("A1", "A2", "B1")


def test_split_keys_keep_locker_stops_of_different_vehicles_apart() -> None:
    b = batch(order("A1"), order("B1", "bob"), order("C1", "carol"))
    _, stops = stops_for(
        b, dict.fromkeys(("A1", "B1", "C1"), "locker"), split={"A1": "van-1", "C1": "van-1"}
    )
    assert dict(stops.members) == {"stop:L1": ("A1", "C1"), "stop:L1#2": ("B1",)}
    assert [s.service_time for s in stops.orders] == [120 + 2 * 30, 120 + 30]


def test_zone_restriction_sets_the_stop_vehicle_types() -> None:
    # The centre admits bikes only: the home stop inside gets {"bike"}; the one outside may
    # take any type (frozenset()).
    fleet = Fleet((vehicle_type("van"), vehicle_type("bike", capacity_weight=30_000)))
    b = batch(order("A1"), order("B1", "bob", location=FAR), fleet=fleet, zones=(CENTRE,))
    _, stops = stops_for(b, {"A1": "home", "B1": "home"})
    assert [(s.id, s.vehicle_types) for s in stops.orders] == [
        ("stop:A1", frozenset({"bike"})),
        ("stop:B1", frozenset()),
    ]
    # Given rules are used as they are: without zones, the centre admits every type.
    consolidation = consolidate(b)
    choices = {s.id: at_home(s) for s in consolidation.shipments}
    free = build_stops(b, consolidation, choices, rules=ZoneRules((), fleet))
    assert [s.vehicle_types for s in free.orders] == [frozenset(), frozenset()]


def test_zone_and_order_types_that_do_not_meet_are_refused_or_kept_apart() -> None:
    fleet = Fleet((vehicle_type("van"), vehicle_type("bike"), vehicle_type("truck")))
    b = batch(order("A1", vehicle_types=frozenset({"van"})), fleet=fleet, zones=(CENTRE,))
    with pytest.raises(ValueError, match="centre"):
        stops_for(b, {"A1": "home"})
    # Outside any zone, a van-only and a bike-only shipment at one locker cannot share a vehicle.
    far_locker = dataclasses.replace(LOCKER, location=FAR)
    b = batch(
        order("A1", vehicle_types=frozenset({"van"})),
        order("B1", "bob", vehicle_types=frozenset({"bike"})),
        order("C1", "carol", vehicle_types=frozenset({"van", "bike"})),
        fleet=fleet,
        zones=(CENTRE,),
        pickup_points=(far_locker,),
    )
    _, stops = stops_for(b, dict.fromkeys(("A1", "B1", "C1"), "locker"))
    assert [(s.id, s.vehicle_types) for s in stops.orders] == [
        ("stop:L1", frozenset({"van"})),
        ("stop:L1#2", frozenset({"bike"})),
    ]
    assert dict(stops.members) == {"stop:L1": ("A1", "C1"), "stop:L1#2": ("B1",)}


def test_an_overweight_locker_stop_is_split() -> None:
    # The van takes 100 kg; three 40 kg shipments (120 kg) at the locker. First fit decreasing
    # by weight: 40 + 40 = 80 kg, then 40 kg.
    heavy = (Parcel("p1", 40_000, 2_000),)
    b = batch(
        order("A1", parcels=heavy),
        order("B1", "bob", parcels=heavy),
        order("C1", "carol", parcels=heavy),
    )
    _, stops = stops_for(b, dict.fromkeys(("A1", "B1", "C1"), "locker"))
    assert dict(stops.members) == {"stop:L1": ("A1", "B1"), "stop:L1#2": ("C1",)}
    assert [s.weight for s in stops.orders] == [80_000, 40_000]
    assert [s.service_time for s in stops.orders] == [120 + 2 * 30, 120 + 30]
    assert stops.sites == {"stop:L1": "L1", "stop:L1#2": "L1"}


def test_a_shipment_too_heavy_for_any_vehicle_is_never_split() -> None:
    # 3 parcels of 60, 50 and 30 kg at home, van 100 kg: the 140 kg order stays one
    # stop, which the router leaves unassigned with reason capacity.
    parcels = (Parcel("a", 60_000, 1), Parcel("b", 50_000, 1), Parcel("c", 30_000, 1))
    b = batch(order("A1", parcels=parcels, service_time=60))
    result, stops = stops_for(b, {"A1": "home"})
    assert [(s.id, [p.id for p in s.parcels]) for s in stops.orders] == [
        ("stop:A1", ["A1/a", "A1/b", "A1/c"]),
    ]
    assert stops.order_ids("stop:A1", result) == ("A1",)


def test_shipments_without_a_choice_get_no_stop_and_bad_choices_are_refused() -> None:
    b = batch(order("A1"), order("B1", "bob"))
    result = consolidate(b)
    a1 = result.shipment("A1")
    stops = build_stops(b, result, {"A1": at_home(a1)})
    assert [s.id for s in stops.orders] == ["stop:A1"]
    with pytest.raises(ValueError, match="choices"):
        build_stops(b, result, {"Z": at_home(a1)})
    with pytest.raises(ValueError, match="choices"):
        build_stops(b, result, {"B1": at_home(a1)})
