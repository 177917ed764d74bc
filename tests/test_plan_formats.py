"""Tests for the plan outputs: plan JSON, GeoJSON and stop CSVs."""

from __future__ import annotations

import csv
import datetime as dt
import json
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
from optimizer.formats.errors import InputError
from optimizer.formats.geojson import plan_to_geojson, write_geojson
from optimizer.formats.plan_json import plan_to_dict, read_plan_json, write_plan_json
from optimizer.formats.stops_csv import write_stops_csv
from optimizer.kpis import compute_kpis
from optimizer.travel import GeodesicProvider, PlanarProvider

# Paris, 31 March 2024: summer time started at 02:00, so 08:00 local is +02:00.
DATE = dt.date(2024, 3, 31)
TZ = "Europe/Paris"
DEPOT = Depot("hub", Location(48.8566, 2.3522), TimeWindow(6 * 3600, 22 * 3600))
VAN = VehicleType(
    id="van",
    count=2,
    capacity_weight=100_000,
    capacity_volume=1_000_000,
    capacity_parcels=50,
    start_depot="hub",
    end_depot="hub",
    shift=TimeWindow(7 * 3600, 20 * 3600),
    fixed_cost=4550,
    cost_per_km=35,
    cost_per_hour=2500,
    co2_per_km=180,
)


def order(oid: str, location: Location | PlanarPoint, *window: int, penalty=None) -> Order:
    return Order(
        id=oid,
        customer=f"cust-{oid}",
        location=location,
        parcels=(Parcel(f"{oid}-1", 1500, 4000), Parcel(f"{oid}-2", 500, 1000)),
        time_windows=(TimeWindow(*(window or (0, 86_400))),),
        service_time=180,
        penalty=penalty,
    )


ORDERS = (
    order("o1", Location(48.8666, 2.3522), 9 * 3600, 12 * 3600),
    order("o2", Location(48.8666, 2.3722)),
    order("o3", Location(48.8466, 2.3322)),
    order("o4", Location(48.8566, 2.3000), penalty=900),
)
GEO = RoutingProblem.build("paris", ORDERS, (DEPOT,), Fleet((VAN,)), GeodesicProvider())
PLAN = Plan(
    (
        Route("van-1", (Visit("o1"), Visit("o2")), 8 * 3600),
        Route("van-2", (Visit("o3"),), 8 * 3600 + 900),
    ),
    (Unassigned("o4", Reason.PRICED_OUT, "cheaper to skip"),),
    meta={"engine": "test", "seed": 1},
)


def solver_like(plan: Plan, problem: RoutingProblem) -> Plan:
    """The plan with integer times, as a solver would give them."""
    report = check_plan(plan, problem)
    routes = tuple(
        replace(
            route,
            visits=tuple(
                Visit(s.order_id, round(s.arrival), round(s.start), round(s.departure))
                for s in rr.stops
            ),
            end=round(rr.end),
        )
        for route, rr in zip(plan.routes, report.routes)
    )
    return replace(plan, routes=routes)


def write(tmp_path, plan, problem, **kwargs):
    report = check_plan(plan, problem)
    kpis = compute_kpis(plan, problem, report)
    path = tmp_path / "plan.json"
    write_plan_json(path, plan, problem, report, kpis, **kwargs)
    return path


@pytest.mark.parametrize("when", [{}, {"date": DATE, "timezone": TZ}])
def test_json_round_trip(tmp_path, when):
    plan = solver_like(PLAN, GEO)

    path = write(tmp_path, plan, GEO, **when)

    assert read_plan_json(path) == plan


