"""Tests for optimizer.formats.delivery_json: reading the stops of a plan back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimizer.formats.delivery_json import read_delivery_stops
from optimizer.formats.errors import InputError


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    return path


def test_stops_are_read_by_id(tmp_path: Path) -> None:
    doc = {
        "routes": [],
        "delivery": {
            "stops": [
                {"stop": "stop:LCK", "site": "LCK", "shipments": ["O0", "O1"]},
                {"stop": "stop:O2", "site": "home", "shipments": ["O2"]},
            ]
        },
    }
    assert read_delivery_stops(write(tmp_path, doc)) == {
        "stop:LCK": ("LCK", ("O0", "O1")),
        "stop:O2": ("home", ("O2",)),
    }


def test_a_plan_of_orders_has_no_stops(tmp_path: Path) -> None:
    assert read_delivery_stops(write(tmp_path, {"routes": []})) is None


@pytest.mark.parametrize(
    ("stops", "row", "field"),
    [
        ([{"site": "home", "shipments": ["A"]}], "delivery.stops[0]", "stop"),
        ([{"stop": "s", "site": "", "shipments": ["A"]}], "delivery.stops[0]", "site"),
        ([{"stop": "s", "site": "home", "shipments": "A"}], "delivery.stops[0]", "shipments"),
        (
            [
                {"stop": "s", "site": "home", "shipments": ["A"]},
                {"stop": "s", "site": "home", "shipments": ["B"]},
            ],
            "delivery.stops[1]",
            "stop",
        ),
    ],
)
def test_malformed_stops_name_the_entry_and_key(
    tmp_path: Path, stops: list[object], row: str, field: str
) -> None:
    path = write(tmp_path, {"routes": [], "delivery": {"stops": stops}})
    with pytest.raises(InputError) as info:
        read_delivery_stops(path)
    assert (info.value.file, info.value.row, info.value.field) == (str(path), row, field)
