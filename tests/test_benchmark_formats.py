"""Solomon and CVRPLIB readers, checked against the published optimum of X-n101-k25."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from optimizer.check import check_plan
from optimizer.domain import Plan, Route, Visit
from optimizer.formats.benchmark_plan import arc_length, read_instance
from optimizer.formats.cvrplib import read_cvrplib
from optimizer.formats.errors import InputError
from optimizer.formats.solomon import TIME_SCALE, read_solomon

DATA = Path(__file__).resolve().parent / "data"


def test_solomon_c101_header_and_customers():
    p = read_solomon(DATA / "C101.txt")
    assert p.name == "C101"
    (vt,) = p.fleet.types
    assert (vt.count, vt.capacity_weight) == (25, 200)
    assert len(p.orders) == 100
    first = p.orders[0]
    # Customer 1: (45, 68), demand 10, window [912, 967], service 90.
    assert first.id == "1" and first.weight == 10
    assert first.time_windows[0].start == 912 * TIME_SCALE
    assert first.service_time == 90 * TIME_SCALE
    assert p.depots[0].opening.end == 1236 * TIME_SCALE


def test_cvrplib_optimum_routes_measure_27591():
    # The .sol file lists the proven optimum; under nint arcs it is 27591.
    p = read_cvrplib(DATA / "X-n101-k25.vrp")
    routes = []
    for line in (DATA / "X-n101-k25.sol").read_text().splitlines():
        if line.startswith("Route"):
            customers = line.split(":")[1].split()
            visits = tuple(Visit(c) for c in customers)
            routes.append(Route(f"vehicle-{len(routes) + 1}", visits, 0))
    plan = Plan(tuple(routes))
    report = check_plan(plan, p)
    assert report.feasible, report.violations
    depot = p.depots[0].location
    by_id = p.order_by_id()
    total = 0.0
    for route in plan.routes:
        pts = [depot, *(by_id[o].location for o in route.order_ids), depot]
        total += sum(arc_length(a, b, "cvrplib") for a, b in zip(pts, pts[1:]))
    assert total == 27591
    assert report.total_distance == pytest.approx(total, abs=len(p.orders) + 52)


def test_cvrplib_capacity_is_enforced_by_the_checker():
    p = read_cvrplib(DATA / "X-n101-k25.vrp")
    everyone = tuple(Visit(o.id) for o in p.orders)
    report = check_plan(Plan((Route("vehicle-1", everyone, 0),)), p)
    assert "capacity" in report.codes


def test_read_instance_dispatch_and_errors(tmp_path: Path):
    assert read_instance(DATA / "C101.txt")[1] == "solomon"
    assert read_instance(DATA / "X-n101-k25.vrp")[1] == "cvrplib"
    with pytest.raises(InputError, match="unknown instance format"):
        read_instance(tmp_path / "a.json")
    empty = tmp_path / "e.txt"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_solomon(empty)
    with pytest.raises(InputError, match="cannot read"):
        read_solomon(tmp_path / "missing.txt")


def test_cvrplib_missing_capacity(tmp_path: Path):
    text = (DATA / "X-n101-k25.vrp").read_text().replace("CAPACITY", "CAPACITX")
    bad = tmp_path / "bad.vrp"
    bad.write_text(text)
    with pytest.raises(InputError) as info:
        read_cvrplib(bad)
    assert info.value.field == "CAPACITY"


def test_solomon_truncation_rule_matches_bks_convention():
    # DIMACS: every arc truncated to one decimal. Depot (40,50) to customer 1
    # (45,68): sqrt(25 + 324) = 18.6815... -> 18.6.
    p = read_solomon(DATA / "C101.txt")
    assert math.floor(p.distances[0, 1] * 10) / 10 == 18.6
