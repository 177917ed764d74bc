"""Experiments: seeds, common random numbers, confidence intervals, parallel runs, plots."""

from __future__ import annotations

import csv
import json
import math
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from simulation.config import PickerConfig, ScenarioConfig, Truck
from simulation.experiment import (
    Estimate,
    estimate,
    replication_seed,
    run_experiment,
    write_tables,
)
from simulation.plots import write_plots
from simulation.scenario import Experiment, load_experiment

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"

# Student t quantile t(0.975, 2), from tables: 4.302653.
T_975_2 = 4.302653


# -- a tiny deterministic model ------------------------------------------------------------


@dataclass(frozen=True)
class ToyReplication:
    """Stands in for simulation.model.Replication in tests that need no SimPy."""

    kpis: dict[str, float]
    utilisation: tuple[tuple[float, float], ...]
    cycle_times: tuple[float, ...]
    truck_attainment: dict[str, float]


def toy_simulate(config: ScenarioConfig, seed: int) -> ToyReplication:
    """Orders ~ Poisson(total rate); cycle times shrink with more pickers; all from ``seed``."""
    rng = np.random.default_rng(seed)
    orders = int(rng.poisson(sum(config.demand.hourly_rates)))
    cycle = rng.exponential(3600 / config.pickers.count, size=max(orders, 1))
    hours = np.arange(config.opening, config.closing, 3600)
    busy = np.clip(rng.normal(0.6, 0.1, size=hours.size) * 10 / config.pickers.count, 0, 1)
    attainment = {
        f"{k} {t.carrier}": float(np.mean(cycle < t.cutoff - config.opening))
        for k, t in enumerate(config.trucks, start=1)
    }
    kpis = {
        "orders_arrived": float(orders),
        "cycle_time_mean": float(cycle.mean()),
        "picker_utilisation": float(busy.mean()),
    }
    return ToyReplication(kpis, tuple(zip(hours.tolist(), busy.tolist())), tuple(cycle), attainment)


