"""``tournee simulate``: bad scenarios exit 2 naming file and field; a run writes its outputs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import typer
from test_experiment import toy_simulate, toy_write_ready_times
from test_scenario import BAD_CASES, BAD_FILES
from typer.testing import CliRunner

import api.simulate_cli
from api.simulate_cli import simulate

REPO = Path(__file__).resolve().parents[1]

app = typer.Typer(add_completion=False)
app.command()(simulate)
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize(
    ("text", "field", "words"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES]
)
def test_bad_field_exits_2_naming_file_and_field(tmp_path: Path, text: str, field: str, words):
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    result = run(path, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}, field '{field}': ")
    assert words in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "row", "words"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_file_exits_2_naming_file(tmp_path: Path, text: str, row: str | None, words):
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    result = run(path)
    assert result.exit_code == 2
    where = f"{path}, {row}" if row else f"{path}"
    assert result.stderr.startswith(f"error: {where}: ")
    assert words in result.stderr and "Traceback" not in result.output


def test_missing_scenario_exits_2(tmp_path: Path):
    result = run(tmp_path / "absent.yaml")
    assert result.exit_code == 2 and "cannot read file" in result.stderr


def test_bad_replications_is_a_usage_error():
    result = run(REPO / "scenarios" / "baseline.yaml", "--replications", "0")
    assert result.exit_code == 2


def test_toy_run_prints_tables_and_writes_outputs(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(api.simulate_cli, "_model", lambda: (toy_simulate, toy_write_ready_times))
    out = tmp_path / "sim"
    scenario = REPO / "scenarios" / "cross_aisle.yaml"
    result = run(scenario, "--replications", "3", "--seed", "4", "--out", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "middle cross aisle" in result.stdout  # the question comes first
    assert "vs one_block" in result.stdout and "±" in result.stdout
    names = ["one_block", "cross_aisle", "cross_aisle_largest_gap"]
    expected = {"kpis.csv", "differences.csv", "replications.csv"}
    expected |= {"utilisation.png", "cycle_times.png", "attainment.png"}
    expected |= {f"ready_times_{n}.csv" for n in names}
    assert {p.name for p in out.iterdir()} == expected
    with (out / "kpis.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["variant"] for r in rows} == set(names)
    assert all(r["n"] == "3" for r in rows)


def test_baseline_scenario_through_the_model(tmp_path: Path):
    out = tmp_path / "sim"
    result = run(REPO / "scenarios" / "baseline.yaml", "--replications", "2", "--out", out)
    assert result.exit_code == 0, result.output
    assert "cutoff_attainment" in result.stdout and "±" in result.stdout
    with (out / "kpis.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["variant"] for r in rows} == {"baseline"} and all(r["n"] == "2" for r in rows)
    with (out / "ready_times_baseline.csv").open() as handle:
        parcels = list(csv.DictReader(handle))
    assert list(parcels[0]) == ["order_id", "ready_time", "truck", "carrier", "cutoff"]
    assert len(parcels) > 100
    assert {p.name for p in out.glob("*.png")} == {
        "utilisation.png",
        "cycle_times.png",
        "attainment.png",
    }