def test_json_content(tmp_path):
    doc = json.loads(write(tmp_path, PLAN, GEO, date=DATE, timezone=TZ).read_text())

    assert (doc["format"], doc["version"], doc["name"]) == ("tournee.plan", 1, "paris")
    assert (doc["date"], doc["timezone"]) == ("2024-03-31", TZ)
    r1, r2 = doc["routes"]
    assert (r1["id"], r1["vehicle"], r2["id"], r2["vehicle"]) == ("R01", "van-1", "R02", "van-2")
    assert r1["departure"] == "2024-03-31T08:00:00+02:00"
    assert r1["departure_s"] == 28_800
    assert isinstance(r1["distance_m"], int)
    assert r1["load"] == {"weight_kg": 4.0, "volume_l": 10.0, "parcels": 4}
    first = r1["stops"][0]
    assert (first["sequence"], first["order_id"], first["customer"]) == (1, "o1", "cust-o1")
    assert (first["lat"], first["lon"]) == (48.8666, 2.3522)
    assert first["parcels"] == ["o1-1", "o1-2"]
    # o1 is 1446 m north; the van arrives about 08:03 and waits for the 09:00 window.
    assert first["service_start"] == "2024-03-31T09:00:00+02:00"
    assert first["waiting_s"] == 3600 - first["arrival_s"] + 28_800
    assert first["window"]["start"] == "2024-03-31T09:00:00+02:00"
    assert doc["unassigned"] == [
        {
            "order_id": "o4",
            "customer": "cust-o4",
            "reason": "priced_out",
            "detail": "cheaper to skip",
        }
    ]
    assert doc["kpis"]["penalty_cost_eur"] == 9.0
    assert doc["check"]["feasible"] is True
    assert doc["meta"] == {"engine": "test", "seed": 1}


def test_json_money_in_euros(tmp_path):
    doc = json.loads(write(tmp_path, PLAN, GEO).read_text())
    report = check_plan(PLAN, GEO)
    kpis = compute_kpis(PLAN, GEO, report)

    assert doc["routes"][0]["cost"] == round(kpis.routes[0].cost / 100, 2)
    assert doc["kpis"]["total_cost_eur"] == round(kpis.total_cost / 100, 2)
    assert "total_cost_cents" not in doc["kpis"]
    assert doc["routes"][0]["departure"] == "08:00:00"


def test_planar_json_uses_x_y(tmp_path):
    depot = Depot("D", PlanarPoint(0, 0), TimeWindow(0, 1000))
    vt = replace(VAN, start_depot="D", end_depot="D", shift=TimeWindow(0, 1000))
    orders = (order("a", PlanarPoint(3, 4)),)
    problem = RoutingProblem.build("planar", orders, (depot,), Fleet((vt,)), PlanarProvider())
    plan = Plan((Route("van-1", (Visit("a"),), 0),))

    doc = json.loads(write(tmp_path, plan, problem).read_text())

    stop = doc["routes"][0]["stops"][0]
    assert (stop["x"], stop["y"], stop["arrival"]) == (3, 4, "00:00:05")
    assert doc["routes"][0]["distance_m"] == 10
    assert doc["distance_unit"] == "unit"
    assert read_plan_json(tmp_path / "plan.json") == solver_like(plan, problem)


def test_minimal_hand_edited_plan(tmp_path):
    path = tmp_path / "edited.json"
    path.write_text(
        json.dumps(
            {
                "routes": [
                    {"vehicle": "van-2", "departure": "07:30", "stops": [{"order_id": "o2"}]},
                    {"vehicle": "van-1", "departure_s": 28_800, "stops": [{"order_id": "o1"}]},
                ],
                "unassigned": [
                    {"order_id": "o3", "reason": "capacity"},
                    {"order_id": "o4", "reason": "priced_out"},
                ],
            }
        )
    )

    plan = read_plan_json(path)

    assert plan == Plan(
        (
            Route("van-2", (Visit("o2"),), 7 * 3600 + 1800),
            Route("van-1", (Visit("o1"),), 28_800),
        ),
        (Unassigned("o3", Reason.CAPACITY), Unassigned("o4", Reason.PRICED_OUT)),
    )
    assert check_plan(plan, GEO).feasible


