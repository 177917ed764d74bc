"""The ``tournee`` command end to end: exit codes, outputs, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"

runner = CliRunner()
SAMPLE = REPO / "samples" / "lyon" / "batch.json"


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_solve_solomon_writes_instance_numbers(tmp_path: Path):
    out = tmp_path / "c101.json"
    result = run("solve", DATA / "C101.txt", "--time-limit", "3", "--output", out)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    customers = sorted(c for route in doc["routes"] for c in route)
    assert customers == list(range(1, 101))
    assert doc["unassigned"] == [] and doc["feasible"]
    # C101's optimum is 10 routes of 828.94 in double precision (827.3 under
    # the DIMACS truncation rule); a few seconds reach it or come within 1 %.
    assert doc["vehicles"] >= 10
    assert 828.94 - 1e-6 <= doc["distance"] <= 828.94 * 1.01


def test_solve_cvrplib_uses_rounded_arcs(tmp_path: Path):
    out = tmp_path / "x.json"
    result = run("solve", DATA / "X-n101-k25.vrp", "--time-limit", "4", "--output", out)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert sorted(c for r in doc["routes"] for c in r) == list(range(1, 101))
    # 27591 is the proven optimum under nint arcs; the plan can be no shorter.
    assert 27591 <= doc["distance"] <= 27591 * 1.05
    assert isinstance(doc["distance"], int)


def test_solve_unknown_format_is_exit_2(tmp_path: Path):
    bad = tmp_path / "instance.csv"
    bad.write_text("x\n")
    result = runner.invoke(app, ["solve", str(bad)])
    assert result.exit_code == 2
    assert "instance.csv" in result.output and "Traceback" not in result.output


def test_solve_bad_number_names_line_and_field(tmp_path: Path):
    text = (DATA / "C101.txt").read_text().splitlines()
    text[11] = text[11].replace("45", "4x5", 1)
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(text))
    result = runner.invoke(app, ["solve", str(bad)])
    assert result.exit_code == 2
    assert "row 12" in result.output and "XCOORD." in result.output


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample batch not generated")
def test_plan_sample_then_check_then_edit(tmp_path: Path):
    out = tmp_path / "out"
    result = run("plan", SAMPLE, "--time-limit", "5", "--out", out)
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "plan.json").read_text())
    delivery = doc["delivery"]
    stop_orders = {s["stop"]: s["orders"] for s in delivery["stops"]}
    routed = [o for r in doc["routes"] for s in r["stops"] for o in stop_orders[s["order_id"]]]
    unassigned = [u["order_id"] for u in delivery["unassigned_orders"]]
    batch = json.loads(SAMPLE.read_text())
    assert sorted(routed + unassigned) == sorted(o["id"] for o in batch["orders"])
    assert doc["check"]["feasible"] and delivery["checker"]["feasible"]
    reasons = {u["reason"] for u in delivery["unassigned_orders"]}
    assert {"skills", "capacity", "time_window", "shift_duration", "priced_out"} <= reasons
    kpis = delivery["kpis"]
    assert kpis["stops"] < kpis["baseline_stops"]
    assert kpis["first_choice_share"] >= 0.8  # the sample's quota
    assert "Delivery options and consolidation" in result.output
    geo = json.loads((out / "plan.geojson").read_text())
    line = next(f for f in geo["features"] if f["geometry"]["type"] == "LineString")
    lon, lat = line["geometry"]["coordinates"][0]
    assert 4.5 < lon < 5.2 and 45.5 < lat < 46.0  # Lyon, longitude first
    assert list((out / "stops").glob("*.csv"))
    assert (out / "plan.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    good = run("check", SAMPLE, out / "plan.json")
    assert good.exit_code == 0, good.output
    assert "feasible" in good.output

    # A carrier moves the last stop of route 1 to the end of route 2 and drops
    # the ETAs: the checker recomputes the schedule and reports what breaks.
    edited = json.loads((out / "plan.json").read_text())
    moved = edited["routes"][0]["stops"].pop()
    edited["routes"][1]["stops"].append({"order_id": moved["order_id"]})
    edited["routes"][2]["stops"].append({"order_id": edited["routes"][3]["stops"][0]["order_id"]})
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited))
    bad = run("check", SAMPLE, path)
    assert bad.exit_code == 1
    assert "duplicate" in bad.output


def test_plan_bad_batch_is_exit_2_without_traceback(tmp_path: Path):
    bad = tmp_path / "batch.json"
    bad.write_text('{"name": "x", "orders": [}')
    proc = subprocess.run(
        [sys.executable, "-m", "api", "plan", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 2
    assert "batch.json" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "o").exists()


def test_plan_missing_file_is_exit_2(tmp_path: Path):
    result = runner.invoke(app, ["plan", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "nope.json" in result.output


def test_solve_vrpdo_lists_customers_and_locations(tmp_path: Path):
    out = tmp_path / "vrpdo.json"
    result = run("solve", DATA / "vrpdo" / "U_25small_1.txt", "--time-limit", "3", "--output", out)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    customers = sorted(s["customer"] for r in doc["routes"] for s in r["stops"])
    assert customers == list(range(25))  # every customer exactly once, depot left out
    assert doc["feasible"] and doc["convention"] == "tilk"
    # 2188 is the proven optimum (Tilk et al., BPC); no feasible plan is cheaper.
    assert doc["cost"] >= 2188
