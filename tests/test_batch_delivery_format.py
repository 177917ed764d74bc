"""Batch formats: pickup points, lockers, service zones, boxes, delivery options and items."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from optimizer.domain import Location, Parcel, TimeWindow
from optimizer.domain.batch import BatchOptions
from optimizer.domain.delivery import HOME, DeliveryOption, OptionKind, PickupPoint, ServiceZone
from optimizer.domain.packing import BoxType, Item
from optimizer.formats.batch import read_batch
from optimizer.formats.errors import InputError

PP = OptionKind.PICKUP_POINT
ANY = OptionKind.ANY_PICKUP_POINT

PRESQUILE = [[4.82, 45.75], [4.85, 45.75], [4.85, 45.775], [4.82, 45.775]]


def day() -> dict[str, Any]:
    """Two depots, a van and a cargo bike, a locker, a shop, two zones, two boxes, two orders."""
    return {
        "name": "lockers",
        "date": "2026-11-24",
        "timezone": "Europe/Paris",
        "options": {
            "min_first_choice_pct": 80,
            "rank_cost": 1.5,
            "assignment": "integrated",
            "consolidate": False,
        },
        "depots": [
            {"id": "D", "lat": 45.7, "lon": 4.89, "opening": {"start": "06:00", "end": "21:00"}},
            {"id": "HUB", "lat": 45.76, "lon": 4.83, "opening": {"start": "07:00", "end": "20:00"}},
        ],
        "pickup_points": [
            {
                "id": "LCK-1",
                "kind": "locker",
                "lat": 45.76,
                "lon": 4.835,
                "opening": {"start": "00:00", "end": "24:00"},
                "compartments": {"S": 20, "M": 10, "L": 4},
                "occupied": {"S": 5, "L": 4},
                "stop_min": 2,
                "parcel_time_s": 20,
                "max_parcel_weight_kg": 20,
            },
            {
                "id": "SHOP-1",
                "kind": "shop",
                "lat": 45.765,
                "lon": 4.84,
                "opening": [
                    {"start": "14:00", "end": "19:00"},
                    {"start": "09:00", "end": "12:30"},
                ],
                "capacity_parcels": 30,
                "stop_time_s": 180,
                "max_parcel_weight_kg": 12.5,
            },
        ],
        "zones": [
            {
                "id": "presquile",
                "polygon": copy.deepcopy(PRESQUILE),
                "vehicle_types": ["bike"],
                "depots": ["HUB"],
            },
            {
                "id": "east",
                "polygon": {
                    "type": "Polygon",
                    "coordinates": [[[4.86, 45.7], [4.95, 45.7], [4.95, 45.8], [4.86, 45.7]]],
                },
            },
        ],
        "boxes": [
            {
                "id": "BOX-S",
                "length_mm": 300,
                "width_mm": 200,
                "height_mm": 100,
                "max_weight_kg": 5,
                "cost": 0.45,
                "size_class": "S",
                "tare_kg": 0.12,
            },
            {
                "id": "BOX-L",
                "length_mm": 600,
                "width_mm": 400,
                "height_mm": 400,
                "max_weight_kg": 20,
                "cost": 1.2,
            },
        ],
        "vehicle_types": [
            {
                "id": "van",
                "count": 2,
                "capacity": {"weight_kg": 500, "volume_l": 4000, "parcels": 60},
                "start_depot": "D",
                "shift": {"start": "07:00", "end": "17:00"},
            },
            {
                "id": "bike",
                "count": 3,
                "capacity": {"weight_kg": 100, "volume_l": 400, "parcels": 20},
                "start_depot": "HUB",
                "shift": {"start": "08:00", "end": "16:00"},
                "zones": ["presquile"],
            },
        ],
        "orders": [
            {
                "id": "A",
                "lat": 45.76,
                "lon": 4.84,
                "parcels": [{"weight_kg": 1.5, "volume_l": 2.25, "size": "S"}],
                "time_windows": [{"start": "08:00", "end": "12:00"}],
                "delivery_options": [
                    {"type": "pickup_point", "pickup_point": "LCK-1"},
                    {"type": "home", "cost": 1.5},
                    {"type": "any_pickup_point", "max_walk_m": 500, "rank": 5, "cost": 0.99},
                ],
            },
            {
                "id": "B",
                "lat": 45.77,
                "lon": 4.86,
                "items": [
                    {
                        "id": "mug",
                        "length_mm": 120,
                        "width_mm": 90,
                        "height_mm": 100,
                        "weight_kg": 0.35,
                        "quantity": 2,
                        "upright": True,
                    },
                    {
                        "length_mm": 800,
                        "width_mm": 600,
                        "height_mm": 500,
                        "weight_kg": 25,
                        "ships_alone": True,
                    },
                ],
                "time_windows": [{"start": "08:00", "end": "12:00"}],
            },
        ],
    }


def setup_only() -> dict[str, Any]:
    data = day()
    del data["orders"]
    return data


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def assert_located(error: InputError, file: Path, row: int | str | None, field: str | None) -> None:
    """The error and its text name the file, the row and the field."""
    assert (error.file, error.row, error.field) == (str(file), row, field), str(error)
    where = [str(file)]
    if row is not None:
        where.append(f"row {row}" if isinstance(row, int) else row)
    if field is not None:
        where.append(f"field '{field}'")
    assert str(error).startswith(", ".join(where) + ": "), str(error)


# -- reading everything ------------------------------------------------------------


def test_json_delivery_parts_are_converted(tmp_path: Path) -> None:
    batch = read_batch(write_json(tmp_path / "day.json", day()))
    # rank_cost 1.5 EUR = 150 cents.
    assert batch.options == BatchOptions(
        min_first_choice_pct=80, rank_cost=150, assignment="integrated", consolidate=False
    )
    locker, shop = batch.pickup_points
    # stop_min 2 = 120 s; max_parcel_weight_kg 20 = 20000 g; "24:00" = 86400 s.
    assert locker == PickupPoint(
        id="LCK-1",
        location=Location(45.76, 4.835),
        opening=(TimeWindow(0, 86_400),),
        capacity=None,
        compartments={"S": 20, "M": 10, "L": 4},
        occupied={"S": 5, "L": 4},
        stop_time=120,
        parcel_time=20,
        max_parcel_weight=20_000,
    )
    assert locker.is_locker and locker.free == {"S": 15, "M": 10, "L": 0}
    # Windows sorted: 09:00 = 32400, 12:30 = 45000, 14:00 = 50400, 19:00 = 68400.
    assert shop == PickupPoint(
        id="SHOP-1",
        location=Location(45.765, 4.84),
        opening=(TimeWindow(32_400, 45_000), TimeWindow(50_400, 68_400)),
        capacity=30,
        stop_time=180,
        max_parcel_weight=12_500,
    )
    assert not shop.is_locker
    presquile, east = batch.zones
    assert presquile == ServiceZone(
        "presquile",
        ((4.82, 45.75), (4.85, 45.75), (4.85, 45.775), (4.82, 45.775)),
        frozenset({"bike"}),
        frozenset({"HUB"}),
    )
    # The GeoJSON outer ring, kept as given (closed).
    assert east == ServiceZone("east", ((4.86, 45.7), (4.95, 45.7), (4.95, 45.8), (4.86, 45.7)))
    # Sides stay in millimetres; 5 kg = 5000 g, 0.45 EUR = 45 cents, tare 0.12 kg = 120 g.
    assert batch.boxes == (
        BoxType("BOX-S", 300, 200, 100, max_weight=5_000, cost=45, size_class="S", tare=120),
        BoxType("BOX-L", 600, 400, 400, max_weight=20_000, cost=120),
    )
    van, bike = batch.fleet.types
    assert van.zones == frozenset() and bike.zones == frozenset({"presquile"})
    a, b = batch.orders
    assert a.parcels == (Parcel("A-1", 1500, 2250, size="S"),)
    # Rank defaults to the list position; 1.5 EUR = 150 cents, 0.99 EUR = 99 cents.
    assert a.options == (
        DeliveryOption(PP, rank=0, cost=0, pickup_point="LCK-1"),
        DeliveryOption(OptionKind.HOME, rank=1, cost=150),
        DeliveryOption(ANY, rank=5, cost=99, max_walk=500),
    )
    assert b.parcels == () and b.options == () and b.delivery_options == (HOME,)
    # 0.35 kg = 350 g per mug; the unnamed item is the order's second: "B-item2".
    assert b.items == (
        Item("mug", 120, 90, 100, weight=350, quantity=2, upright=True),
        Item("B-item2", 800, 600, 500, weight=25_000, ships_alone=True),
    )


def test_json_without_delivery_parts_has_defaults(tmp_path: Path) -> None:
    data = day()
    for key in ("pickup_points", "zones", "boxes", "options"):
        del data[key]
    del data["vehicle_types"][1]["zones"]
    del data["orders"][0]["delivery_options"]
    del data["orders"][1]
    batch = read_batch(write_json(tmp_path / "day.json", data))
    assert (batch.pickup_points, batch.zones, batch.boxes) == ((), (), ())
    assert batch.options == BatchOptions()
    assert batch.orders[0].options == () and batch.orders[0].delivery_options == (HOME,)


def test_json_order_with_items_may_list_parcels_too(tmp_path: Path) -> None:
    data = day()
    data["orders"][1]["parcels"] = []
    assert read_batch(write_json(tmp_path / "a.json", data)).orders[1].parcels == ()
    data["orders"][1]["parcels"] = [{"weight_kg": 2, "volume_l": 3}]
    assert read_batch(write_json(tmp_path / "b.json", data)).orders[1].parcels == (
        Parcel("B-1", 2000, 3000),
    )


CSV = """\
order_id,lat,lon,weight_kg,volume_l,tw_start,tw_end,delivery_options,max_walk_m
A,45.76,4.84,1.5,2.25,08:00,12:00,pp:LCK-1;home@1.5,
B,45.77,4.86,2,3,08:00,12:00,any@0.5; PP:SHOP-1 ;home;,400
C,45.78,4.87,1,1,08:00,12:00,,
"""


def test_csv_delivery_options_and_fleet_file_parts(tmp_path: Path) -> None:
    write_json(tmp_path / "fleet.json", setup_only())
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    batch = read_batch(path)
    a, b, c = batch.orders
    # Rank is the position in the cell; @1.5 = 150 cents, @0.5 = 50 cents.
    assert a.options == (
        DeliveryOption(PP, rank=0, pickup_point="LCK-1"),
        DeliveryOption(OptionKind.HOME, rank=1, cost=150),
    )
    # Keywords ignore case, blanks around entries and an empty trailing entry.
    assert b.options == (
        DeliveryOption(ANY, rank=0, cost=50, max_walk=400),
        DeliveryOption(PP, rank=1, pickup_point="SHOP-1"),
        DeliveryOption(OptionKind.HOME, rank=2),
    )
    assert c.options == () and c.delivery_options == (HOME,)
    # Pickup points, zones, boxes and options come from the fleet file.
    from_json = read_batch(write_json(tmp_path / "day.json", day()))
    assert batch.pickup_points == from_json.pickup_points
    assert batch.zones == from_json.zones
    assert batch.boxes == from_json.boxes
    assert batch.options == from_json.options
    assert batch.fleet == from_json.fleet


def test_csv_one_row_per_parcel_shares_options(tmp_path: Path) -> None:
    write_json(tmp_path / "fleet.json", setup_only())
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,parcel_id,lat,lon,weight_kg,volume_l,tw_start,tw_end,delivery_options\n"
        "A,a1,45.76,4.84,1,2,08:00,12:00,pp:LCK-1;home\n"
        "A,a2,45.76,4.84,1,2,08:00,12:00,pp:LCK-1 ; home\n",
        encoding="utf-8",
    )
    (order,) = read_batch(path).orders
    assert [p.id for p in order.parcels] == ["a1", "a2"]
    assert order.options == (
        DeliveryOption(PP, rank=0, pickup_point="LCK-1"),
        DeliveryOption(OptionKind.HOME, rank=1),
    )


# -- bad JSON ----------------------------------------------------------------------

A = "orders[0]"
OPT = "orders[0].delivery_options"
B = "orders[1]"
LOCKER = "pickup_points[0]"
ZONE = "zones[0]"
BIKE = "vehicle_types[1]"


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _repeat(key: str, k: int) -> Callable[[dict[str, Any]], None]:
    return lambda data: data[key].append(copy.deepcopy(data[key][k]))


BOW_TIE = [[4.82, 45.75], [4.85, 45.775], [4.85, 45.75], [4.82, 45.775]]


@pytest.mark.parametrize(
    ("change", "row", "field", "message"),
    [
        # unknown pickup point in an option, naming the ones that exist
        (
            _set(["orders", 0, "delivery_options", 0, "pickup_point"], "LCK-9"),
            f"{OPT}[0]",
            "pickup_point",
            "unknown pickup point 'LCK-9'; pickup points are LCK-1, SHOP-1",
        ),
        (
            _drop(["pickup_points"]),
            f"{OPT}[0]",
            "pickup_point",
            "unknown pickup point 'LCK-1'; the batch has no pickup_points",
        ),
        # option fields that do not match the option's type
        (
            _drop(["orders", 0, "delivery_options", 0, "pickup_point"]),
            f"{OPT}[0]",
            "pickup_point",
            "missing key: a pickup_point option names its pickup point",
        ),
        (
            _set(["orders", 0, "delivery_options", 1, "max_walk_m"], 300),
            f"{OPT}[1]",
            "max_walk_m",
            "max_walk_m is only for an any_pickup_point option, not home",
        ),
        (
            _set(["orders", 0, "delivery_options", 0, "max_walk_m"], 300),
            f"{OPT}[0]",
            "max_walk_m",
            "max_walk_m is only for an any_pickup_point option, not pickup_point",
        ),
        (
            _drop(["orders", 0, "delivery_options", 2, "max_walk_m"]),
            f"{OPT}[2]",
            "max_walk_m",
            "missing key: an any_pickup_point option needs a walking limit",
        ),
        (
            _set(["orders", 0, "delivery_options", 1, "pickup_point"], "LCK-1"),
            f"{OPT}[1]",
            "pickup_point",
            "only a pickup_point option names a pickup point, not home",
        ),
        (
            _set(["orders", 0, "delivery_options", 1, "type"], "locker"),
            f"{OPT}[1]",
            "type",
            "must be one of home, pickup_point, any_pickup_point, got 'locker'",
        ),
        (
            _set(["orders", 0, "delivery_options", 1, "cost"], -1),
            f"{OPT}[1]",
            "cost",
            "must be >= 0, got -1",
        ),
        (
            _set(["orders", 0, "delivery_options", 2, "max_walk_m"], 0),
            f"{OPT}[2]",
            "max_walk_m",
            "must be > 0, got 0",
        ),
        (
            _set(["orders", 0, "delivery_options", 2], {"type": "home"}),
            f"{OPT}[2]",
            "type",
            f"the same delivery option as {OPT}[1]",
        ),
        (_set(["orders", 0, "delivery_options"], []), A, "delivery_options", "must hold at least"),
        # unknown zone on a vehicle type; unknown vehicle type or depot in a zone
        (
            _set(["vehicle_types", 1, "zones"], ["centre"]),
            BIKE,
            "zones",
            "unknown zone 'centre'; zones are presquile, east",
        ),
        (
            _set(["zones", 0, "vehicle_types"], ["truck"]),
            ZONE,
            "vehicle_types",
            "unknown vehicle type 'truck'; vehicle types are van, bike",
        ),
        (
            _set(["zones", 0, "depots"], ["NOPE"]),
            ZONE,
            "depots",
            "unknown depot 'NOPE'; depots are D, HUB",
        ),
        # invalid polygons
        (
            _set(["zones", 0, "polygon"], PRESQUILE[:2]),
            ZONE,
            "polygon",
            "polygon must have at least three distinct vertices",
        ),
        (
            _set(["zones", 0, "polygon"], BOW_TIE),
            ZONE,
            "polygon",
            "polygon is not a valid ring: Self-intersection",
        ),
        (
            _set(["zones", 0, "polygon", 1], [45.75, 200]),
            ZONE,
            "polygon",
            "polygon[1] must be (lon, lat) in range, got (45.75, 200.0)",
        ),
        (
            _set(["zones", 0, "polygon", 2], [4.85]),
            ZONE,
            "polygon",
            "polygon[2] must be a [lon, lat] pair, got a list",
        ),
        (
            _set(["zones", 0, "polygon", 2], [4.85, "45.7"]),
            ZONE,
            "polygon",
            "polygon[2]: must be a number, got a string '45.7'",
        ),
        (
            _set(["zones", 0, "polygon"], [[4.8, 45.7], [4.81, 45.71], [4.82, 45.72]]),
            ZONE,
            "polygon",
            "polygon encloses no area: its vertices are in a line",
        ),
        (_set(["zones", 0, "polygon"], "POLYGON((...))"), ZONE, "polygon", "GeoJSON Polygon"),
        (
            _set(["zones", 1, "polygon", "type"], "MultiPolygon"),
            "zones[1]",
            "polygon",
            'must have "type": "Polygon", got \'MultiPolygon\'',
        ),
        (
            _set(["zones", 1, "polygon", "coordinates"], [BOW_TIE, PRESQUILE]),
            "zones[1]",
            "polygon",
            "polygons with holes are not supported",
        ),
        # size classes
        (
            _set(["pickup_points", 0, "compartments", "XL"], 2),
            f"{LOCKER}.compartments",
            "XL",
            "unknown size class; expected S, M or L",
        ),
        (
            _set(["pickup_points", 0, "compartments", "M"], -2),
            f"{LOCKER}.compartments",
            "M",
            "must be >= 0, got -2",
        ),
        (
            _set(["orders", 0, "parcels", 0, "size"], "XL"),
            "orders[0].parcels[0]",
            "size",
            "must be a size class S, M or L, got 'XL'",
        ),
        (
            _set(["boxes", 0, "size_class"], "s"),
            "boxes[0]",
            "size_class",
            "must be a size class S, M or L, got 's'",
        ),
        # occupied beyond compartments
        (
            _set(["pickup_points", 0, "occupied", "S"], 21),
            LOCKER,
            "occupied",
            "occupied[S]: 21 exceeds the 20 S compartments",
        ),
        (
            _set(["pickup_points", 0, "occupied", "M"], 11),
            LOCKER,
            "occupied",
            "occupied[M]: 11 exceeds the 10 M compartments",
        ),
        # the informative kind must not contradict the compartments
        (
            _set(["pickup_points", 1, "kind"], "locker"),
            "pickup_points[1]",
            "kind",
            "a locker needs compartments",
        ),
        (_set(["pickup_points", 0, "kind"], "shop"), LOCKER, "kind", "a shop has no compartments"),
        (_set(["pickup_points", 0, "kind"], "kiosk"), LOCKER, "kind", "must be shop or locker"),
        # pickup point fields
        (
            _set(["pickup_points", 0, "stop_time_s"], 60),
            LOCKER,
            "stop_min",
            "give stop_time_s or stop_min, not both",
        ),
        (_set(["pickup_points", 0, "opening"], []), LOCKER, "opening", "at least one window"),
        (
            _set(["pickup_points", 1, "opening", 0, "end"], "13:00"),
            "pickup_points[1].opening[0]",
            "end",
            "is before start",
        ),
        (
            _set(["pickup_points", 0, "max_parcel_weight_kg"], 0),
            LOCKER,
            "max_parcel_weight_kg",
            "must be > 0",
        ),
        (_set(["pickup_points", 1, "lat"], 95), "pickup_points[1]", "lat", "must be in [-90, 90]"),
        # items, boxes and parcels
        (
            _drop(["boxes"]),
            B,
            "items",
            "items need a box catalogue: add a top-level boxes list",
        ),
        (
            _set(["orders", 1, "items", 1, "ships_alone"], False),
            "orders[1].items[1]",
            "weight_kg",
            "item 'B-item2' weighs 25 kg, more than any box takes (20 kg); flag it ships_alone",
        ),
        (
            _set(["orders", 1, "items", 0, "length_mm"], 700),
            "orders[1].items[0]",
            None,
            "item 'mug' (700 x 90 x 100 mm) fits in no box type",
        ),
        (
            _set(["orders", 1, "items", 0, "quantity"], 0),
            "orders[1].items[0]",
            "quantity",
            "must be >= 1",
        ),
        (
            _set(["orders", 1, "items", 0, "upright"], "yes"),
            "orders[1].items[0]",
            "upright",
            "must be true or false",
        ),
        (_set(["boxes", 1, "max_weight_kg"], 0), "boxes[1]", "max_weight_kg", "must be > 0"),
        (_drop(["boxes", 1, "cost"]), "boxes[1]", "cost", "missing key"),
        (_drop(["orders", 1, "items"]), B, "parcels", "an order needs parcels or items"),
        (_set(["orders", 1, "items"], []), B, "items", "must hold at least one item"),
        # duplicate ids
        (_repeat("pickup_points", 0), "pickup_points[2]", "id", "duplicate pickup point id"),
        (_repeat("zones", 1), "zones[2]", "id", "duplicate zone id 'east' (first at zones[1])"),
        (_repeat("boxes", 0), "boxes[2]", "id", "duplicate box id 'BOX-S' (first at boxes[0])"),
        (
            _set(["orders", 1, "items", 1, "id"], "mug"),
            "orders[1].items[1]",
            "id",
            "duplicate item id 'mug' (first at orders[1].items[0])",
        ),
        # unknown keys
        (_set(["pickup_points", 0, "colour"], "red"), LOCKER, "colour", "unknown key"),
        (_set(["zones", 0, "name"], "x"), ZONE, "name", "unknown key"),
        (_set(["zones", 1, "polygon", "crs"], {}), "zones[1]", "polygon", "unknown GeoJSON key"),
        (_set(["boxes", 0, "depth_mm"], 1), "boxes[0]", "depth_mm", "unknown key"),
        (_set(["orders", 0, "delivery_options", 0, "walk"], 1), f"{OPT}[0]", "walk", "unknown key"),
        (_set(["orders", 1, "items", 0, "sku"], "x"), "orders[1].items[0]", "sku", "unknown key"),
        (_set(["options", "assign"], "best"), "options", "assign", "unknown key"),
        # batch options
        (
            _set(["options", "min_first_choice_pct"], 120),
            "options",
            "min_first_choice_pct",
            "min_first_choice_pct must be in [0, 100], got 120",
        ),
        (
            _set(["options", "min_first_choice_pct"], 50.5),
            "options",
            "min_first_choice_pct",
            "must be a whole number",
        ),
        (
            _set(["options", "assignment"], "fastest"),
            "options",
            "assignment",
            "assignment must be one of best, integrated, sequential, got 'fastest'",
        ),
        (_set(["options", "consolidate"], "yes"), "options", "consolidate", "must be true or"),
        (_set(["options", "rank_cost"], -0.5), "options", "rank_cost", "must be >= 0"),
    ],
)
def test_bad_json_is_located(
    tmp_path: Path,
    change: Callable[[dict[str, Any]], None],
    row: str | None,
    field: str | None,
    message: str,
) -> None:
    data = day()
    change(data)
    path = write_json(tmp_path / "day.json", data)
    with pytest.raises(InputError) as info:
        read_batch(path)
    assert_located(info.value, path, row, field)
    assert message in info.value.message, str(info.value)


def test_fleet_file_errors_name_the_fleet_file(tmp_path: Path) -> None:
    data = setup_only()
    data["vehicle_types"][1]["zones"] = ["centre"]
    fleet = write_json(tmp_path / "fleet.json", data)
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(InputError, match="unknown zone 'centre'") as info:
        read_batch(path)
    assert_located(info.value, fleet, BIKE, "zones")


# -- bad CSV -----------------------------------------------------------------------

HEADER = "order_id,lat,lon,weight_kg,volume_l,tw_start,tw_end,delivery_options,max_walk_m\n"


@pytest.mark.parametrize(
    ("cells", "field", "message"),
    [
        (
            "pp:LCK-9;home,",
            "delivery_options",
            "option 'pp:LCK-9': unknown pickup point 'LCK-9'; pickup points are LCK-1, SHOP-1",
        ),
        (
            "locker:LCK-1,",
            "delivery_options",
            "option 'locker:LCK-1' must be home, pp:<pickup point id> or any",
        ),
        ("pp:,", "delivery_options", "option 'pp:' must be home"),
        ("home:x,", "delivery_options", "option 'home:x' must be home"),
        ("home@abc,", "delivery_options", "option 'home@abc': cost must be a number, got 'abc'"),
        ("home@-1,", "delivery_options", "option 'home@-1': cost must be >= 0"),
        (
            "home;pp:LCK-1;home@2,",
            "delivery_options",
            "option 3 is the same delivery option as option 1",
        ),
        ("any;home,", "max_walk_m", "an 'any' delivery option needs max_walk_m"),
        ("home,300", "max_walk_m", "max_walk_m is only for an 'any' delivery option"),
        (",300", "max_walk_m", "max_walk_m is only for an 'any' delivery option"),
        ("any,0", "max_walk_m", "must be > 0, got 0"),
        ("any,far", "max_walk_m", "must be a number, got 'far'"),
    ],
)
def test_bad_csv_options_are_located(tmp_path: Path, cells: str, field: str, message: str) -> None:
    write_json(tmp_path / "fleet.json", setup_only())
    path = tmp_path / "orders.csv"
    text = (
        HEADER + "A,45.76,4.84,1,1,08:00,12:00,home,\n" + f"B,45.77,4.86,1,1,08:00,12:00,{cells}\n"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_batch(path)
    assert_located(info.value, path, 3, field)
    assert message in info.value.message, str(info.value)


def test_csv_parcel_rows_must_agree_on_options(tmp_path: Path) -> None:
    write_json(tmp_path / "fleet.json", setup_only())
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,parcel_id,lat,lon,weight_kg,volume_l,tw_start,tw_end,delivery_options\n"
        "A,a1,45.76,4.84,1,2,08:00,12:00,pp:LCK-1;home\n"
        "A,a2,45.76,4.84,1,2,08:00,12:00,home;pp:LCK-1\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="differs from line 2 for the same order 'A'") as info:
        read_batch(path)
    assert_located(info.value, path, 3, "delivery_options")


def test_csv_pickup_point_needs_the_fleet_file_to_list_it(tmp_path: Path) -> None:
    data = setup_only()
    del data["pickup_points"]
    write_json(tmp_path / "fleet.json", data)
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "A,45.76,4.84,1,1,08:00,12:00,pp:LCK-1,\n", encoding="utf-8")
    with pytest.raises(InputError, match="the batch has no pickup_points") as info:
        read_batch(path)
    assert_located(info.value, path, 2, "delivery_options")


def test_docs_example_reads(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "batch-format.md").read_text()
    example = text.split("```json\n")[2].split("```")[0]
    path = tmp_path / "example.json"
    path.write_text(example, encoding="utf-8")
    batch = read_batch(path)
    locker, shop = batch.pickup_points
    assert locker.free == {"S": 15, "M": 10, "L": 0} and not shop.is_locker
    assert [o.rank for o in batch.orders[0].options] == [0, 1, 2]
    assert batch.fleet.type("cargo-bike").zones == frozenset({"presquile"})
    assert batch.orders[1].delivery_options == (HOME,)