def test_iso_times_are_read_in_the_plan_zone(tmp_path):
    path = tmp_path / "edited.json"
    path.write_text(
        json.dumps(
            {
                "date": "2024-03-31",
                "timezone": TZ,
                "routes": [
                    # 06:30 UTC is 08:30 in Paris; the return falls on the next day.
                    {
                        "vehicle": "van-1",
                        "departure": "2024-03-31T06:30:00+00:00",
                        "return": "2024-04-01T00:10:00+02:00",
                        "stops": [{"order_id": "o1"}],
                    }
                ],
            }
        )
    )

    (route,) = read_plan_json(path).routes

    assert (route.start, route.end) == (8 * 3600 + 1800, 86_400 + 600)


def bad_plan(tmp_path, document) -> InputError:
    path = tmp_path / "bad.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    with pytest.raises(InputError) as info:
        read_plan_json(path)
    return info.value


def test_error_names_json_path_and_key(tmp_path):
    stops = [{"order_id": "o1"}, {"order": "o2"}]
    routes: list[dict[str, object]] = [{"vehicle": "van-1", "departure": "08:00", "stops": []}] * 2
    routes.append({"vehicle": "van-2", "departure": "08:00", "stops": stops})

    error = bad_plan(tmp_path, {"routes": routes})

    assert (error.row, error.field) == ("routes[2].stops[1]", "order_id")
    assert "routes[2].stops[1]" in str(error)
    assert "bad.json" in str(error)


@pytest.mark.parametrize(
    ("document", "row", "field", "words"),
    [
        ({"unassigned": []}, None, "routes", "missing"),
        ({"routes": {}}, None, "routes", "must be a list"),
        ({"routes": [{"vehicle": "van-1", "stops": []}]}, "routes[0]", "departure", "missing"),
        (
            {"routes": [{"vehicle": "van-1", "departure": 28_800, "stops": []}]},
            "routes[0]",
            "departure",
            "must be a string",
        ),
        (
            {"routes": [{"vehicle": "van-1", "departure": "8h", "stops": []}]},
            "routes[0]",
            "departure",
            "not a time",
        ),
        (
            {"routes": [{"vehicle": "van-1", "departure_s": "28800", "stops": []}]},
            "routes[0]",
            "departure_s",
            "must be an integer",
        ),
        (
            {"routes": [{"vehicle": "van-1", "departure": "08:00", "departure_s": 1, "stops": []}]},
            "routes[0]",
            "departure",
            "disagrees",
        ),
        (
            {"routes": [{"vehicle": 7, "departure": "08:00", "stops": []}]},
            "routes[0]",
            "vehicle",
            "string",
        ),
        ({"routes": ["van-1"]}, "routes[0]", None, "must be an object"),
        (
            {"routes": [], "unassigned": [{"order_id": "o1", "reason": "lazy"}]},
            "unassigned[0]",
            "reason",
            "unknown reason",
        ),
        (
            {"routes": [], "unassigned": [{"reason": "capacity"}]},
            "unassigned[0]",
            "order_id",
            "missing",
        ),
        ({"format": "other", "routes": []}, None, "format", "expected"),
        ({"version": 2, "routes": []}, None, "version", "unsupported"),
        (
            {"routes": [{"vehicle": "van-1", "departure": "2024-03-31T08:00:00", "stops": []}]},
            "routes[0]",
            "departure",
            "no 'date'",
        ),
    ],
)
def test_bad_content(tmp_path, document, row, field, words):
    error = bad_plan(tmp_path, document)

    assert (error.row, error.field) == (row, field)
    assert words in error.message


def test_bad_json_syntax(tmp_path):
    error = bad_plan(tmp_path, '{"routes": [}')

    assert "not valid JSON" in error.message
    assert error.row is None


def test_unknown_keys_are_ignored(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps(
            {
                "routes": [{"vehicle": "van-1", "departure": "08:00", "note": "x", "stops": []}],
                "x": 1,
            }
        )
    )

    assert read_plan_json(path).routes[0].vehicle_id == "van-1"


