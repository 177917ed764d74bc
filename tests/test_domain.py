"""The domain dataclasses: each bad field raises ValueError naming it; objects are frozen."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

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
from optimizer.domain.batch import Batch, BatchOptions
from optimizer.domain.time_window import earliest_start, normalise_windows
from optimizer.domain.units import format_clock
from optimizer.travel import GeodesicProvider

H = 3600
DAY = TimeWindow(8 * H, 18 * H)


def parcel(pid: str = "p1", weight: int = 1500, volume: int = 2000) -> Parcel:
    return Parcel(pid, weight, volume)


def order(oid: str = "A", **changes: object) -> Order:
    base = Order(oid, "alice", Location(45.76, 4.84), (parcel(),), (DAY,))
    return dataclasses.replace(base, **changes)


def vehicle_type(**changes: object) -> VehicleType:
    base = VehicleType(
        id="van",
        count=2,
        capacity_weight=100_000,
        capacity_volume=500_000,
        capacity_parcels=10,
        start_depot="D",
        end_depot="D",
        shift=TimeWindow(7 * H, 17 * H),
    )
    return dataclasses.replace(base, **changes)


DEPOT = Depot("D", Location(45.70, 4.89), TimeWindow(6 * H, 21 * H))


# -- geo ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "name"),
    [
        (91.0, 4.8, "lat"),
        (-90.5, 4.8, "lat"),
        (math.nan, 4.8, "lat"),
        ("45.7", 4.8, "lat"),
        (True, 4.8, "lat"),
        (45.7, 180.1, "lon"),
        (45.7, math.inf, "lon"),
        (45.7, None, "lon"),
    ],
)
def test_location_rejects_bad_coordinates(lat: object, lon: object, name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} "):
        Location(lat, lon)  # type: ignore[arg-type]


def test_location_accepts_bounds() -> None:
    assert Location(-90, 180) == Location(-90.0, 180.0)


@pytest.mark.parametrize(("x", "y", "name"), [(math.inf, 0.0, "x"), (0.0, "1", "y")])
def test_planar_point_rejects_bad_coordinates(x: object, y: object, name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} "):
        PlanarPoint(x, y)  # type: ignore[arg-type]


# -- time windows ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "name"),
    [(-1, 10, "start"), (0, -1, "end"), (1.5, 10, "start"), (10, 9, "end")],
)
def test_time_window_rejects(start: object, end: object, name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name}"):
        TimeWindow(start, end)  # type: ignore[arg-type]


def test_time_window_end_before_start_says_both_times() -> None:
    with pytest.raises(ValueError, match=r"end \(09:00:00\) is before start \(10:00:00\)"):
        TimeWindow(10 * H, 9 * H)


def test_time_window_contains_and_intersect() -> None:
    w = TimeWindow(100, 200)
    assert w.contains(100) and w.contains(200) and not w.contains(201)
    assert w.intersect(TimeWindow(150, 300)) == TimeWindow(150, 200)
    assert w.intersect(TimeWindow(201, 300)) is None


def test_normalise_windows_sorts_and_merges() -> None:
    # [13-17] and [8-10] stay apart; [9-12] overlaps [8-10]; [12-12:30] touches the merged [8-12].
    windows = [
        TimeWindow(13 * H, 17 * H),
        TimeWindow(9 * H, 12 * H),
        TimeWindow(8 * H, 10 * H),
        TimeWindow(12 * H, 12 * H + 1800),
    ]
    assert normalise_windows(windows) == (
        TimeWindow(8 * H, 12 * H + 1800),
        TimeWindow(13 * H, 17 * H),
    )


def test_normalise_windows_needs_one() -> None:
    with pytest.raises(ValueError, match="^time_windows"):
        normalise_windows([])


def test_earliest_start_waits_or_takes_next_window() -> None:
    windows = (TimeWindow(100, 200), TimeWindow(300, 400))
    assert earliest_start(windows, 50) == 100
    assert earliest_start(windows, 250) == 300
    assert earliest_start(windows, 401) is None


def test_format_clock_allows_hours_past_midnight() -> None:
    assert format_clock(30 * H + 61) == "30:01:01"


# -- parcels and orders ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "name"),
    [({"id": ""}, "id"), ({"weight": -1}, "weight"), ({"volume": 2.5}, "volume")],
)
def test_parcel_rejects(changes: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} "):
        dataclasses.replace(parcel(), **changes)


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"id": " "}, "id"),
        ({"customer": ""}, "customer"),
        ({"parcels": ()}, "parcels"),
        ({"parcels": (parcel("x"), parcel("x"))}, "parcels"),
        ({"time_windows": ()}, "time_windows"),
        ({"service_time": -5}, "service_time"),
        ({"penalty": -100}, "penalty"),
    ],
)
def test_order_rejects(changes: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name}"):
        order(**changes)


def test_order_normalises_windows_and_skills() -> None:
    o = order(
        time_windows=(TimeWindow(13 * H, 17 * H), TimeWindow(8 * H, 14 * H)),
        skills=["cold", "cold"],
    )
    assert o.time_windows == (TimeWindow(8 * H, 17 * H),)
    assert o.skills == frozenset({"cold"})


def test_order_totals() -> None:
    o = order(parcels=(parcel("a", 1500, 2000), parcel("b", 500, 1000)), penalty=1500)
    assert (o.weight, o.volume, o.parcel_count, o.required) == (2000, 3000, 2, False)
    assert order().required


# -- fleet and depots --------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"id": ""}, "id"),
        ({"count": -1}, "count"),
        ({"capacity_weight": -1}, "capacity_weight"),
        ({"capacity_volume": 1.0}, "capacity_volume"),
        ({"capacity_parcels": -3}, "capacity_parcels"),
        ({"start_depot": ""}, "start_depot"),
        ({"end_depot": ""}, "end_depot"),
        ({"fixed_cost": -1}, "fixed_cost"),
        ({"cost_per_km": 0.35}, "cost_per_km"),
        ({"cost_per_hour": -1}, "cost_per_hour"),
        ({"co2_per_km": -1}, "co2_per_km"),
        ({"max_duration": 0}, "max_duration"),
        ({"max_stops": 0}, "max_stops"),
        ({"speed_kmh": 0}, "speed_kmh"),
    ],
)
def test_vehicle_type_rejects(changes: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} "):
        vehicle_type(**changes)


def test_fleet_names_vehicles_and_refuses_duplicate_types() -> None:
    fleet = Fleet((vehicle_type(), vehicle_type(id="ev", count=1)))
    assert [v.id for v in fleet.vehicles] == ["van-1", "van-2", "ev-1"]
    assert fleet.type("ev").count == 1
    with pytest.raises(KeyError):
        fleet.type("truck")
    with pytest.raises(ValueError, match="^types: duplicate vehicle type id 'van'"):
        Fleet((vehicle_type(), vehicle_type()))


def test_depot_rejects_empty_id() -> None:
    with pytest.raises(ValueError, match="^id "):
        Depot("", Location(45.7, 4.89), DAY)


# -- problems and plans ------------------------------------------------------


def test_routing_problem_build_and_checks() -> None:
    travel = GeodesicProvider(1.3)
    fleet = Fleet((vehicle_type(),))
    problem = RoutingProblem.build("t", (order("A"), order("B")), (DEPOT,), fleet, travel)
    assert problem.distances.shape == (3, 3)
    assert problem.order_index("B") == 2 and problem.depot_index("D") == 0
    with pytest.raises(ValueError, match="^orders: duplicate order id 'A'"):
        RoutingProblem.build("t", (order("A"), order("A")), (DEPOT,), fleet, travel)
    with pytest.raises(ValueError, match="start_depot 'X' is not a depot"):
        RoutingProblem.build("t", (), (DEPOT,), Fleet((vehicle_type(start_depot="X"),)), travel)
    with pytest.raises(ValueError, match="^distances"):
        dataclasses.replace(problem, distances=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="^arc_rounding"):
        dataclasses.replace(problem, arc_rounding="up")


def test_plan_parts_reject_bad_fields() -> None:
    with pytest.raises(ValueError, match="^order_id"):
        Visit("")
    with pytest.raises(ValueError, match="^vehicle_id"):
        Route("", (), 0)
    with pytest.raises(ValueError, match="^start"):
        Route("van-1", (), -1)
    with pytest.raises(ValueError, match="^order_id"):
        Unassigned("", Reason.SKILLS)
    with pytest.raises(ValueError, match="Reason"):
        Unassigned("A", "bogus")  # type: ignore[arg-type]
    assert Unassigned("A", "skills").reason is Reason.SKILLS  # type: ignore[arg-type]
    plan = Plan((Route("van-1", (Visit("A"), Visit("B")), 0),))
    assert plan.routed_order_ids == ("A", "B")


# -- batches -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"detour_factor": 0.9}, "detour_factor"),
        ({"detour_factor": math.nan}, "detour_factor"),
        ({"detour_factor": "1.3"}, "detour_factor"),
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit": 2.5}, "time_limit"),
        ({"seed": -1}, "seed"),
    ],
)
def test_batch_options_reject(changes: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} "):
        BatchOptions(**changes)  # type: ignore[arg-type]


def batch(**changes: object) -> Batch:
    base = Batch(
        name="tiny",
        date=dt.date(2026, 11, 24),
        timezone="Europe/Paris",
        orders=(order("A"), order("B")),
        depots=(DEPOT,),
        fleet=Fleet((vehicle_type(),)),
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"name": ""}, "name"),
        ({"date": "2026-11-24"}, "date"),
        ({"date": dt.datetime(2026, 11, 24, 8, 0)}, "date"),
        ({"timezone": "Europe/Lyon"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"orders": (order("A"), order("A"))}, "orders"),
        ({"orders": ("A",)}, r"orders\[0\]"),
        ({"depots": ()}, "depots"),
        ({"depots": (DEPOT, DEPOT)}, "depots"),
        ({"fleet": (vehicle_type(),)}, "fleet"),
        ({"fleet": Fleet((vehicle_type(end_depot="X"),))}, "fleet"),
        ({"options": None}, "options"),
    ],
)
def test_batch_rejects(changes: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name}"):
        batch(**changes)


def test_batch_coerces_lists_and_builds_problem() -> None:
    b = batch(orders=[order("A"), order("B")], options=BatchOptions(detour_factor=1.5))
    assert isinstance(b.orders, tuple)
    problem = b.to_problem()
    assert problem.name == "tiny" and problem.distances.shape == (3, 3)
    assert problem.travel == GeodesicProvider(1.5)
    assert (problem.arc_scale, problem.arc_rounding) == (1.0, "round")


@pytest.mark.parametrize(
    ("obj", "attr", "value"),
    [
        (Location(45.0, 4.0), "lat", 46.0),
        (TimeWindow(0, 10), "end", 20),
        (parcel(), "weight", 1),
        (order(), "penalty", 100),
        (vehicle_type(), "count", 3),
        (Fleet(()), "types", ()),
        (DEPOT, "id", "E"),
        (BatchOptions(), "seed", 1),
        (batch(), "name", "other"),
    ],
)
def test_objects_are_frozen(obj: object, attr: str, value: object) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, attr, value)
