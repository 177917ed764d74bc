"""Pickup-point assignment, sequential method: candidates, capacities, quota, explanations.

The fixtures sit in Lyon, 45.76 N 4.84 E. With the detour factor 1.0 a step of
0.003 degrees of latitude is 6 371 009 m * pi / 180 * 0.003 = 333.6 m, so
334 m of walking, and 0.006 degrees is 667.2 m, so 667 m.

Unless a test says otherwise the fleet is one van that costs 0 per kilometre
and 36.00 EUR an hour, i.e. one cent per second, so that the cost estimate is
time only and easy to work out by hand:

* home delivery costs the shipment's service time: 300 s -> 300 cents;
* pickup point ``P``: stop 200 s paid once by the point, plus 30 s per parcel.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math

import pytest

from optimizer.assignment import assign_pickup_points, candidates, walking_distance
from optimizer.domain import Depot, Fleet, Location, Order, Parcel, TimeWindow, VehicleType
from optimizer.domain.batch import Batch, BatchOptions
from optimizer.domain.delivery import (
    Assignment,
    DeliveryOption,
    OptionKind,
    PickupPoint,
    ServiceZone,
)
from optimizer.engines.assignment_cpsat import AssignmentModel, Limit, solve
from optimizer.travel import GeodesicProvider
from optimizer.zones import ZoneRules

H = 3600
DAY = TimeWindow(8 * H, 18 * H)
HOME = DeliveryOption(OptionKind.HOME)

VAN = VehicleType(
    id="van",
    count=2,
    capacity_weight=500_000,
    capacity_volume=5_000_000,
    capacity_parcels=100,
    start_depot="D",
    end_depot="D",
    shift=TimeWindow(7 * H, 19 * H),
    cost_per_km=0,
    cost_per_hour=3600,
)
BIKE = dataclasses.replace(VAN, id="bike")


def at(dlat: float = 0.0, dlon: float = 0.0) -> Location:
    return Location(45.76 + dlat, 4.84 + dlon)


def home(rank: int = 0, cost: int = 0) -> DeliveryOption:
    return DeliveryOption(OptionKind.HOME, rank=rank, cost=cost)


def pp(point: str, rank: int = 0, cost: int = 0) -> DeliveryOption:
    return DeliveryOption(OptionKind.PICKUP_POINT, rank=rank, cost=cost, pickup_point=point)


def any_pp(max_walk: int, rank: int = 0) -> DeliveryOption:
    return DeliveryOption(OptionKind.ANY_PICKUP_POINT, rank=rank, max_walk=max_walk)


def shipment(sid: str, *options: DeliveryOption, sizes: str = "M", **changes: object) -> Order:
    parcels = tuple(Parcel(f"{sid}{k}", 1000, 5000, size) for k, size in enumerate(sizes))
    base = Order(sid, sid, at(), parcels, (DAY,), service_time=300, options=options)
    return dataclasses.replace(base, **changes)


def point(pid: str = "P", dlat: float = 0.0, **changes: object) -> PickupPoint:
    base = PickupPoint(pid, at(dlat), (DAY,), stop_time=200, parcel_time=30)
    return dataclasses.replace(base, **changes)


def locker(
    pid: str = "LCK-1", free: dict[str, int] | None = None, **changes: object
) -> PickupPoint:
    """A locker with 4 compartments of each size, all but ``free`` occupied."""
    free = free or {}
    return point(
        pid,
        compartments={"S": 4, "M": 4, "L": 4},
        occupied={s: 4 - free.get(s, 0) for s in "SML"},
        **changes,
    )


def batch(
    shipments: tuple[Order, ...],
    points: tuple[PickupPoint, ...] = (),
    *,
    fleet: tuple[VehicleType, ...] = (VAN,),
    zones: tuple[ServiceZone, ...] = (),
    **options: object,
) -> Batch:
    opts = {"detour_factor": 1.0, **options}
    return Batch(
        name="lyon",
        date=dt.date(2026, 12, 3),
        timezone="Europe/Paris",
        orders=shipments,
        depots=(Depot("D", at(-0.02), TimeWindow(6 * H, 21 * H)),),
        fleet=Fleet(fleet),
        options=BatchOptions(**opts),  # type: ignore[arg-type]
        pickup_points=points,
        zones=zones,
    )


def assign(b: Batch, members: dict[str, list[str]] | None = None) -> Assignment:
    return assign_pickup_points(b, b.orders, members or {}, time_limit=5.0, seed=1)


def rules(b: Batch) -> ZoneRules:
    return ZoneRules(b.zones, b.fleet)


# -- walking distance ----------------------------------------------------------


def test_walking_distance_is_great_circle_times_detour_rounded() -> None:
    a, b = at(), at(0.01)
    # 6 371 009 m * pi / 180 * 0.01 = 1111.95 m; * 1.3 = 1445.5 -> 1446
    assert walking_distance(a, b, 1.3) == 1446
    assert walking_distance(a, b, 1.0) == 1112
    assert walking_distance(a, b, 1.3) == round(GeodesicProvider(1.3).distance(a, b))
    assert walking_distance(a, a, 2.0) == 0


# -- candidates ----------------------------------------------------------------


def test_full_locker_is_rejected_and_home_is_kept() -> None:
    s = shipment("A", pp("LCK-1"), home(rank=1))
    b = batch((s,), (locker(free={"S": 3}),))
    found, refused = candidates(b, s, rules(b))
    assert [c.site for c in found] == ["home"]
    # one M parcel needs an M or L compartment: 0 free
    assert [(r.option, r.site) for r in refused] == [(0, "LCK-1")]
    assert "full (0 free M or L compartments for 1 M or L parcel)" in refused[0].reason


def test_large_parcel_cannot_use_small_or_medium_compartments() -> None:
    s = shipment("A", pp("SM"), pp("LCK-1", rank=1), home(rank=2), sizes="L")
    small_medium = point("SM", compartments={"S": 5, "M": 5})
    no_free_l = locker(free={"S": 4, "M": 4})  # 8 free compartments, none L
    b = batch((s,), (small_medium, no_free_l))
    found, refused = candidates(b, s, rules(b))
    assert [c.site for c in found] == ["home"]
    reasons = {r.site: r.reason for r in refused}
    assert "no compartment of size L or larger" in reasons["SM"]
    assert "0 free L compartments for 1 L parcel" in reasons["LCK-1"]
    # a small parcel is fine in the same lockers (nested sizes)
    small = shipment("B", pp("SM"), pp("LCK-1", rank=1), sizes="S")
    found, refused = candidates(b, small, rules(b))
    assert [c.site for c in found] == ["SM", "LCK-1"]
    assert refused == []


def test_walking_limit_excludes_a_far_pickup_point() -> None:
    s = shipment("A", any_pp(500), home(rank=1))
    near, far = point("NEAR", 0.003), point("FAR", 0.006)
    b = batch((s,), (far, near, point("AWAY", 0.05)))
    found, refused = candidates(b, s, rules(b))
    # NEAR is 334 m away, FAR 667 m > 500 m; AWAY (5.6 km) is not even listed
    assert [(c.site, c.walk) for c in found] == [("NEAR", 334), ("home", 0)]
    assert [r.site for r in refused] == ["FAR"]
    assert "667 m away, more than the 500 m walking limit" in refused[0].reason
    assignment = assign(b)
    assert assignment.choices[0].candidate.site in {"NEAR", "home"}


def test_any_pickup_point_with_nothing_near_names_the_nearest() -> None:
    s = shipment("A", any_pp(100), home(rank=1))
    b = batch((s,), (point("AWAY", 0.05),))
    _, refused = candidates(b, s, rules(b))
    assert len(refused) == 1
    assert "no pickup point within 100 m" in refused[0].reason
    assert "'AWAY'" in refused[0].reason


def test_zone_for_cargo_bikes_rejects_a_van_only_shipment() -> None:
    # a square of about 150 m around the pickup point, cargo bikes only
    centre = ServiceZone(
        "centre",
        ((4.839, 45.762), (4.841, 45.762), (4.841, 45.764), (4.839, 45.764)),
        vehicle_types=frozenset({"bike"}),
    )
    vans_only = shipment("A", pp("P"), home(rank=1), vehicle_types=frozenset({"van"}))
    any_vehicle = shipment("B", pp("P"), home(rank=1))
    b = batch((vans_only, any_vehicle), (point("P", 0.003),), fleet=(VAN, BIKE), zones=(centre,))
    found, refused = candidates(b, vans_only, rules(b))
    assert [c.site for c in found] == ["home"]
    assert refused[0].site == "P" and "'centre'" in refused[0].reason
    found, refused = candidates(b, any_vehicle, rules(b))
    assert [c.site for c in found] == ["P", "home"] and refused == []


def test_home_is_rejected_when_no_vehicle_has_the_skills() -> None:
    s = shipment("A", skills=frozenset({"cold"}))
    b = batch((s,))
    found, refused = candidates(b, s, rules(b))
    assert found == []
    assert refused[0].site == "home" and "cold" in refused[0].reason
    assignment = assign(b)
    assert assignment.choices == ()
    assert assignment.unserved[0][0] == "A" and "cold" in assignment.unserved[0][1]
    assert assignment.rejected == tuple(refused)


def test_pickup_point_closed_during_every_shift_is_rejected() -> None:
    s = shipment("A", pp("P"), home(rank=1))
    evening = point("P", opening=(TimeWindow(20 * H, 22 * H),))
    b = batch((s,), (evening,))
    found, refused = candidates(b, s, rules(b))
    assert [c.site for c in found] == ["home"]
    assert "20:00:00-22:00:00" in refused[0].reason and "07:00:00-19:00:00" in refused[0].reason


def test_capacity_and_weight_reject_a_shipment_even_alone() -> None:
    s = shipment("A", pp("SHOP"), pp("LIGHT", rank=1), home(rank=2), sizes="MM")
    shop = point("SHOP", capacity=1)
    light = point("LIGHT", max_parcel_weight=500)  # parcels weigh 1 kg
    b = batch((s,), (shop, light))
    found, refused = candidates(b, s, rules(b))
    assert [c.site for c in found] == ["home"]
    reasons = {r.site: r.reason for r in refused}
    assert "full (takes 1 parcel today, 2 needed)" in reasons["SHOP"]
    assert "1 kg" in reasons["LIGHT"] and "0.5 kg" in reasons["LIGHT"]


def test_a_site_reached_by_two_options_keeps_the_better_rank() -> None:
    s = shipment("A", any_pp(1000, rank=1), pp("P", rank=0), home(rank=2))
    b = batch((s,), (point("P", 0.003),))
    found, _ = candidates(b, s, rules(b))
    assert [(c.site, c.option, c.rank, c.walk) for c in found] == [
        ("P", 1, 0, 334),
        ("home", 2, 2, 0),
    ]


# -- assignment ----------------------------------------------------------------


def test_empty_batch() -> None:
    assignment = assign_pickup_points(batch(()), [], {})
    assert assignment.choices == () and assignment.unserved == ()
    assert assignment.method == "sequential"


def test_home_only_batch_delivers_every_shipment_home() -> None:
    shipments = (
        shipment("A"),
        shipment("B", location=at(0.003)),
        shipment("C", location=at(0.006)),
    )
    assignment = assign(batch(shipments))
    assert [c.candidate.site for c in assignment.choices] == ["home"] * 3
    for choice in assignment.choices:
        # 0 per km, so the estimate is the 300 s of service at 1 cent/s
        assert choice.estimate == 300
        assert choice.explanation == "first choice: home; no other option"
        assert choice.next_best is None and choice.next_best_delta is None


def test_stop_estimate_is_the_mean_distance_to_the_two_nearest_sites() -> None:
    # 1 EUR per km, no hourly cost. Homes A (0), B (+0.003), C (+0.006), no pickup points:
    # A: nearest B 334 m and C 667 m -> mean 500.5 m -> 50.05 cents -> 50
    # B: A and C, 334 m each -> 33.4 -> 33;   C like A -> 50
    per_km = dataclasses.replace(VAN, cost_per_km=100, cost_per_hour=0)
    shipments = (
        shipment("A"),
        shipment("B", location=at(0.003)),
        shipment("C", location=at(0.006)),
    )
    assignment = assign(
        batch(shipments, fleet=(per_km, dataclasses.replace(VAN, id="dear", cost_per_km=200)))
    )
    assert {c.shipment_id: c.estimate for c in assignment.choices} == {"A": 50, "B": 33, "C": 50}


def test_full_locker_forces_home_delivery() -> None:
    s = shipment("A", pp("LCK-1"), home(rank=1))
    assignment = assign(batch((s,), (locker(free={"S": 4}),)))
    choice = assignment.choices[0]
    assert choice.candidate.site == "home" and choice.candidate.rank == 1
    assert choice.explanation.startswith("home (rank 1): locker 'LCK-1' full (0 free M or L")
    assert [r.site for r in assignment.rejected] == ["LCK-1"]
    assert choice.next_best is None


def test_one_free_compartment_goes_to_exactly_one_of_two_parcels() -> None:
    a = shipment("A", pp("LCK-1"), home(rank=1))
    b = shipment("B", pp("LCK-1"), home(rank=1), location=at(0.003))
    assignment = assign(batch((a, b), (locker(free={"M": 1}),)))
    sites = sorted(c.candidate.site for c in assignment.choices)
    assert sites == ["LCK-1", "home"]
    at_home = next(c for c in assignment.choices if c.candidate.site == "home")
    # the other parcel took the only free M compartment
    assert at_home.explanation == (
        "home (rank 1): locker 'LCK-1' full given the other choices "
        "(1 free M or L compartment for 2 M or L parcels); no other option fits"
    )
    assert at_home.next_best is None
    assert assignment.rejected == () and assignment.unserved == ()


def test_compartments_are_nested_by_size() -> None:
    # one free M compartment, nothing else: a small and a medium parcel both want it
    small = shipment("A", pp("LCK-1"), home(rank=1), sizes="S")
    medium = shipment("B", pp("LCK-1"), home(rank=1), sizes="M")
    assignment = assign(batch((small, medium), (locker(free={"M": 1}),)))
    assert sum(c.candidate.site == "LCK-1" for c in assignment.choices) == 1
    # two free M compartments take two small parcels
    small2 = shipment("B", pp("LCK-1"), home(rank=1), sizes="S")
    assignment = assign(batch((small, small2), (locker(free={"M": 2}),)))
    assert [c.candidate.site for c in assignment.choices] == ["LCK-1", "LCK-1"]


def test_shop_capacity_counts_parcels() -> None:
    a = shipment("A", pp("SHOP"), home(rank=1), sizes="MM")
    b = shipment("B", pp("SHOP"), home(rank=1))
    assignment = assign(batch((a, b), (point("SHOP", capacity=2),)))
    # A (2 parcels) and B (1) do not both fit 2 parcels. A at SHOP: 200 + 60 = 260 against
    # 300 at home, saves 40; B at SHOP: 200 + 30 = 230 against 300, saves 70 -> B takes it
    assert {c.shipment_id: c.candidate.site for c in assignment.choices} == {
        "A": "home",
        "B": "SHOP",
    }


def test_pickup_point_only_shipment_that_does_not_fit_is_unserved() -> None:
    a = shipment("A", pp("LCK-1"))
    b = shipment("B", pp("LCK-1"))
    assignment = assign(batch((a, b), (locker(free={"M": 1}),)))
    assert len(assignment.choices) == 1 and assignment.choices[0].candidate.site == "LCK-1"
    assert len(assignment.unserved) == 1
    assert assignment.unserved[0][1] == (
        "no option fits given the other choices: locker 'LCK-1' full given the other "
        "choices (1 free M or L compartment for 2 M or L parcels)"
    )


def test_shared_pickup_point_is_cheaper_than_two_homes() -> None:
    # both at P: 200 (stop) + 30 + 30 = 260; both home: 600; one each: 530
    a = shipment("A", home(), pp("P", rank=1))
    b = shipment("B", home(), pp("P", rank=1), location=at(0.003))
    assignment = assign(batch((a, b), (point("P", 0.006),)))
    choices = assignment.by_shipment()
    assert [choices[s].candidate.site for s in "AB"] == ["P", "P"]
    # the stop is split: 230 + 30 = 260 = 130 + 130
    assert [choices[s].estimate for s in "AB"] == [130, 130]
    # A going home instead: 300 against 30 (the stop stays for B) -> +2.70 EUR
    assert choices["A"].next_best_delta == 270
    assert choices["A"].explanation == (
        "pickup point 'P' instead of home (rank 1), shared stop with 1 other parcel: "
        "saves an estimated 2.70 EUR; next best: home (rank 0), +2.70 EUR"
    )


def test_quota_forces_a_costlier_first_choice() -> None:
    # quota 50 % of 2 orders -> at least 1 at rank 0 (home): one home (300), one at P (230)
    a = shipment("A", home(), pp("P", rank=1))
    b = shipment("B", home(), pp("P", rank=1), location=at(0.003))
    assignment = assign(batch((a, b), (point("P", 0.006),), min_first_choice_pct=50))
    choices = assignment.by_shipment()
    assert sorted(c.candidate.site for c in choices.values()) == ["P", "home"]
    first = next(c for c in choices.values() if c.candidate.site == "home")
    other = next(c for c in choices.values() if c.candidate.site == "P")
    assert (first.estimate, other.estimate) == (300, 230)
    # moving to P, already visited: 30 instead of 300
    assert first.next_best_delta == -270
    assert "kept for the 50 % first-choice quota" in first.explanation
    assert "would save an estimated 2.70 EUR" in first.explanation
    # home instead of P: 300 against 230 (P would close)
    assert other.next_best_delta == 70
    assert "saves an estimated 0.70 EUR, quota allows it" in other.explanation


def test_quota_counts_member_orders() -> None:
    # 4 orders, quota 50 % -> 2 at first choice: only A (3 orders) at home can do it
    a = shipment("A", home(), pp("P", rank=1))
    b = shipment("B", home(), pp("P", rank=1), location=at(0.003))
    b_ = batch((a, b), (point("P", 0.006),), min_first_choice_pct=50)
    assignment = assign(b_, {"A": ["a1", "a2", "a3"], "B": ["b1"]})
    choices = assignment.by_shipment()
    assert (choices["A"].candidate.site, choices["B"].candidate.site) == ("home", "P")


def test_unreachable_quota_is_reported_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    # A's first choice is a full locker: at most 1 of 2 orders at first choice, 2 needed.
    # The quota is dropped, not the cost: A goes to P (230) rather than home (300)
    a = shipment("A", pp("LCK-1"), pp("P", rank=1), home(rank=2))
    b = shipment("B", home(), location=at(0.003))
    b_ = batch((a, b), (locker(free={}), point("P", 0.006)), min_first_choice_pct=100)
    with caplog.at_level(logging.WARNING):
        assignment = assign(b_)
    choices = assignment.by_shipment()
    assert choices["A"].candidate.site == "P" and choices["B"].candidate.site == "home"
    assert choices["A"].explanation == (
        "pickup point 'P' (rank 1), own stop: locker 'LCK-1' full "
        "(0 free M or L compartments for 1 M or L parcel); next best: home (rank 2), "
        "+0.70 EUR; first-choice quota not met (quota_met: False): 1 of 2 orders at first "
        "choice, 2 needed"
    )
    assert "quota_met" not in choices["B"].explanation
    assert any("quota not met" in r.message for r in caplog.records)


def test_option_cost_makes_a_pickup_point_lose() -> None:
    # P costs 4.00 EUR per shipment: both at P 260 + 800 = 1060 > 600 for both at home
    a = shipment("A", home(), pp("P", rank=1, cost=400))
    b = shipment("B", home(), pp("P", rank=1, cost=400), location=at(0.003))
    assignment = assign(batch((a, b), (point("P", 0.006),)))
    choices = assignment.by_shipment()
    assert [choices[s].candidate.site for s in "AB"] == ["home", "home"]
    # A to P alone: 400 + 30 + 200 (the stop) = 630 against 300 at home
    assert choices["A"].next_best is not None and choices["A"].next_best.site == "P"
    assert choices["A"].next_best_delta == 330
    assert choices["A"].explanation == (
        "first choice: home; next best: pickup point 'P' (rank 1), +3.30 EUR"
    )


def test_rank_cost_makes_a_pickup_point_lose() -> None:
    # rank 1 costs 1.50 EUR: both at P 260 + 300 = 560 < 600, still P;
    # at 2.00 EUR: 260 + 400 = 660 > 600 -> both home
    a = shipment("A", home(), pp("P", rank=1))
    b = shipment("B", home(), pp("P", rank=1), location=at(0.003))
    cheap = assign(batch((a, b), (point("P", 0.006),), rank_cost=150))
    assert [c.candidate.site for c in cheap.choices] == ["P", "P"]
    dear = assign(batch((a, b), (point("P", 0.006),), rank_cost=200))
    assert [c.candidate.site for c in dear.choices] == ["home", "home"]


def test_deltas_never_undercut_without_quota() -> None:
    # a small mixed day: the chosen options are locally optimal when nothing binds
    shipments = tuple(
        shipment(f"S{k}", home(), any_pp(800, rank=1), location=at(0.001 * k, 0.001 * (k % 3)))
        for k in range(8)
    )
    points = (
        point("P1", 0.002),
        point("P2", 0.006),
        locker("L1", free={"M": 2}, location=at(0.004)),
    )
    assignment = assign(batch(shipments, points, rank_cost=20))
    assert assign(batch(shipments, points, rank_cost=20)) == assignment  # same seed, same answer
    assert len(assignment.choices) == 8
    for c in assignment.choices:
        assert c.next_best_delta is None or c.next_best_delta >= 0
        assert c.estimate >= 0
    assert sum(c.candidate.site == "L1" for c in assignment.choices) <= 2


def test_duplicate_shipment_ids_are_refused() -> None:
    a = shipment("A")
    with pytest.raises(ValueError, match="^shipments: duplicate id 'A'"):
        assign_pickup_points(batch((a,)), [a, a], {})


def test_need_is_rounded_up() -> None:
    # 3 orders at 50 % -> ceil(1.5) = 2 at first choice
    shipments = tuple(
        shipment(s, home(), pp("P", rank=1), location=at(0.001 * k)) for k, s in enumerate("ABC")
    )
    assignment = assign(batch(shipments, (point("P", 0.003),), min_first_choice_pct=50))
    firsts = sum(c.candidate.rank == 0 for c in assignment.choices)
    assert firsts == math.ceil(1.5)


# -- engine --------------------------------------------------------------------


def test_engine_serves_shipments_before_the_quota() -> None:
    # candidate 0: shipment 0 at locker 0 (rank 1, its only option);
    # candidates 1, 2: shipment 1 at locker 0 (rank 0) or home. One slot at the locker.
    # Meeting the quota (1) would leave shipment 0 out: it is served instead.
    model = AssignmentModel(
        groups=((0,), (1, 2)),
        cost=(0, 0, 500),
        site=(0, 0, -1),
        site_cost=(100,),
        first=(0, 1, 0),
        limits=(Limit(1, ((0, 1), (1, 1))),),
        droppable=(True, False),
        need_first=1,
    )
    found = solve(model, time_limit=2.0, seed=0)
    assert found.chosen == (0, 2)
    assert (found.objective, found.first, found.quota_met) == (600, 0, False)


def test_engine_model_is_checked() -> None:
    with pytest.raises(ValueError, match="^groups must hold every candidate"):
        AssignmentModel(groups=((0,),), cost=(0, 1), site=(-1, -1), site_cost=(), first=(0, 0))
    with pytest.raises(ValueError, match="^site must hold"):
        AssignmentModel(groups=((0,),), cost=(0,), site=(), site_cost=(), first=(0,))