def toy_write_ready_times(path: Path, replication: ToyReplication) -> None:
    """Stands in for simulation.model.write_ready_times."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["parcel", "ready"])
        writer.writerows(enumerate(replication.cycle_times))


@dataclass(frozen=True)
class Fixed:
    kpis: dict[str, float]


def table_model(values: dict[str, list[float]], seed: int = 0):
    """A model returning ``values[config.name][r]`` for replication ``r`` of base seed ``seed``."""
    index = {replication_seed(seed, r): r for r in range(len(next(iter(values.values()))))}

    def simulate(config: ScenarioConfig, replication_seed_: int) -> Fixed:
        return Fixed({"late_parcels": values[config.name][index[replication_seed_]]})

    return simulate


def two_variants(**overrides) -> Experiment:
    base = ScenarioConfig(
        name="base",
        trucks=(Truck("dpd", 12 * 3600), Truck("ups", 16 * 3600)),
        **overrides,
    )
    more = replace(base, name="more", pickers=PickerConfig(count=14))
    return Experiment(base, (("more", more),))


# -- statistics ----------------------------------------------------------------------------


def test_estimate_matches_hand_computed_t_interval():
    # values 10, 12, 14: mean 12, s = 2, n = 3; half-width t(0.975, 2) * 2 / sqrt(3) = 4.968
    e = estimate([10, 12, 14])
    assert e.mean == 12 and e.n == 3
    assert e.half_width == pytest.approx(T_975_2 * 2 / math.sqrt(3), abs=1e-5)
    assert e.ci_low == pytest.approx(12 - 4.968275, abs=1e-5)
    assert e.ci_high == pytest.approx(12 + 4.968275, abs=1e-5)


def test_estimate_of_one_value_has_no_interval_and_non_finite_values_are_left_out():
    one = estimate([5.0])
    assert one.mean == 5 and one.n == 1 and math.isnan(one.ci_low) and math.isnan(one.ci_high)
    # the NaN replication does not count: mean of 1 and 3 is 2, s = sqrt(2), t(0.975, 1) = 12.706
    two = estimate([1.0, math.nan, 3.0])
    assert two.n == 2 and two.mean == 2
    assert two.half_width == pytest.approx(12.7062 * math.sqrt(2) / math.sqrt(2), abs=1e-3)
    assert estimate([]).n == 0 and math.isnan(estimate([]).mean)
    constant = estimate([4.0, 4.0, 4.0])
    assert (constant.ci_low, constant.ci_high) == (4.0, 4.0)


def test_estimate_flags_intervals_that_exclude_zero():
    assert Estimate(1.0, 0.5, 1.5, 3).excludes_zero
    assert not Estimate(1.0, -0.5, 2.5, 3).excludes_zero
    with pytest.raises(ValueError, match="ci_low"):
        Estimate(1.0, 2.0, 0.0, 3)


def test_paired_differences_match_hand_computed_values():
    # baseline 10, 12, 14; variant 11, 14, 14 -> differences 1, 2, 0: mean 1, s = 1,
    # half-width t(0.975, 2) * 1 / sqrt(3) = 2.484138
    model = table_model({"base": [10, 12, 14], "more": [11, 14, 14]})
    result = run_experiment(two_variants(), 3, seed=0, workers=1, simulate=model)
    base, more = result.variants
    assert base.name == "base" and base.differences == {}
    assert base.kpis["late_parcels"].mean == 12
    assert more.kpis["late_parcels"].mean == pytest.approx(13)
    diff = more.differences["late_parcels"]
    assert diff.mean == pytest.approx(1) and diff.n == 3
    assert diff.half_width == pytest.approx(T_975_2 / math.sqrt(3), abs=1e-5)
    # unpaired, the variant's own interval (s = 1.732) is wider than the paired one
    assert more.kpis["late_parcels"].half_width > diff.half_width


# -- seeds and common random numbers --------------------------------------------------------


def test_replication_seeds_come_from_seed_sequence_and_do_not_depend_on_count():
    spawned = np.random.SeedSequence(7).spawn(4)
    expected = [int(s.generate_state(1, np.uint64)[0]) for s in spawned]
    assert [replication_seed(7, r) for r in range(4)] == expected
    assert len(set(expected)) == 4
    assert replication_seed(8, 0) != replication_seed(7, 0)


def test_variants_get_the_same_seeds_as_the_baseline():
    calls: list[tuple[str, int]] = []

    def recording(config: ScenarioConfig, seed: int) -> Fixed:
        calls.append((config.name, seed))
        return Fixed({"x": 1.0})

    result = run_experiment(two_variants(), 4, seed=3, workers=1, simulate=recording)
    seeds = {name: [s for n, s in calls if n == name] for name in ("base", "more")}
    assert seeds["base"] == seeds["more"] == [replication_seed(3, r) for r in range(4)]
    assert list(result.seeds) == seeds["base"]


def test_results_do_not_depend_on_the_number_of_workers():
    experiment = two_variants()
    one = run_experiment(experiment, 3, seed=11, workers=1, simulate=toy_simulate)
    two = run_experiment(experiment, 3, seed=11, workers=2, simulate=toy_simulate)
    assert one.kpi_rows() == two.kpi_rows()
    assert one.difference_rows() == two.difference_rows()
    assert one.replication_rows() == two.replication_rows()
    # common random numbers: the toy draws its order count first, so both variants see the same
    base, more = one.variants
    assert base.values("orders_arrived") == more.values("orders_arrived")
    assert more.differences["orders_arrived"].mean == 0


def test_progress_is_reported_after_every_replication():
    seen: list[tuple[int, int]] = []
    run_experiment(
        two_variants(),
        3,
        workers=1,
        simulate=toy_simulate,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(k, 6) for k in range(1, 7)]


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="replications"):
        run_experiment(two_variants(), 0, simulate=toy_simulate)
    with pytest.raises(ValueError, match="workers"):
        run_experiment(two_variants(), 2, workers=0, simulate=toy_simulate)


def test_sweep_file_runs_one_variant_per_value(tmp_path: Path):
    scenario = tmp_path / "sweep.yaml"
    scenario.write_text(
        "# How do more pickers change the cycle time?\n"
        'name: p10\nopening: "06:00"\nclosing: "14:00"\n'
        "demand: {hourly_rates: [20, 20]}\npickers: {count: 10}\n"
        "sweep: {field: pickers.count, values: [10, 12, 14]}\n"
    )
    result = run_experiment(load_experiment(scenario), 2, workers=1, simulate=toy_simulate)
    assert [v.name for v in result.variants] == ["p10", "pickers.count=12", "pickers.count=14"]
    assert [v.config.pickers.count for v in result.variants] == [10, 12, 14]
    assert result.variants[2].differences["cycle_time_mean"].mean < 0


# -- tables and plots ------------------------------------------------------------------------


def test_tables_hold_one_row_per_variant_and_kpi(tmp_path: Path):
    model = table_model({"base": [10, 12, 14], "more": [11, 14, 14]})
    result = run_experiment(two_variants(), 3, workers=1, simulate=model)
    written = write_tables(result, tmp_path)
    assert [p.name for p in written] == ["kpis.csv", "differences.csv", "replications.csv"]
    with (tmp_path / "kpis.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["variant", "kpi", "mean", "ci_low", "ci_high", "n"]
    assert [(r["variant"], r["kpi"], float(r["mean"]), r["n"]) for r in rows] == [
        ("base", "late_parcels", 12.0, "3"),
        ("more", "late_parcels", 13.0, "3"),
    ]
    assert float(rows[0]["ci_low"]) == pytest.approx(12 - 4.968275, abs=1e-5)
    with (tmp_path / "replications.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 6


def test_plots_are_written_as_png(tmp_path: Path):
    result = run_experiment(two_variants(), 2, workers=1, simulate=toy_simulate)
    written = write_plots(result, tmp_path)
    assert [p.name for p in written] == ["utilisation.png", "cycle_times.png", "attainment.png"]
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


# -- golden file: the real model ---------------------------------------------------------------


def _rounded(value: float) -> float | None:
    """Six significant digits; None for NaN (JSON has no NaN)."""
    return float(f"{value:.6g}") if math.isfinite(value) else None


def kpi_table(result) -> dict:
    """The KPI table as the golden file holds it: estimates and paired differences, rounded."""

    def cells(estimates):
        return {
            kpi: [_rounded(e.mean), _rounded(e.ci_low), _rounded(e.ci_high), e.n]
            for kpi, e in estimates.items()
        }

    return {
        "seeds": list(result.seeds),
        "kpis": {v.name: cells(v.kpis) for v in result.variants},
        "differences": {v.name: cells(v.differences) for v in result.variants[1:]},
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_golden_kpi_table(workers: int):
    """Two replications of a one-hour scenario through the SimPy model, seed 0.

    The same table comes out on one worker and on two. Regenerate after an
    intended model change (see docs/scenarios.md):
    ``TOURNEE_UPDATE_GOLDEN=1 pytest tests/test_experiment.py -k golden``.
    """
    experiment = load_experiment(GOLDEN / "small.yaml")
    table = kpi_table(run_experiment(experiment, 2, seed=0, workers=workers))
    golden = GOLDEN / "small.json"
    if os.environ.get("TOURNEE_UPDATE_GOLDEN") and workers == 1:
        text = json.dumps(table, indent=1)
        text = re.sub(r"\[\s+([^\[\]]*?)\s+\]", lambda m: f"[{' '.join(m[1].split())}]", text)
        golden.write_text(text + "\n")
    assert table == json.loads(golden.read_text())
