"""GeoJSON and GPX renderings of one carrier route."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from api.route_formats import GPX_NAMESPACE, route_geojson, route_gpx

NS = {"gpx": GPX_NAMESPACE}
DEPOT = {"id": "DEP-LYS", "lat": 45.6985, "lon": 4.8930}
STOP1 = (45.7640, 4.8357)  # lat, lon: Lyon, Presqu'ile
STOP2 = (45.7485, 4.8467)  # lat, lon: Lyon, Guillotiere
ODD_ID = 'PP-<A&B>"x"'


def _stop(seq: int, stop_id: str, lat: float, lon: float, **extra: Any) -> dict[str, Any]:
    stop: dict[str, Any] = {
        "sequence": seq,
        "stop_id": stop_id,
        "kind": "home",
        "lat": lat,
        "lon": lon,
        "pickup_point": None,
        "window": None,
        "planned_arrival": "2026-11-24T09:15:00+01:00",
        "planned_start": "2026-11-24T09:15:00+01:00",
        "planned_departure": "2026-11-24T09:18:00+01:00",
        "eta_earliest": "2026-11-24T09:05:00+01:00",
        "eta_latest": "2026-11-24T09:35:00+01:00",
        "service_time_s": 180,
        "orders": ["O-1"],
        "parcels": [
            {"id": "P-1", "order_id": "O-1", "weight_kg": 1.2, "volume_l": 3.0, "size": "S"}
        ],
        "status": "planned",
        "failure_reason": None,
    }
    stop.update(extra)
    return stop


@pytest.fixture
def body() -> dict[str, Any]:
    second = _stop(
        2,
        ODD_ID,
        *STOP2,
        kind="pickup_point",
        pickup_point={
            "id": "PP-7",
            "locker": True,
            "opening": [{"start": "08:00", "end": "20:00"}],
            "compartments": {"S": 4, "M": 2},
        },
        planned_arrival="2026-11-24T09:40:30+01:00",
        eta_earliest="2026-11-24T09:30:00+01:00",
        eta_latest="2026-11-24T10:00:00+01:00",
        orders=["O-2", "O-3"],
        parcels=[
            {"id": "P-2", "order_id": "O-2", "weight_kg": 0.5, "volume_l": 1.0, "size": "S"},
            {"id": "P-3", "order_id": "O-3", "weight_kg": 2.0, "volume_l": 6.0, "size": None},
        ],
        status="delivered",
    )
    return {
        "route_id": "R-2026-11-24-003",
        "revision": 2,
        "status": "in_progress",
        "superseded_by": None,
        "carrier": "Colis Rhone",
        "vehicle_id": "VAN-3",
        "vehicle_type": "van",
        "date": "2026-11-24",
        "timezone": "Europe/Paris",
        "plan_id": "PLAN-1",
        "batch_id": "B-1",
        "start_depot": dict(DEPOT),
        "end_depot": dict(DEPOT),
        "departure": "2026-11-24T08:30:00+01:00",
        "return": "2026-11-24T11:00:00+01:00",
        "distance_m": 31200,
        "duration_s": 9000,
        # Listed out of order on purpose: the renderings follow ``sequence``.
        "stops": [second, _stop(1, "S-1", *STOP1)],
        "progress": {"stops": 2, "arrived": 1, "delivered": 1, "failed": 0},
    }


def _features(collection: dict[str, Any], geometry: str) -> list[dict[str, Any]]:
    return [f for f in collection["features"] if f["geometry"]["type"] == geometry]


def test_geojson_line_is_longitude_first(body: dict[str, Any]) -> None:
    collection = route_geojson(body)
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    assert collection["route_id"] == "R-2026-11-24-003"
    assert collection["revision"] == 2
    (line,) = _features(collection, "LineString")
    assert line["geometry"]["coordinates"] == [
        [4.893, 45.6985],
        [STOP1[1], STOP1[0]],
        [STOP2[1], STOP2[0]],
        [4.893, 45.6985],
    ]
    assert line["properties"] == {
        "route_id": "R-2026-11-24-003",
        "revision": 2,
        "carrier": "Colis Rhone",
        "vehicle_id": "VAN-3",
        "date": "2026-11-24",
        "status": "in_progress",
        "distance_m": 31200,
        "departure": "2026-11-24T08:30:00+01:00",
        "return": "2026-11-24T11:00:00+01:00",
    }


def test_geojson_points(body: dict[str, Any]) -> None:
    collection = route_geojson(body)
    points = _features(collection, "Point")
    assert len(points) == 4
    for point in points:
        lon, lat = point["geometry"]["coordinates"]
        assert 4.5 < lon < 5.2 and 45.5 < lat < 46.0
    stops = [p["properties"] for p in points if "sequence" in p["properties"]]
    assert [s["sequence"] for s in stops] == [1, 2]
    assert stops[0] == {
        "sequence": 1,
        "stop_id": "S-1",
        "kind": "home",
        "pickup_point": None,
        "eta_earliest": "2026-11-24T09:05:00+01:00",
        "eta_latest": "2026-11-24T09:35:00+01:00",
        "planned_arrival": "2026-11-24T09:15:00+01:00",
        "orders": ["O-1"],
        "parcels": 1,
        "status": "planned",
    }
    assert stops[1]["stop_id"] == ODD_ID
    assert stops[1]["kind"] == "pickup_point"
    assert stops[1]["pickup_point"] == "PP-7"
    assert stops[1]["orders"] == ["O-2", "O-3"]
    assert stops[1]["parcels"] == 2
    assert stops[1]["status"] == "delivered"
    depots = [p["properties"] for p in points if "role" in p["properties"]]
    assert depots == [
        {"role": "start_depot", "depot_id": "DEP-LYS"},
        {"role": "end_depot", "depot_id": "DEP-LYS"},
    ]


def test_geojson_is_json_ready_and_leaves_body_alone(body: dict[str, Any]) -> None:
    before = copy.deepcopy(body)
    collection = route_geojson(body)
    assert json.loads(json.dumps(collection)) == collection
    assert body == before


def test_geojson_rejects_out_of_range_coordinates(body: dict[str, Any]) -> None:
    body["stops"][0]["lat"] = 145.0
    with pytest.raises(ValueError, match="out of range"):
        route_geojson(body)


def test_gpx_document(body: dict[str, Any]) -> None:
    text = route_gpx(body)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{{{GPX_NAMESPACE}}}gpx"
    assert root.get("version") == "1.1"
    assert root.get("creator") == "tournee"
    name = root.findtext("gpx:metadata/gpx:name", namespaces=NS)
    assert "R-2026-11-24-003" in name and "VAN-3" in name

    wpts = root.findall("gpx:wpt", NS)
    assert [(float(w.get("lat")), float(w.get("lon"))) for w in wpts] == [STOP1, STOP2]
    assert [w.findtext("gpx:name", namespaces=NS) for w in wpts] == ["01 S-1", f"02 {ODD_ID}"]
    assert [w.findtext("gpx:time", namespaces=NS) for w in wpts] == [
        "2026-11-24T08:15:00Z",
        "2026-11-24T08:40:30Z",
    ]
    first_desc = wpts[0].findtext("gpx:desc", namespaces=NS)
    assert "09:05" in first_desc and "09:35" in first_desc and "O-1" in first_desc
    second_desc = wpts[1].findtext("gpx:desc", namespaces=NS)
    assert "O-2" in second_desc and "O-3" in second_desc
    # GPX 1.1 (wptType) puts <time> before <name> and <name> before <desc>.
    assert [child.tag.split("}")[1] for child in wpts[0]] == ["time", "name", "desc"]

    (rte,) = root.findall("gpx:rte", NS)
    rtepts = rte.findall("gpx:rtept", NS)
    depot = (DEPOT["lat"], DEPOT["lon"])
    assert [(float(p.get("lat")), float(p.get("lon"))) for p in rtepts] == [
        depot,
        STOP1,
        STOP2,
        depot,
    ]
    assert [p.findtext("gpx:name", namespaces=NS) for p in rtepts] == [
        "DEP-LYS",
        "01 S-1",
        f"02 {ODD_ID}",
        "DEP-LYS",
    ]


def test_gpx_escapes_text(body: dict[str, Any]) -> None:
    text = route_gpx(body)
    assert "<A&B>" not in text
    assert "&lt;A&amp;B&gt;" in text
    root = ET.fromstring(text.encode("utf-8"))
    names = [e.text for e in root.iter(f"{{{GPX_NAMESPACE}}}name")]
    assert f"02 {ODD_ID}" in names


def test_gpx_naive_time_uses_route_timezone(body: dict[str, Any]) -> None:
    body["stops"][1]["planned_arrival"] = "2026-07-01T09:15:00"  # summer time, UTC+2
    root = ET.fromstring(route_gpx(body).encode("utf-8"))
    assert root.find("gpx:wpt", NS).findtext("gpx:time", namespaces=NS) == "2026-07-01T07:15:00Z"


def test_gpx_stays_well_formed_for_odd_input(body: dict[str, Any]) -> None:
    body["stops"][1]["stop_id"] = "S-\x01bell"  # not representable in XML 1.0: dropped
    body["start_depot"] = {"id": "NULL-ISLAND", "lat": 0.00001, "lon": -0.00002}
    root = ET.fromstring(route_gpx(body).encode("utf-8"))
    assert root.find("gpx:wpt", NS).findtext("gpx:name", namespaces=NS) == "01 S-bell"
    first = root.find("gpx:rte/gpx:rtept", NS)
    assert (first.get("lat"), first.get("lon")) == ("0.00001", "-0.00002")  # no exponent
