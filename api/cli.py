"""The ``tournee`` command line: parses arguments, calls the core, prints."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from api import service_cli
from api.maps import write_map
from api.picking_cli import pick_route
from api.simulate_cli import simulate as simulate_scenario
from optimizer.check import Report, check_plan
from optimizer.compiled import COST_PER_CENT
from optimizer.domain.plans import Plan, Unassigned
from optimizer.domain.problems import RoutingProblem
from optimizer.formats.batch import read_batch
from optimizer.formats.delivery_json import delivery_to_dict
from optimizer.formats.errors import InputError
from optimizer.formats.release_times import apply_release_times
from optimizer.kpis import Kpis
from optimizer.pipeline import DayPlan, plan_day
from optimizer.routing import ENGINES, PlanCheckError, SolveParams, solve_routes

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="tournee: verified delivery plans for a day of orders.",
)
out = Console()
err = Console(stderr=True, soft_wrap=True)

T = TypeVar("T")

EXIT_VIOLATIONS = 1
EXIT_INPUT = 2


def _fail_input(exc: InputError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {exc}", highlight=False)
    return typer.Exit(EXIT_INPUT)


def _check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise typer.BadParameter(f"must be one of {', '.join(ENGINES)}")
    return engine


def _with_progress(work: Callable[[SolveParams], T], params: SolveParams, label: str) -> T:
    """Run ``work(params)`` with a spinner showing elapsed time and best cost."""
    best: list[float] = []

    def on_progress(objective: int) -> None:
        best.append(objective)

    params = dataclasses.replace(params, on_progress=on_progress)
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["value"] = work(params)
        except BaseException as exc:  # re-raised in the main thread
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None)
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
            if best:
                cost = min(best) / COST_PER_CENT / 100
                progress.update(task, description=f"{label} - best cost {cost:,.2f}")
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["value"]  # type: ignore[return-value]


def _solve_with_progress(problem: RoutingProblem, params: SolveParams, label: str) -> Plan:
    """Run :func:`solve_routes` with a progress spinner."""
    return _with_progress(lambda p: solve_routes(problem, p), params, label)


def _violations_table(report: Report) -> Table:
    """Violations one per row; stale-ETA warnings folded into one row per route."""
    table = Table(title="Checker findings", show_lines=False)
    for column in ("kind", "code", "route", "order", "message"):
        table.add_column(column)
    for v in report.violations:
        table.add_row("violation", v.code, v.route or "", v.order or "", v.message)
    stale: dict[str, list[str]] = {}
    for w in report.warnings:
        if w.code == "eta_mismatch":
            stale.setdefault(w.route or "", []).append(w.message)
        else:
            table.add_row("warning", w.code, w.route or "", w.order or "", w.message)
    for route, messages in stale.items():
        more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
        table.add_row("warning", "eta_mismatch", route, "", messages[0] + more)
    return table


@app.command()
def plan(
    batch: Annotated[Path, typer.Argument(help="Batch file: JSON, or an orders CSV.")],
    fleet: Annotated[Path | None, typer.Option(help="Fleet/depot JSON for a CSV batch.")] = None,
    time_limit: Annotated[
        float | None, typer.Option(help="Search seconds (default: the batch's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the batch's).")] = None,
    engine: Annotated[str, typer.Option(help=f"One of {', '.join(ENGINES)}.")] = "hybrid",
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    release_times: Annotated[
        Path | None,
        typer.Option(help="Parcel ready times CSV (from tournee simulate) as release times."),
    ] = None,
) -> None:
    """Plan a day: route the batch, check the plan, write JSON, GeoJSON and stop lists."""
    from optimizer.formats.geojson import write_geojson
    from optimizer.formats.plan_json import write_plan_json
    from optimizer.formats.stops_csv import write_stops_csv

    _check_engine(engine)
    try:
        day = read_batch(batch, fleet)
        if release_times is not None:
            day = apply_release_times(day, release_times)
    except InputError as exc:
        raise _fail_input(exc) from None
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
        raise typer.BadParameter("must be a positive number of seconds", param_hint="--time-limit")
    params = SolveParams(
        time_limit if time_limit is not None else day.options.time_limit,
        seed if seed is not None else day.options.seed,
        engine,
    )
    began = time.perf_counter()
    result = _with_progress(
        lambda p: plan_day(day, p),
        params,
        f"Planning {len(day.orders)} orders for {params.time_limit:g} s",
    )
    elapsed = time.perf_counter() - began
    problem, plan, report, kpis = result.problem, result.plan, result.report, result.kpis
    out_dir.mkdir(parents=True, exist_ok=True)
    write_plan_json(
        out_dir / "plan.json",
        plan,
        problem,
        report,
        kpis,
        date=day.date,
        timezone=day.timezone,
        extra={"delivery": delivery_to_dict(result)},
    )
    write_geojson(out_dir / "plan.geojson", plan, problem, report)
    write_stops_csv(out_dir / "stops", plan, problem, report, date=day.date, timezone=day.timezone)
    write_map(out_dir / "plan.png", plan, problem, report)
    _print_summary(plan, problem, report, kpis, elapsed, result.unassigned, orders=len(day.orders))
    _print_delivery(result)
    out.print(
        f"Wrote {out_dir / 'plan.json'}, {out_dir / 'plan.geojson'}, {out_dir / 'plan.png'} "
        f"and {out_dir / 'stops'}/"
    )
    if not result.delivery.feasible:
        err.print(_violations_table(Report(violations=result.delivery.violations)))
        raise typer.Exit(EXIT_VIOLATIONS)


def _print_delivery(day: DayPlan) -> None:
    """Delivery options and consolidation against the all-home baseline."""
    k = day.delivery_kpis
    cons = day.consolidation.report
    table = Table(title="Delivery options and consolidation")
    for column in ("figure", "plan", "all-home baseline", "saved"):
        table.add_column(column, justify="left" if column == "figure" else "right")

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}%"

    def row(name: str, value: float | None, base: float | None, fmt: str) -> None:
        saved = "-" if value is None or base is None else format(base - value, fmt)
        table.add_row(
            name,
            "-" if value is None else format(value, fmt),
            "-" if base is None else format(base, fmt),
            saved,
        )

    row("stops", k.stops, k.baseline_stops, ",d")
    row("km", k.distance_km, k.baseline_distance_km, ",.1f")
    row("kg CO2", k.co2_kg, k.baseline_co2_kg, ",.1f")
    row(
        "cost EUR",
        k.cost / 100,
        None if k.baseline_cost is None else k.baseline_cost / 100,
        ",.2f",
    )
    table.add_row("parcels to pickup points", pct(k.pickup_parcel_share), "", "")
    table.add_row("first-choice orders", pct(k.first_choice_share), "", "")
    table.add_row(
        "parcels per stop",
        "-" if k.parcels_per_stop is None else f"{k.parcels_per_stop:.2f}",
        "",
        "",
    )
    table.add_row(
        "orders -> shipments -> stops",
        f"{cons.orders} -> {cons.shipments} -> {len(day.stops.orders)}",
        "",
        f"{cons.orders - len(day.stops.orders)} stops",
    )
    table.add_row(
        "parcels (packed)",
        f"{cons.parcels_after}",
        f"{cons.parcels_before}",
        f"{cons.parcels_saved}",
    )
    if cons.box_fill_rate:
        table.add_row("box fill rate", pct(cons.box_fill_rate), "", "")
    table.add_row(
        "assignment",
        day.assignment.method,
        "",
        ", ".join(f"{m} {c / 100:,.2f}" for m, c in day.costs.items()),
    )
    out.print(table)


def _print_summary(
    plan: Plan,
    problem: RoutingProblem,
    report: Report,
    kpis: Kpis,
    elapsed: float,
    unassigned: tuple[Unassigned, ...] | None = None,
    orders: int = 0,
) -> None:
    """Routes, unassigned orders and figures; ``unassigned`` and ``orders`` are order-level
    for a plan of stops."""
    routes = Table(title=f"Routes - {problem.name}")
    for column in ("route", "vehicle", "stops", "km", "hours", "depart", "return", "kg", "CO2 kg"):
        routes.add_column(column, justify="right" if column not in ("route", "vehicle") else "left")
    by_id = problem.order_by_id()
    for k, (rr, rk) in enumerate(zip(report.routes, kpis.routes), start=1):
        weight = sum(by_id[s.order_id].weight for s in rr.stops if s.order_id in by_id)
        routes.add_row(
            f"R{k:02d}",
            rr.vehicle_id,
            str(len(rr.stops)),
            f"{rr.distance / 1000:.1f}",
            f"{(rr.end - rr.start) / 3600:.2f}",
            _hhmm(rr.start),
            _hhmm(rr.end),
            f"{weight / 1000:.0f}",
            f"{rk.co2_kg:.1f}",
        )
    out.print(routes)
    left_out = plan.unassigned if unassigned is None else unassigned
    if left_out:
        table = Table(title=f"Unassigned orders ({len(left_out)})")
        for column in ("order", "reason", "detail"):
            table.add_column(column)
        for u in left_out:
            table.add_row(u.order_id, u.reason.value, u.detail)
        out.print(table)
    summary = Table(title="Plan summary", show_header=False)
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    util = kpis.utilisation_overall
    rows = [
        *(
            [
                ("orders delivered / total", f"{orders - len(unassigned)} / {orders}"),
                ("stops routed / total", f"{kpis.orders_routed} / {kpis.orders}"),
                ("unassigned orders", str(len(unassigned))),
            ]
            if unassigned is not None
            else [
                ("orders routed / total", f"{kpis.orders_routed} / {kpis.orders}"),
                ("unassigned", str(kpis.orders_unassigned)),
            ]
        ),
        ("vehicles used / available", f"{kpis.vehicles_used} / {kpis.vehicles_available}"),
        ("total cost", f"{kpis.total_cost / 100:,.2f} EUR"),
        ("distance", f"{kpis.distance_km:,.1f} km" if kpis.distance_km is not None else "-"),
        (
            "driving / service / waiting h",
            f"{kpis.driving_time / 3600:.1f} / {kpis.service_time / 3600:.1f} / "
            f"{kpis.waiting_time / 3600:.1f}",
        ),
        (
            "utilisation weight / volume / parcels",
            " / ".join(
                "-" if x is None else f"{100 * x:.0f}%"
                for x in (util.weight, util.volume, util.parcels)
            ),
        ),
        ("on time", "-" if kpis.on_time_share is None else f"{100 * kpis.on_time_share:.1f}%"),
        (
            "CO2",
            f"{kpis.co2_kg:,.1f} kg"
            + ("" if kpis.co2_g_per_parcel is None else f" ({kpis.co2_g_per_parcel:.0f} g/parcel)"),
        ),
        ("checker", "feasible" if report.feasible else f"{len(report.violations)} violations"),
        ("solve time", f"{elapsed:.1f} s"),
    ]
    for name, value in rows:
        summary.add_row(name, value)
    out.print(summary)


def _hhmm(seconds: float) -> str:
    minutes = int(round(seconds / 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@app.command()
def solve(
    instance: Annotated[
        Path, typer.Argument(help="Solomon .txt, VRPDO .txt (Dumez, Tilk) or CVRPLIB .vrp.")
    ],
    time_limit: Annotated[float, typer.Option(help="Search seconds.")] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    engine: Annotated[str, typer.Option(help=f"One of {', '.join(ENGINES)}.")] = "hybrid",
    output: Annotated[Path | None, typer.Option(help="Plan JSON file (default: stdout).")] = None,
) -> None:
    """Solve a benchmark instance and write its routes with the instance's customer numbers."""
    from optimizer.formats.benchmark_plan import benchmark_plan_dict, is_vrpdo, read_instance

    _check_engine(engine)
    if not (math.isfinite(time_limit) and time_limit > 0):
        raise typer.BadParameter("must be a positive number of seconds", param_hint="--time-limit")
    if instance.suffix.lower() == ".txt" and is_vrpdo(instance):
        _solve_vrpdo(instance, time_limit, seed, output)
        return
    try:
        problem, kind = read_instance(instance)
    except InputError as exc:
        raise _fail_input(exc) from None
    params = SolveParams(time_limit, seed, engine)
    result = _solve_with_progress(
        problem, params, f"Solving {problem.name} ({len(problem.orders)} customers)"
    )
    report = check_plan(result, problem)
    document = benchmark_plan_dict(result, problem, report, kind, params)
    _write_document(
        document,
        output,
        f"{problem.name}: {document['vehicles']} vehicles, distance {document['distance']}, "
        f"{len(document['unassigned'])} unassigned, checker "
        f"{'ok' if report.feasible else 'VIOLATIONS'}",
    )
    if not report.feasible:
        raise typer.Exit(EXIT_VIOLATIONS)