def test_writing_a_plan_with_an_unknown_vehicle_fails():
    plan = Plan((Route("truck-9", (Visit("o1"),), 28_800),))
    report = check_plan(plan, GEO)

    with pytest.raises(ValueError, match="truck-9"):
        plan_to_dict(plan, GEO, report, compute_kpis(plan, GEO, report))


def test_geojson_longitude_first(tmp_path):
    report = check_plan(PLAN, GEO)

    doc = plan_to_geojson(PLAN, GEO, report, date=DATE, timezone=TZ)

    assert doc["type"] == "FeatureCollection"
    by_kind: dict[str, list] = {}
    for feature in doc["features"]:
        by_kind.setdefault(feature["properties"]["kind"], []).append(feature)
    (depot,) = by_kind["depot"]
    assert depot["geometry"] == {"type": "Point", "coordinates": [2.3522, 48.8566]}
    line = by_kind["route"][0]["geometry"]
    assert line["type"] == "LineString"
    assert line["coordinates"] == [
        [2.3522, 48.8566],
        [2.3522, 48.8666],
        [2.3722, 48.8666],
        [2.3522, 48.8566],
    ]
    stop = by_kind["stop"][0]
    assert stop["geometry"]["coordinates"] == [2.3522, 48.8666]
    assert {k: stop["properties"][k] for k in ("route", "vehicle", "sequence", "order_id")} == {
        "route": "R01",
        "vehicle": "van-1",
        "sequence": 1,
        "order_id": "o1",
    }
    assert stop["properties"]["eta"].startswith("2024-03-31T08:0")
    (left,) = by_kind["unassigned"]
    assert left["geometry"]["coordinates"] == [2.3, 48.8566]
    assert left["properties"]["reason"] == "priced_out"

    write_geojson(tmp_path / "plan.geojson", PLAN, GEO, report)
    assert json.loads((tmp_path / "plan.geojson").read_text())["features"][0] == depot


def test_geojson_planar_uses_x_y():
    depot = Depot("D", PlanarPoint(0, 0), TimeWindow(0, 1000))
    vt = replace(VAN, start_depot="D", end_depot="D", shift=TimeWindow(0, 1000))
    problem = RoutingProblem.build(
        "planar", (order("a", PlanarPoint(3, 4)),), (depot,), Fleet((vt,)), PlanarProvider()
    )
    plan = Plan((Route("van-1", (Visit("a"),), 0),))

    doc = plan_to_geojson(plan, problem, check_plan(plan, problem))

    route = next(f for f in doc["features"] if f["properties"]["kind"] == "route")
    assert route["geometry"]["coordinates"] == [[0, 0], [3, 4], [0, 0]]


def test_stops_csv(tmp_path):
    report = check_plan(PLAN, GEO)

    paths = write_stops_csv(tmp_path / "sheets", PLAN, GEO, report)

    assert [p.name for p in paths] == ["route_R01_van-1.csv", "route_R02_van-2.csv"]
    with paths[0].open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "sequence",
        "order_id",
        "customer",
        "lat",
        "lon",
        "arrival",
        "service_start",
        "departure",
        "waiting_s",
        "parcels",
        "weight_kg",
        "distance_from_previous_m",
    ]
    first, second = rows
    assert (first["sequence"], first["order_id"], first["customer"]) == ("1", "o1", "cust-o1")
    assert (first["lat"], first["lon"]) == ("48.8666", "2.3522")
    assert (first["service_start"], first["departure"]) == ("09:00:00", "09:03:00")
    assert (first["parcels"], first["weight_kg"]) == ("2", "2.0")
    assert first["distance_from_previous_m"] == "1446"  # 1111.95 m north x 1.3
    assert second["sequence"] == "2"
    # o2 is 0.02 deg east at 48.87 N: 2224 m x cos(48.87) x 1.3 = 1903 m, 228 s at 30 km/h.
    assert second["arrival"] == "09:06:48"
    assert int(first["waiting_s"]) == round(report.routes[0].stops[0].waiting)
