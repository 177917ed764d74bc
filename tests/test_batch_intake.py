"""Reading batches: JSON and CSV agree, units convert, every bad input is located."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from optimizer.domain import Location, Parcel, TimeWindow
from optimizer.domain.batch import BatchOptions
from optimizer.formats.batch import read_batch
from optimizer.formats.errors import InputError

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
LYON = SAMPLES / "lyon"


def tiny() -> dict[str, Any]:
    """One depot, one vehicle type, two orders; every number checked by hand below."""
    return {
        "name": "tiny",
        "date": "2026-11-24",
        "timezone": "Europe/Paris",
        "options": {"detour_factor": 1.2, "time_limit_s": 5, "seed": 7},
        "depots": [
            {"id": "D", "lat": 45.7, "lon": 4.89, "opening": {"start": "06:00", "end": "21:00"}}
        ],
        "vehicle_types": [
            {
                "id": "van",
                "count": 2,
                "capacity": {"weight_kg": 100, "volume_l": 500, "parcels": 10},
                "start_depot": "D",
                "shift": {"start": "07:00", "end": "17:00"},
                "fixed_cost": 60,
                "cost_per_km": 0.35,
                "cost_per_hour": 25.5,
                "max_duration_h": 8.5,
                "max_stops": 20,
                "speed_kmh": 25,
                "co2_g_per_km": 220,
                "skills": ["refrigerated"],
            }
        ],
        "orders": [
            {
                "id": "A",
                "customer": "alice",
                "lat": 45.76,
                "lon": 4.84,
                "parcels": [{"id": "a1", "weight_kg": 1.5, "volume_l": 2.25}],
                "time_windows": [{"start": "08:30", "end": "12:00"}],
                "service_min": 2.5,
                "penalty": 15.5,
                "skills": ["refrigerated"],
                "note": "ignored",
            },
            {
                "id": "B",
                "lat": 45.77,
                "lon": 4.86,
                "parcels": [{"weight_kg": 0.2, "volume_l": 1}, {"weight_kg": 3, "volume_l": 4}],
                "time_windows": [
                    {"start": "13:00", "end": "25:30"},
                    {"start": "08:00:15", "end": "09:00"},
                ],
                "service_time_s": 90,
            },
        ],
    }


def fleet_only() -> dict[str, Any]:
    data = tiny()
    del data["orders"]
    return data


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def json_error(tmp_path: Path, change: Callable[[dict[str, Any]], object]) -> InputError:
    """The error from reading ``tiny()`` after ``change``."""
    data = copy.deepcopy(tiny())
    change(data)
    path = write_json(tmp_path / "batch.json", data)
    with pytest.raises(InputError) as info:
        read_batch(path)
    assert info.value.file == str(path)
    return info.value


def csv_error(tmp_path: Path, text: str) -> InputError:
    """The error from reading ``text`` as orders.csv next to the tiny fleet."""
    write_json(tmp_path / "fleet.json", fleet_only())
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_batch(path)
    assert info.value.file == str(path)
    return info.value


# -- the Lyon sample -----------------------------------------------------------


def test_sample_json_and_csv_agree() -> None:
    from_json = read_batch(LYON / "batch.json")
    from_csv = read_batch(LYON / "orders.csv")
    assert from_csv == from_json
    assert from_json.name == "lyon-2026-11-24"
    assert from_json.date == dt.date(2026, 11, 24) and from_json.timezone == "Europe/Paris"
    assert len(from_json.orders) == 315
    assert sum(vt.count for vt in from_json.fleet.types) == 18  # 16 vans, 2 cargo bikes
    assert len(from_json.pickup_points) == 10 and len(from_json.zones) == 1


def test_sample_marks_impossible_orders_with_distinct_reasons() -> None:
    data = json.loads((LYON / "batch.json").read_text(encoding="utf-8"))
    notes = {o["id"]: o["note"] for o in data["orders"] if o["id"].startswith("X-")}
    assert sorted(notes) == ["X-HAZMAT", "X-PRICED-OUT", "X-TOO-EARLY", "X-TOO-FAR", "X-TOO-HEAVY"]
    reasons = {note.split("reason ")[1].split(":")[0] for note in notes.values()}
    assert reasons == {"skills", "capacity", "time_window", "shift_duration", "priced_out"}


def test_sample_is_reproducible(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_sample", SAMPLES / "make_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_sample(tmp_path)
    for name in ("batch.json", "orders.csv", "fleet.json"):
        assert (tmp_path / name).read_bytes() == (LYON / name).read_bytes(), name


# -- units -----------------------------------------------------------------------


def test_json_units_are_converted(tmp_path: Path) -> None:
    batch = read_batch(write_json(tmp_path / "tiny.json", tiny()))
    assert batch.name == "tiny"
    assert batch.date == dt.date(2026, 11, 24)
    assert batch.options == BatchOptions(detour_factor=1.2, time_limit=5, seed=7)
    depot = batch.depots[0]
    assert depot.location == Location(45.7, 4.89)
    assert depot.opening == TimeWindow(6 * 3600, 21 * 3600)
    van = batch.fleet.types[0]
    assert (van.capacity_weight, van.capacity_volume, van.capacity_parcels) == (
        100_000,
        500_000,
        10,
    )
    assert van.end_depot == "D"  # defaults to start_depot
    assert van.shift == TimeWindow(25_200, 61_200)
    assert (van.fixed_cost, van.cost_per_km, van.cost_per_hour) == (6000, 35, 2550)
    assert van.max_duration == 30_600  # 8.5 h
    assert (van.max_stops, van.speed_kmh, van.co2_per_km) == (20, 25, 220)
    assert van.skills == frozenset({"refrigerated"})
    a, b = batch.orders
    assert a.parcels == (Parcel("a1", 1500, 2250),)
    assert a.time_windows == (TimeWindow(30_600, 43_200),)  # 08:30 = 8 * 3600 + 30 * 60
    assert (a.customer, a.service_time, a.penalty) == ("alice", 150, 1550)
    assert b.customer == "B" and b.penalty is None and b.required
    assert b.parcels == (Parcel("B-1", 200, 1000), Parcel("B-2", 3000, 4000))
    # 08:00:15 = 28815 s; 25:30 (01:30 the next day) = 91800 s; windows are sorted.
    assert b.time_windows == (TimeWindow(28_815, 32_400), TimeWindow(46_800, 91_800))
    assert b.service_time == 90


def test_json_max_duration_as_clock(tmp_path: Path) -> None:
    data = tiny()
    data["vehicle_types"][0]["max_duration_h"] = "09:15"
    assert read_batch(write_json(tmp_path / "b.json", data)).fleet.types[0].max_duration == 33_300


def test_json_defaults(tmp_path: Path) -> None:
    data = tiny()
    del data["options"], data["name"]
    for key in ("fixed_cost", "cost_per_km", "cost_per_hour", "max_duration_h", "max_stops"):
        del data["vehicle_types"][0][key]
    batch = read_batch(write_json(tmp_path / "monday.json", data))
    assert batch.name == "monday" and batch.options == BatchOptions()
    van = batch.fleet.types[0]
    assert (van.fixed_cost, van.cost_per_km, van.max_duration, van.max_stops) == (0, 0, None, None)


CSV_TINY = """\
order_id,customer,lat,lon,weight_kg,volume_l,parcels,tw_start,tw_end,tw2_start,tw2_end,service_min,penalty,skills
A,alice,45.76,4.84,1.5,2.25,,08:30,12:00,,,2.5,15.5,refrigerated
B,,45.77,4.86,1.001,3,3,13:00,17:00,08:00:15,09:00,1.5,,cold ; refrigerated
"""


def test_csv_units_and_parcel_split(tmp_path: Path) -> None:
    fleet = write_json(tmp_path / "depot-and-vans.json", fleet_only())
    path = tmp_path / "orders.csv"
    path.write_text(CSV_TINY, encoding="utf-8")
    batch = read_batch(path, fleet=fleet)
    a, b = batch.orders
    assert a.parcels == (Parcel("A-1", 1500, 2250),)
    assert a.time_windows == (TimeWindow(30_600, 43_200),)
    assert (a.customer, a.service_time, a.penalty) == ("alice", 150, 1550)
    assert a.skills == frozenset({"refrigerated"})
    # 1001 g in 3 parcels: 333 each, the remainder 2 g on the first; 3000 cm3: 1000 each.
    assert b.parcels == (
        Parcel("B-1", 335, 1000),
        Parcel("B-2", 333, 1000),
        Parcel("B-3", 333, 1000),
    )
    assert b.time_windows == (TimeWindow(28_815, 32_400), TimeWindow(46_800, 61_200))
    assert (b.customer, b.service_time, b.penalty) == ("B", 90, None)
    assert b.skills == frozenset({"cold", "refrigerated"})
    assert batch.name == "tiny"  # from the fleet file


def test_csv_one_row_per_parcel(tmp_path: Path) -> None:
    write_json(tmp_path / "fleet.json", fleet_only())
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,parcel_id,lat,lon,weight_kg,volume_l,tw_start,tw_end,note\n"
        "A,a1,45.76,4.84,1.5,2,08:00,12:00,first\n"
        "B,b1,45.77,4.86,2,3,08:00,12:00,\n"
        "A,a2,45.76,4.84,0.5,1,8:00,12:00,second\n",
        encoding="utf-8",
    )
    a, b = read_batch(path).orders
    assert a.parcels == (Parcel("a1", 1500, 2000), Parcel("a2", 500, 1000))
    assert b.parcels == (Parcel("b1", 2000, 3000),)


def test_csv_needs_a_fleet_file(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(CSV_TINY, encoding="utf-8")
    with pytest.raises(InputError, match="needs a fleet file") as info:
        read_batch(path)
    assert (info.value.file, info.value.row, info.value.field) == (str(path), None, None)


# -- bad JSON --------------------------------------------------------------------

ORDER = "orders[0]"
PARCEL = "orders[0].parcels[0]"
VAN = "vehicle_types[0]"


@pytest.mark.parametrize(
    ("change", "row", "field"),
    [
        # missing keys
        (lambda d: d.pop("date"), None, "date"),
        (lambda d: d.pop("orders"), None, "orders"),
        (lambda d: d["orders"][0].pop("lat"), ORDER, "lat"),
        (lambda d: d["orders"][0]["parcels"][0].pop("weight_kg"), PARCEL, "weight_kg"),
        (
            lambda d: d["vehicle_types"][0]["capacity"].pop("volume_l"),
            f"{VAN}.capacity",
            "volume_l",
        ),
        (lambda d: d["depots"][0]["opening"].pop("end"), "depots[0].opening", "end"),
        # unknown keys, a misspelt optional key included
        (lambda d: d["orders"][0].update(penallty=3), ORDER, "penallty"),
        (lambda d: d.update(order=[]), None, "order"),
        # non-numbers
        (lambda d: d["orders"][0]["parcels"][0].update(weight_kg="1.5"), PARCEL, "weight_kg"),
        (lambda d: d["orders"][0].update(lon=None), ORDER, "lon"),
        (lambda d: d["vehicle_types"][0].update(cost_per_km=True), VAN, "cost_per_km"),
        (lambda d: d["vehicle_types"][0].update(count=2.5), VAN, "count"),
        (lambda d: d["vehicle_types"][0].update(max_stops=0), VAN, "max_stops"),
        (lambda d: d["options"].update(time_limit_s="20"), "options", "time_limit_s"),
        # coordinates out of range
        (lambda d: d["orders"][0].update(lat=91), ORDER, "lat"),
        (lambda d: d["orders"][1].update(lon=-180.5), "orders[1]", "lon"),
        (lambda d: d["depots"][0].update(lat=-95), "depots[0]", "lat"),
        # times
        (
            lambda d: d["orders"][0]["time_windows"][0].update(end="08:00"),
            "orders[0].time_windows[0]",
            "end",
        ),
        (
            lambda d: d["orders"][0]["time_windows"][0].update(start="8h30"),
            "orders[0].time_windows[0]",
            "start",
        ),
        (lambda d: d["vehicle_types"][0]["shift"].update(end="48:00"), f"{VAN}.shift", "end"),
        (lambda d: d["vehicle_types"][0]["shift"].update(end="17:60"), f"{VAN}.shift", "end"),
        (lambda d: d["orders"][0].update(time_windows=[]), ORDER, "time_windows"),
        (lambda d: d["orders"][0].update(service_time_s=60), ORDER, "service_min"),
        # negative quantities
        (lambda d: d["orders"][0]["parcels"][0].update(weight_kg=-1), PARCEL, "weight_kg"),
        (lambda d: d["orders"][0]["parcels"][0].update(volume_l=-0.5), PARCEL, "volume_l"),
        (lambda d: d["orders"][0].update(penalty=-3), ORDER, "penalty"),
        # duplicates
        (lambda d: d["orders"][1].update(id="A"), "orders[1]", "id"),
        (lambda d: d["depots"].append(copy.deepcopy(d["depots"][0])), "depots[1]", "id"),
        (
            lambda d: d["vehicle_types"].append(copy.deepcopy(d["vehicle_types"][0])),
            "vehicle_types[1]",
            "id",
        ),
        (lambda d: d["orders"][1]["parcels"][1].update(id="B-1"), "orders[1]", "parcels"),
        # references and capacities
        (lambda d: d["vehicle_types"][0].update(start_depot="Z"), VAN, "start_depot"),
        (lambda d: d["vehicle_types"][0].update(end_depot="Z"), VAN, "end_depot"),
        (lambda d: d["orders"][0]["parcels"][0].update(weight_kg=100.001), PARCEL, "weight_kg"),
        (lambda d: d["orders"][0]["parcels"][0].update(volume_l=501), PARCEL, "volume_l"),
        # the day
        (lambda d: d.update(date="24/11/2026"), None, "date"),
        (lambda d: d.update(date="2026-02-30"), None, "date"),
        (lambda d: d.update(timezone="Europe/Lyon"), None, "timezone"),
        (lambda d: d["options"].update(detour_factor=0.5), "options", "detour_factor"),
        # shapes
        (lambda d: d.update(orders=[]), None, "orders"),
        (lambda d: d["orders"].append([]), "orders[2]", None),
        (lambda d: d.update(depots={}), None, "depots"),
    ],
)
def test_bad_json_is_located(
    tmp_path: Path, change: Callable[[dict[str, Any]], object], row: str | None, field: str | None
) -> None:
    error = json_error(tmp_path, change)
    assert (error.row, error.field) == (row, field), str(error)


def test_json_messages_name_the_problem(tmp_path: Path) -> None:
    def message(change: Callable[[dict[str, Any]], object]) -> str:
        return json_error(tmp_path, change).message

    assert message(lambda d: d["orders"][0].pop("lat")) == "missing key"
    assert "must be a number" in message(lambda d: d["orders"][0].update(lat="north"))
    assert "must be in [-90, 90]" in message(lambda d: d["orders"][0].update(lat=91))
    assert "is before start" in message(
        lambda d: d["orders"][0]["time_windows"][0].update(end="08:00")
    )
    assert "must be >= 0" in message(lambda d: d["orders"][0]["parcels"][0].update(weight_kg=-1))
    assert message(lambda d: d["orders"][1].update(id="A")).startswith("duplicate order id 'A'")
    assert "unknown depot 'Z'" in message(lambda d: d["vehicle_types"][0].update(start_depot="Z"))
    assert "more than any vehicle carries (100 kg)" in message(
        lambda d: d["orders"][0]["parcels"][0].update(weight_kg=120)
    )
    assert "unknown IANA time zone" in message(lambda d: d.update(timezone="Mars/Olympus"))


@pytest.mark.parametrize(
    ("old", "new", "row", "field"),
    [
        ('"lat": 45.76', '"lat": NaN', ORDER, "lat"),
        ('"weight_kg": 1.5', '"weight_kg": Infinity', PARCEL, "weight_kg"),
        ('"lon": 4.84', '"lon": -Infinity', ORDER, "lon"),
    ],
)
def test_json_non_finite_numbers(tmp_path: Path, old: str, new: str, row: str, field: str) -> None:
    text = json.dumps(tiny())
    assert old in text
    path = tmp_path / "batch.json"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError, match="finite") as info:
        read_batch(path)
    assert (info.value.row, info.value.field) == (row, field)


def test_json_syntax_error_gives_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text('{\n  "name": "x",\n  "date": "2026-11-24"\n  "timezone": "UTC"\n}\n')
    with pytest.raises(InputError, match="invalid JSON") as info:
        read_batch(path)
    assert info.value.row == "line 4, column 3" and info.value.field is None


def test_json_duplicate_key(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text('{"date": "2026-11-24", "date": "2026-11-25"}')
    with pytest.raises(InputError, match="twice") as info:
        read_batch(path)
    assert (info.value.row, info.value.field) == (None, "date")


@pytest.mark.parametrize("text", ["", "  \n", "[1, 2]"])
def test_json_empty_or_not_an_object(tmp_path: Path, text: str) -> None:
    path = tmp_path / "batch.json"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_batch(path)
    assert (info.value.file, info.value.row, info.value.field) == (str(path), None, None)


def test_file_not_found_and_wrong_suffix(tmp_path: Path) -> None:
    for name, message in (("nope.json", "file not found"), ("nope.csv", "file not found")):
        with pytest.raises(InputError, match=message) as info:
            read_batch(tmp_path / name)
        assert info.value.file == str(tmp_path / name)
    with pytest.raises(InputError, match="unsupported file type '.xlsx'"):
        read_batch(tmp_path / "orders.xlsx")
    with pytest.raises(InputError, match="fleet= is for CSV"):
        read_batch(LYON / "batch.json", fleet=LYON / "fleet.json")


def test_errors_in_the_fleet_file_name_it(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(CSV_TINY, encoding="utf-8")
    fleet = tmp_path / "vans.json"
    with pytest.raises(InputError, match="file not found") as info:
        read_batch(orders, fleet=fleet)
    assert info.value.file == str(fleet)
    write_json(fleet, tiny())  # a whole batch is not a fleet file: it holds orders
    with pytest.raises(InputError, match="holds no orders") as info:
        read_batch(orders, fleet=fleet)
    assert (info.value.file, info.value.row, info.value.field) == (str(fleet), None, "orders")
    data = fleet_only()
    data["vehicle_types"][0]["start_depot"] = "Z"
    write_json(fleet, data)
    with pytest.raises(InputError, match="unknown depot") as info:
        read_batch(orders, fleet=fleet)
    assert (info.value.file, info.value.row, info.value.field) == (str(fleet), VAN, "start_depot")


# -- bad CSV ---------------------------------------------------------------------

HEAD = "order_id,lat,lon,weight_kg,volume_l,tw_start,tw_end"
GOOD = "A,45.76,4.84,1.5,2.25,08:00,12:00"


@pytest.mark.parametrize(
    ("text", "row", "field"),
    [
        # missing columns and values
        ("order_id,lat,weight_kg,volume_l,tw_start,tw_end\nA,45.76,1.5,2,08:00,12:00\n", 1, "lon"),
        (f"{HEAD}\n{GOOD}\nB,45.76,,1,2,08:00,12:00\n", 3, "lon"),
        (f"{HEAD}\nA,45.76,4.84,1.5,2.25,08:00\n", 2, None),  # too few fields
        # non-numbers, nan and inf
        (f"{HEAD}\nA,45.76,4.84,heavy,2.25,08:00,12:00\n", 2, "weight_kg"),
        (f"{HEAD}\nA,nan,4.84,1.5,2.25,08:00,12:00\n", 2, "lat"),
        (f"{HEAD}\nA,45.76,4.84,inf,2.25,08:00,12:00\n", 2, "weight_kg"),
        (f"{HEAD}\nA,45.76,4.84,1.5,-Infinity,08:00,12:00\n", 2, "volume_l"),
        # out of range
        (f"{HEAD}\n{GOOD}\nB,95,4.84,1.5,2.25,08:00,12:00\n", 3, "lat"),
        (f"{HEAD}\nA,45.76,200,1.5,2.25,08:00,12:00\n", 2, "lon"),
        # windows
        (f"{HEAD}\nA,45.76,4.84,1.5,2.25,12:00,08:00\n", 2, "tw_end"),
        (f"{HEAD}\nA,45.76,4.84,1.5,2.25,08:00,noon\n", 2, "tw_end"),
        (f"{HEAD},tw2_start,tw2_end\n{GOOD},14:00,\n", 2, "tw2_end"),
        (f"{HEAD},tw2_start,tw2_end\n{GOOD},15:00,14:00\n", 2, "tw2_end"),
        # negative quantities
        (f"{HEAD}\nA,45.76,4.84,-1.5,2.25,08:00,12:00\n", 2, "weight_kg"),
        (f"{HEAD}\nA,45.76,4.84,1.5,-2,08:00,12:00\n", 2, "volume_l"),
        (f"{HEAD},penalty\n{GOOD},-5\n", 2, "penalty"),
        (f"{HEAD},service_min\n{GOOD},-1\n", 2, "service_min"),
        # parcels
        (f"{HEAD},parcels\n{GOOD},0\n", 2, "parcels"),
        (f"{HEAD},parcels\n{GOOD},1.5\n", 2, "parcels"),
        (f"{HEAD},parcels,parcel_id\n{GOOD},1,p\n", 1, "parcels"),
        (f"{HEAD}\n{GOOD}\nB,45.76,4.84,101,2.25,08:00,12:00\n", 3, "weight_kg"),
        (f"{HEAD}\nA,45.76,4.84,1.5,600,08:00,12:00\n", 2, "volume_l"),
        # duplicates, and parcel rows that disagree
        (f"{HEAD}\n{GOOD}\n{GOOD}\n", 3, "order_id"),
        (f"{HEAD},parcel_id\n{GOOD},p1\n{GOOD},p1\n", 3, "parcel_id"),
        (f"{HEAD},parcel_id\n{GOOD},p1\nA,45.76,4.84,1.5,2.25,09:00,12:00,p2\n", 3, "tw_start"),
        ("order_id,lat,lat\n", 1, "lat"),
        ("order_id;lat;lon\nA;1;2\n", 1, None),
        # blank lines still count: the bad row is line 4
        (f"{HEAD}\n{GOOD}\n\nB,45.76,4.84,1.5,2.25,8,12:00\n", 4, "tw_start"),
    ],
)
def test_bad_csv_is_located(tmp_path: Path, text: str, row: int, field: str | None) -> None:
    error = csv_error(tmp_path, text)
    assert (error.row, error.field) == (row, field), str(error)


@pytest.mark.parametrize("text", ["", "\n\n", f"{HEAD}\n", f"{HEAD}\n\n,,,,,,\n"])
def test_empty_or_header_only_csv(tmp_path: Path, text: str) -> None:
    error = csv_error(tmp_path, text)
    assert (error.row, error.field) == (None, None)
    assert ("empty" if not text.strip() else "only a header") in error.message


def test_csv_messages_name_the_problem(tmp_path: Path) -> None:
    assert csv_error(tmp_path, f"{HEAD}\n{GOOD}\n{GOOD}\n").message.startswith(
        "duplicate order id 'A' (first on line 2)"
    )
    assert csv_error(tmp_path, f"{HEAD}\nA,nan,4.84,1.5,2.25,08:00,12:00\n").message == (
        "must be a finite number, got 'nan'"
    )
    assert str(csv_error(tmp_path, "order_id,lat\n")) == (
        f"{tmp_path / 'orders.csv'}, row 1, field 'lon': missing column"
    )


def test_unknown_vehicle_type_on_an_order(tmp_path: Path) -> None:
    error = json_error(tmp_path, lambda d: d["orders"][1].update(vehicle_types=["boat"]))
    assert (error.row, error.field) == ("orders[1]", "vehicle_types")
    assert error.message.startswith("unknown vehicle type 'boat'")
    error = csv_error(tmp_path, f"{HEAD},vehicle_types\n{GOOD},boat\n")
    assert (error.row, error.field) == (2, "vehicle_types")


def test_known_vehicle_types_are_read(tmp_path: Path) -> None:
    data = tiny()
    type_id = data["vehicle_types"][0]["id"]
    data["orders"][0]["vehicle_types"] = [type_id]
    batch = read_batch(write_json(tmp_path / "b.json", data))
    assert batch.orders[0].vehicle_types == frozenset({type_id})
