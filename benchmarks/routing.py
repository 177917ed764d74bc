"""Routing quality on Solomon VRPTW instances, engines side by side.

Every plan is re-checked by ``optimizer.check.check_plan``. Distances are
measured twice from the instance coordinates: in double precision and under
the DIMACS-2021 rule (each arc truncated to one decimal), the rule of the
proven distance-only optima in ``bks.csv`` (column ``distance_only_dimacs``).

Usage::

    python benchmarks/routing.py --time-limit 10
    python benchmarks/routing.py --instances C101 R211 --engines hybrid ortools pyvrp
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import time
from pathlib import Path

from optimizer.check import check_plan
from optimizer.formats.solomon import read_solomon
from optimizer.routing import ENGINES, SolveParams, solve_routes

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "solomon"
DEFAULT_INSTANCES = ["C101", "C201", "R101", "R112", "R201", "R211", "RC101", "RC208"]


def route_lengths(problem, plan) -> tuple[float, float]:
    """Total distance in double precision and with arcs truncated to 0.1."""
    exact = dimacs = 0.0
    depot = problem.depots[0].location
    by_id = problem.order_by_id()
    for route in plan.routes:
        points = [depot, *(by_id[o].location for o in route.order_ids), depot]
        for a, b in zip(points, points[1:]):
            d = math.hypot(a.x - b.x, a.y - b.y)
            exact += d
            dimacs += math.floor(d * 10 + 1e-9) / 10
    return exact, dimacs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--instances", nargs="+", default=DEFAULT_INSTANCES)
    parser.add_argument(
        "--engines", nargs="+", default=["hybrid", "ortools", "pyvrp"], choices=ENGINES
    )
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    bks = {r["instance"].upper(): r for r in csv.DictReader(open(args.dir / "bks.csv"))}
    gaps: dict[str, list[float]] = {e: [] for e in args.engines}
    infeasible = 0
    header = (
        f"{'instance':9} {'engine':8} {'veh':>4} {'distance':>9} {'dimacs':>8} "
        f"{'optimum':>8} {'gap %':>6} {'time s':>6} checker"
    )
    print(header)
    print("-" * len(header))
    for name in args.instances:
        problem = read_solomon(args.dir / f"{name}.txt")
        best = float(bks[name.upper()]["distance_only_dimacs"])
        for engine in args.engines:
            began = time.perf_counter()
            plan = solve_routes(problem, SolveParams(args.time_limit, args.seed, engine))
            elapsed = time.perf_counter() - began
            report = check_plan(plan, problem)
            exact, dimacs = route_lengths(problem, plan)
            gap = 100 * (dimacs - best) / best
            gaps[engine].append(gap)
            ok = "ok" if report.feasible and not plan.unassigned else "INFEASIBLE"
            infeasible += ok != "ok"
            print(
                f"{name:9} {engine:8} {len(plan.routes):4d} {exact:9.2f} {dimacs:8.1f} "
                f"{best:8.1f} {gap:6.2f} {elapsed:6.1f} {ok}",
                flush=True,
            )
    print()
    print(f"{'engine':8} {'mean gap %':>10} {'median gap %':>12} {'max gap %':>9}")
    for engine, values in gaps.items():
        print(
            f"{engine:8} {statistics.mean(values):10.2f} {statistics.median(values):12.2f} "
            f"{max(values):9.2f}"
        )
    return 1 if infeasible else 0


if __name__ == "__main__":
    sys.exit(main())
