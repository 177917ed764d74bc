"""Replications, common random numbers and confidence intervals for scenario experiments.

:func:`run_experiment` runs every variant of an
:class:`~simulation.scenario.Experiment` for the same replications:
replication ``r`` of every variant uses the same seed, derived from
``(seed, r)`` by :class:`numpy.random.SeedSequence`, so that the variants see
the same orders and the same random pick times (common random numbers) and
their paired differences are much tighter than independent comparisons.
Each KPI gets a Student-t confidence interval over the replications, and
each variant's paired difference to the baseline gets one too.
Replications run on a local process pool; the results do not depend on the
number of workers.
"""

from __future__ import annotations

import csv
import logging
import math
import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from scipy import stats

from simulation.config import ScenarioConfig
from simulation.scenario import Experiment

__all__ = [
    "Estimate",
    "ExperimentResult",
    "ReplicationLike",
    "VariantResult",
    "default_workers",
    "estimate",
    "replication_seed",
    "run_experiment",
    "write_tables",
]

logger = logging.getLogger(__name__)


class ReplicationLike(Protocol):
    """What an experiment needs from one replication: its KPIs by snake_case name."""

    @property
    def kpis(self) -> Mapping[str, float]: ...


Simulate = Callable[[ScenarioConfig, int], ReplicationLike]
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean over replications with its confidence interval.

    Parameters
    ----------
    mean
        Mean of the finite values (NaN when there is none).
    ci_low, ci_high
        Bounds of the Student-t confidence interval (NaN when ``n < 2``).
    n
        Number of finite values the estimate rests on.
    """

    mean: float
    ci_low: float
    ci_high: float
    n: int

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError(f"n must be >= 0, got {self.n}")
        if self.ci_low > self.ci_high:
            raise ValueError("ci_low must not exceed ci_high")

    @property
    def half_width(self) -> float:
        """Half the width of the confidence interval."""
        return (self.ci_high - self.ci_low) / 2

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly above or below zero (a clear difference)."""
        return self.ci_low > 0 or self.ci_high < 0