def _write_document(document: dict[str, object], output: Path | None, summary: str) -> None:
    text = json.dumps(document, indent=2)
    if output is None:
        out.print_json(text) if out.is_terminal else print(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n")
        out.print(f"{summary} -> {output}")


def _solve_vrpdo(instance: Path, time_limit: float, seed: int, output: Path | None) -> None:
    """``tournee solve`` for a VRP-with-delivery-options instance (Dumez or Tilk set)."""
    from optimizer.formats.vrpdo import read_vrpdo
    from optimizer.vrpdo import VrpdoParams, check_vrpdo, solve_vrpdo, vrpdo_plan_dict

    try:
        problem = read_vrpdo(instance)
    except InputError as exc:
        raise _fail_input(exc) from None
    with err.status(f"Solving {problem.name} ({problem.n_customers} customers)"):
        solution = solve_vrpdo(problem, VrpdoParams(time_limit=time_limit, seed=seed))
    report = check_vrpdo(problem, solution)
    document = vrpdo_plan_dict(problem, solution)
    _write_document(
        document,
        output,
        f"{problem.name}: {document['vehicles']} vehicles, cost {document['cost']}, checker "
        f"{'ok' if report.feasible else 'VIOLATIONS'}",
    )
    if not report.feasible:
        raise typer.Exit(EXIT_VIOLATIONS)


@app.command()
def check(
    batch: Annotated[Path, typer.Argument(help="The batch the plan is for.")],
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN", help="Plan JSON to check.")],
    fleet: Annotated[Path | None, typer.Option(help="Fleet/depot JSON for a CSV batch.")] = None,
) -> None:
    """Re-check any plan (for example one a carrier edited) and list violations."""
    from optimizer.formats.delivery_json import read_delivery_stops
    from optimizer.formats.plan_json import read_plan_json
    from optimizer.kpis import compute_kpis
    from optimizer.pipeline import check_day_plan

    try:
        day = read_batch(batch, fleet)
        edited = read_plan_json(plan_file)
        stops = read_delivery_stops(plan_file)
    except InputError as exc:
        raise _fail_input(exc) from None
    if stops is None:  # a plan of orders, one stop each
        problem = day.to_problem()
        report = check_plan(edited, problem)
        kpis = compute_kpis(edited, problem, report)
    else:
        try:
            checked = check_day_plan(day, edited, stops)
        except ValueError as exc:
            raise _fail_input(InputError(str(plan_file), str(exc), "delivery.stops")) from None
        problem, kpis = checked.problem, checked.kpis
        report = dataclasses.replace(
            checked.report, violations=checked.report.violations + checked.delivery.violations
        )
    if report.violations or report.warnings:
        out.print(_violations_table(report))
    km = "-" if kpis.distance_km is None else f"{kpis.distance_km:.1f} km"
    unit = "orders" if stops is None else "stops"
    out.print(
        f"{len(edited.routes)} routes, {kpis.orders_routed} {unit} routed, "
        f"{kpis.orders_unassigned} unassigned, {km}, "
        f"cost {kpis.total_cost / 100:,.2f} EUR"
    )
    if report.feasible:
        out.print("[bold green]feasible[/]: no violation")
        return
    out.print(f"[bold red]infeasible[/]: {len(report.violations)} violation(s)")
    raise typer.Exit(EXIT_VIOLATIONS)


app.command("pick-route")(pick_route)
app.command("simulate")(simulate_scenario)
app.command("serve")(service_cli.serve)
app.command("worker")(service_cli.worker)
app.add_typer(service_cli.keys_app, name="keys")


def main() -> None:
    """Entry point of the ``tournee`` command."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except PlanCheckError as exc:
        err.print(f"[bold red]internal error:[/] {exc}")
        sys.exit(3)


if __name__ == "__main__":
    main()
