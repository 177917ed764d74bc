"""``tournee simulate``: run a what-if scenario file and report KPIs with confidence intervals.

A typer command function; :mod:`api.cli` registers it. It loads the
scenario, runs the replications with a progress bar, prints the KPI table
(mean ± 95 % half-width per variant) and the paired differences to the
baseline, and writes CSV tables, PNG charts and per-parcel ready times.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from optimizer.formats.errors import InputError
from simulation.scenario import load_experiment

if TYPE_CHECKING:  # scipy and matplotlib load only when a simulation runs
    from simulation.experiment import Estimate, ExperimentResult, Simulate

EXIT_INPUT = 2

out_console = Console()
err_console = Console(stderr=True, soft_wrap=True)

WriteReadyTimes = Callable[[Path, Any], None]


def _model() -> tuple[Simulate, WriteReadyTimes]:
    """The SimPy model's entry points (a seam for tests)."""
    from simulation.model import simulate as model_simulate
    from simulation.model import write_ready_times

    return model_simulate, write_ready_times


def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file (see docs/scenarios.md).")],
    replications: Annotated[
        int, typer.Option(min=1, help="Replications per variant (common random numbers).")
    ] = 10,
    seed: Annotated[int, typer.Option(min=0, help="Base seed of the replications.")] = 0,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/sim"),
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: min(2, CPUs)).")
    ] = None,
) -> None:
    """Simulate a scenario: KPIs with 95 % confidence intervals, charts and ready times."""
    try:
        experiment = load_experiment(scenario)
    except InputError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    from simulation.experiment import default_workers, run_experiment, write_tables
    from simulation.plots import write_plots

    model, write_ready_times = _model()
    workers = workers or default_workers()
    names = experiment.names
    out_console.print(f"[bold]{experiment.baseline.question}[/]", highlight=False)
    out_console.print(
        f"{len(names)} variant(s) x {replications} replication(s), seed {seed}, "
        f"{workers} worker(s)",
        highlight=False,
    )
    began = time.perf_counter()
    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task("simulating", total=len(names) * replications)
        try:
            result = run_experiment(
                experiment,
                replications,
                seed,
                workers,
                simulate=model,
                progress=lambda done, total: progress.update(task, completed=done),
            )
        except InputError as exc:  # a file the model reads itself
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
    elapsed = time.perf_counter() - began
    out_console.print(_kpi_table(result))
    written = write_tables(result, out)
    written += write_plots(result, out)
    for variant in result.variants:
        path = out / f"ready_times_{_file_safe(variant.name)}.csv"
        write_ready_times(path, variant.replications[0])
        written.append(path)
    out_console.print(f"{len(written)} files written to {out} in {elapsed:.1f} s", highlight=False)


def _kpi_table(result: ExperimentResult) -> Table:
    """One row per KPI and variant: mean ± half-width, and the paired difference to the baseline.

    Long rather than wide, so that it stays readable for any number of variants.
    """
    level = round(100 * result.confidence)
    compared = len(result.variants) > 1
    table = Table(
        title=f"KPIs: mean ± {level} % CI half-width over {len(result.seeds)} replications",
        title_justify="left",
        caption=(
            f"vs {result.baseline.name}: paired difference, variant - {result.baseline.name}, "
            "same seeds; * its interval excludes 0"
            if compared
            else None
        ),
        caption_justify="left",
    )
    table.add_column("kpi", overflow="fold")
    table.add_column("variant", overflow="fold")
    table.add_column("mean ± CI", justify="right", no_wrap=True)
    if compared:
        table.add_column(f"vs {result.baseline.name}", justify="right", no_wrap=True)
    for kpi in result.kpi_names:
        for k, variant in enumerate(result.variants):
            cells = [kpi if k == 0 else "", variant.name, _format(variant.kpis[kpi])]
            if compared and k > 0:
                diff = variant.differences[kpi]
                cells.append(_format(diff, signed=True) + (" *" if diff.excludes_zero else "  "))
            table.add_row(*cells, end_section=compared and k == len(result.variants) - 1)
    return table


def _format(e: Estimate, signed: bool = False) -> str:
    """``mean ± half-width`` with as many decimals as the half-width warrants."""
    if not math.isfinite(e.mean):
        return "-"
    sign = "+" if signed else ""
    half = e.half_width
    if not math.isfinite(half):
        return f"{e.mean:{sign}.4g}"
    if half == 0:
        return f"{e.mean:{sign}.4g} ± 0"
    decimals = min(6, max(0, 1 - math.floor(math.log10(half))))
    return f"{e.mean:{sign}.{decimals}f} ± {half:.{decimals}f}"


def _file_safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)
