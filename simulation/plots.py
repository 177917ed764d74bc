"""PNG charts of an experiment: picker utilisation, cycle times, cut-off attainment.

Drawn with matplotlib's object API on the Agg canvas (no pyplot state, no
display needed), one figure per chart, every variant in the same axes so
that they compare at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from simulation.experiment import ExperimentResult, estimate
from simulation.scenario import format_time

__all__ = [
    "plot_attainment",
    "plot_cycle_times",
    "plot_utilisation",
    "write_plots",
]

_DPI = 120
_STYLES = ("-", "--", "-.", ":")  # so that variants with equal curves stay visible


def _figure() -> Figure:
    figure = Figure(figsize=(9, 5), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=_DPI)
    return path


# -- what the charts read from a replication ---------------------------------------------


def _utilisation(replication: Any) -> tuple[np.ndarray, np.ndarray]:
    """Sample times (seconds after midnight) and busy share of the pickers on duty.

    Each share holds until the next sample; NaN where no picker is on duty.
    """
    series = np.asarray(replication.utilisation, dtype=float).reshape(-1, 2)
    return series[:, 0], series[:, 1]


def _cycle_times(replication: Any) -> np.ndarray:
    """Order cycle times in seconds."""
    return np.asarray(replication.cycle_times, dtype=float)


def _attainment(replication: Any) -> Mapping[str, float]:
    """Share of each truck's parcels ready by its cut-off, by truck label."""
    result: Mapping[str, float] = replication.truck_attainment
    return result


# -- charts ------------------------------------------------------------------------------