def estimate(values: Iterable[float], confidence: float = 0.95) -> Estimate:
    """Mean and Student-t confidence interval of replication values.

    Non-finite values (a KPI undefined in a replication, such as a cycle time
    when no order finished) are left out and do not count in ``n``.

    Parameters
    ----------
    values
        One value per replication.
    confidence
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    Estimate
        ``mean ± t(1 - (1 - confidence) / 2, n - 1) * s / sqrt(n)``, with
        ``s`` the sample standard deviation.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    data = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    n = int(data.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(data.mean())
    if n == 1:
        return Estimate(mean, math.nan, math.nan, 1)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * data.std(ddof=1) / math.sqrt(n))
    return Estimate(mean, mean - half, mean + half, n)


def replication_seed(seed: int, replication: int) -> int:
    """The seed of one replication, the same for every variant (common random numbers).

    It is drawn from ``SeedSequence(seed, spawn_key=(replication,))``, the
    same stream as ``SeedSequence(seed).spawn(n)[replication]``: it does not
    depend on how many replications are run, so adding replications extends
    a study without changing the first ones.
    """
    if seed < 0 or replication < 0:
        raise ValueError("seed and replication must be >= 0")
    state = np.random.SeedSequence(seed, spawn_key=(replication,)).generate_state(1, np.uint64)
    return int(state[0])


def default_workers() -> int:
    """Worker processes used when none is asked for: ``min(2, cpu count)``."""
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True, slots=True)
class VariantResult:
    """All replications of one variant and their statistics.

    Parameters
    ----------
    name
        Variant name (the baseline's scenario name for the baseline).
    config
        The scenario that was simulated.
    replications
        The model's replications, in replication order.
    kpis
        Estimate of every KPI over the replications.
    differences
        Paired difference ``variant - baseline`` of every KPI (replication
        ``r`` of the variant minus replication ``r`` of the baseline); empty
        for the baseline.
    """

    name: str
    config: ScenarioConfig
    replications: tuple[Any, ...]
    kpis: Mapping[str, Estimate]
    differences: Mapping[str, Estimate]

    def values(self, kpi: str) -> list[float]:
        """One value of ``kpi`` per replication (NaN where a replication lacks it)."""
        return [float(rep.kpis.get(kpi, math.nan)) for rep in self.replications]


@dataclass(frozen=True, slots=True)
class ExperimentResult:
    """What :func:`run_experiment` returns.

    Parameters
    ----------
    experiment
        The experiment that was run.
    seed
        Base seed.
    seeds
        Seed of each replication, shared by all variants.
    confidence
        Confidence level of every interval.
    variants
        Baseline first, then the variants in experiment order.
    """

    experiment: Experiment
    seed: int
    seeds: tuple[int, ...]
    confidence: float
    variants: tuple[VariantResult, ...]

    @property
    def baseline(self) -> VariantResult:
        """The baseline's result."""
        return self.variants[0]

    @property
    def kpi_names(self) -> list[str]:
        """Every KPI reported by some replication, in order of first appearance."""
        names: dict[str, None] = {}
        for variant in self.variants:
            for name in variant.kpis:
                names.setdefault(name, None)
        return list(names)

    def variant(self, name: str) -> VariantResult:
        """The result of the variant called ``name``."""
        for variant in self.variants:
            if variant.name == name:
                return variant
        raise KeyError(name)

    def kpi_rows(self) -> list[dict[str, Any]]:
        """One row per variant and KPI: variant, kpi, mean, ci_low, ci_high, n."""
        return [
            {"variant": v.name, "kpi": kpi, **_row(e)}
            for v in self.variants
            for kpi, e in v.kpis.items()
        ]

    def difference_rows(self) -> list[dict[str, Any]]:
        """One row per non-baseline variant and KPI: the paired difference to the baseline."""
        return [
            {"variant": v.name, "baseline": self.baseline.name, "kpi": kpi, **_row(e)}
            for v in self.variants[1:]
            for kpi, e in v.differences.items()
        ]

    def replication_rows(self) -> list[dict[str, Any]]:
        """The tidy table: one row per variant, replication and KPI."""
        return [
            {"variant": v.name, "replication": r, "seed": seed, "kpi": kpi, "value": value}
            for v in self.variants
            for r, (seed, rep) in enumerate(zip(self.seeds, v.replications))
            for kpi, value in rep.kpis.items()
        ]


def _row(e: Estimate) -> dict[str, Any]:
    return {"mean": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": e.n}


def _default_simulate() -> Simulate:
    from simulation.model import simulate  # the SimPy model, imported only when used

    model: Simulate = simulate
    return model


def run_experiment(
    experiment: Experiment,
    replications: int,
    seed: int = 0,
    workers: int | None = None,
    simulate: Simulate | None = None,
    progress: Progress | None = None,
    confidence: float = 0.95,
) -> ExperimentResult:
    """Run every variant of an experiment for the same replications and summarise them.

    Parameters
    ----------
    experiment
        Baseline and variants.
    replications
        Replications per variant (at least 1; at least 2 for intervals).
    seed
        Base seed; replication ``r`` of every variant is simulated with
        :func:`replication_seed` ``(seed, r)``.
    workers
        Worker processes (default :func:`default_workers`); 1 runs in this
        process. With more, ``simulate`` and its results must pickle, so it
        must be a module-level function.
    simulate
        ``simulate(config, seed) -> replication`` whose result has a
        ``kpis`` mapping; default :func:`simulation.model.simulate`.
    progress
        Called as ``progress(done, total)`` after each finished replication.
    confidence
        Level of every confidence interval.

    Returns
    -------
    ExperimentResult
        Replications, KPI estimates and paired differences, the same for
        any number of workers.

    Raises
    ------
    ValueError
        When ``replications`` or ``workers`` is below 1.
    """
    if replications < 1:
        raise ValueError(f"replications must be >= 1, got {replications}")
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    model = simulate if simulate is not None else _default_simulate()
    configs = experiment.configs
    seeds = tuple(replication_seed(seed, r) for r in range(replications))
    jobs = [(v, r) for r in range(replications) for v in range(len(configs))]
    done: dict[tuple[int, int], ReplicationLike] = {}

    def finished(job: tuple[int, int], replication: ReplicationLike) -> None:
        done[job] = replication
        if progress is not None:
            progress(len(done), len(jobs))

    workers = min(workers, len(jobs))
    logger.info("%d replications of %d variants on %d workers", replications, len(configs), workers)
    if workers == 1:
        for v, r in jobs:
            finished((v, r), model(configs[v], seeds[r]))
    else:
        _run_pool(model, configs, seeds, jobs, workers, finished)

    results = []
    for v, (name, config) in enumerate(zip(experiment.names, configs)):
        reps = tuple(done[v, r] for r in range(replications))
        results.append(VariantResult(name, config, reps, {}, {}))
    return _summarise(experiment, seed, seeds, confidence, results)


def _run_pool(
    model: Simulate,
    configs: Sequence[ScenarioConfig],
    seeds: Sequence[int],
    jobs: Sequence[tuple[int, int]],
    workers: int,
    finished: Callable[[tuple[int, int], ReplicationLike], None],
) -> None:
    # spawn, not fork: the caller may run threads (a progress bar), which fork can deadlock.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Future[ReplicationLike], tuple[int, int]] = {
            pool.submit(model, configs[v], seeds[r]): (v, r) for v, r in jobs
        }
        try:
            for future in as_completed(futures):
                finished(futures[future], future.result())
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _summarise(
    experiment: Experiment,
    seed: int,
    seeds: tuple[int, ...],
    confidence: float,
    variants: list[VariantResult],
) -> ExperimentResult:
    names: dict[str, None] = {}
    for variant in variants:
        for rep in variant.replications:
            names.update(dict.fromkeys(rep.kpis))
    base = variants[0]
    summarised = []
    for variant in variants:
        kpis = {k: estimate(variant.values(k), confidence) for k in names}
        differences = {}
        if variant is not base:
            for k in names:
                pairs = zip(variant.values(k), base.values(k))
                differences[k] = estimate((a - b for a, b in pairs), confidence)
        summarised.append(
            VariantResult(variant.name, variant.config, variant.replications, kpis, differences)
        )
    return ExperimentResult(experiment, seed, seeds, confidence, tuple(summarised))


def write_tables(result: ExperimentResult, folder: Path) -> list[Path]:
    """Write ``kpis.csv``, ``differences.csv`` and ``replications.csv`` into ``folder``.

    ``kpis.csv`` has columns variant, kpi, mean, ci_low, ci_high, n;
    ``differences.csv`` the same for ``variant - baseline`` (plus a baseline
    column); ``replications.csv`` one row per variant, replication and KPI.
    Undefined values are left empty.

    Returns
    -------
    list of Path
        The files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "kpis.csv": result.kpi_rows(),
        "differences.csv": result.difference_rows(),
        "replications.csv": result.replication_rows(),
    }
    written = []
    for name, rows in tables.items():
        path = folder / name
        if rows:
            with path.open("w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
            written.append(path)
    return written


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return value