def _mean_step_series(
    series: Sequence[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Mean of step functions (value holds until the next sample) on their joint sample times."""
    grid = np.unique(np.concatenate([times for times, _ in series]))
    stacked = []
    for times, values in series:
        index = np.searchsorted(times, grid, side="right") - 1
        stacked.append(np.where(index >= 0, values[np.clip(index, 0, None)], np.nan))
    table = np.vstack(stacked)
    finite = np.isfinite(table)
    count = finite.sum(axis=0)
    total = np.where(finite, table, 0.0).sum(axis=0)
    return grid, np.divide(total, count, out=np.full(grid.shape, np.nan), where=count > 0)


def plot_utilisation(result: ExperimentResult, path: Path) -> Path:
    """Picker utilisation over the day, mean over replications, one line per variant.

    Truck cut-offs of the baseline are marked as dotted vertical lines.

    Parameters
    ----------
    result
        The experiment's result.
    path
        PNG file to write.

    Returns
    -------
    Path
        ``path``.
    """
    figure = _figure()
    ax = figure.add_subplot()
    for k, variant in enumerate(result.variants):
        series = [_utilisation(rep) for rep in variant.replications]
        series = [(t, v) for t, v in series if t.size]
        if not series:
            continue
        grid, mean = _mean_step_series(series)
        ax.step(
            grid / 3600,
            100 * mean,
            where="post",
            label=variant.name,
            linewidth=1.4,
            linestyle=_STYLES[k % len(_STYLES)],
        )
    for truck in result.baseline.config.trucks:
        ax.axvline(truck.cutoff / 3600, color="0.5", linestyle=":", linewidth=1)
        ax.annotate(
            f"{truck.carrier} {format_time(truck.cutoff)}",
            (truck.cutoff / 3600, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-2, -4),
            textcoords="offset points",
            rotation=90,
            va="top",
            ha="right",
            fontsize="x-small",
            color="0.4",
        )
    ax.set_xlabel("time of day (h)")
    ax.set_ylabel("pickers busy (% of pickers on shift)")
    ax.set_ylim(0, 105)
    ax.set_title(f"Picker utilisation, mean of {len(result.seeds)} replications")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    return _save(figure, path)


def plot_cycle_times(result: ExperimentResult, path: Path) -> Path:
    """Distribution (empirical CDF) of order cycle times, pooled over replications, per variant.

    Parameters
    ----------
    result
        The experiment's result.
    path
        PNG file to write.

    Returns
    -------
    Path
        ``path``.
    """
    figure = _figure()
    ax = figure.add_subplot()
    for k, variant in enumerate(result.variants):
        times = np.sort(np.concatenate([_cycle_times(rep) for rep in variant.replications]))
        times = times[np.isfinite(times)] / 60
        if not times.size:
            continue
        share = np.arange(1, times.size + 1) / times.size
        p50, p95 = np.percentile(times, [50, 95])
        label = f"{variant.name} (median {p50:.0f} min, P95 {p95:.0f} min)"
        style = _STYLES[k % len(_STYLES)]
        ax.step(times, 100 * share, where="post", label=label, linewidth=1.4, linestyle=style)
    ax.set_xlabel("order cycle time, arrival to packed (min)")
    ax.set_ylabel("orders done within (%)")
    ax.set_ylim(0, 101)
    ax.set_xlim(left=0)
    ax.set_title(f"Order cycle times, {len(result.seeds)} replications pooled")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    return _save(figure, path)


def plot_attainment(result: ExperimentResult, path: Path) -> Path:
    """Cut-off attainment per truck: mean share of parcels ready in time, with 95 % CI bars.

    Parameters
    ----------
    result
        The experiment's result.
    path
        PNG file to write.

    Returns
    -------
    Path
        ``path``.
    """
    trucks: dict[str, None] = {}
    for variant in result.variants:
        for rep in variant.replications:
            trucks.update(dict.fromkeys(_attainment(rep)))
    labels = list(trucks)
    figure = _figure()
    ax = figure.add_subplot()
    count = len(result.variants)
    width = 0.8 / count
    x = np.arange(len(labels))
    for k, variant in enumerate(result.variants):
        estimates = [
            estimate(
                (float(_attainment(rep).get(t, math.nan)) for rep in variant.replications),
                result.confidence,
            )
            for t in labels
        ]
        means = np.array([100 * e.mean for e in estimates])
        low = np.array([100 * (e.mean - e.ci_low) for e in estimates])
        high = np.array([100 * (e.ci_high - e.mean) for e in estimates])
        errors = np.nan_to_num(np.vstack([low, np.minimum(high, 100 - means)]))
        ax.bar(
            x - 0.4 + width * (k + 0.5),
            means,
            width,
            yerr=errors,
            capsize=3,
            label=variant.name,
            error_kw={"linewidth": 1},
        )
    ax.set_xticks(x, [_truck_label(result, t) for t in labels])
    ax.set_ylabel("parcels ready by cut-off (%)")
    ax.set_ylim(0, 105)
    level = round(100 * result.confidence)
    ax.set_title(f"Cut-off attainment per truck, mean and {level} % CI")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small", loc="lower left")
    return _save(figure, path)


def _truck_label(result: ExperimentResult, key: str) -> str:
    """``carrier`` and cut-off of a truck keyed ``"<k> <carrier>"`` (k 1-based) or by carrier."""
    trucks = result.baseline.config.trucks
    number, _, carrier = key.partition(" ")
    if number.isdigit() and 1 <= int(number) <= len(trucks):
        truck = trucks[int(number) - 1]
        return f"{truck.carrier}\n{format_time(truck.cutoff)}"
    for truck in trucks:
        if key == truck.carrier:
            return f"{truck.carrier}\n{format_time(truck.cutoff)}"
    return key


def write_plots(result: ExperimentResult, folder: Path) -> list[Path]:
    """Write ``utilisation.png``, ``cycle_times.png`` and ``attainment.png`` into ``folder``.

    Returns
    -------
    list of Path
        The files written; the attainment chart is left out when the
        scenario has no trucks.
    """
    written = [
        plot_utilisation(result, folder / "utilisation.png"),
        plot_cycle_times(result, folder / "cycle_times.png"),
    ]
    if any(_attainment(rep) for v in result.variants for rep in v.replications):
        written.append(plot_attainment(result, folder / "attainment.png"))
    return written
