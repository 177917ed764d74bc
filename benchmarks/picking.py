"""Picker routing on the Heßler & Irnich SPRP benchmark: optimal vs proven optima.

Runs the ``optimal`` policy on every instance file, single-block and two-block,
compares it with ``optima.csv``, and runs the five heuristics to report their mean
gap to the optimum. A heuristic shorter than the optimum is a violation. Exits 1
on any mismatch, violation or missing optimum.

Usage::

    python benchmarks/picking.py
    python benchmarks/picking.py --dir path/to/instances --optima path/to/optima.csv
    python benchmarks/picking.py --blocks 1 --limit 100
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from simulation.layout import Position
from simulation.picking import POLICIES
from simulation.sprp import LAYOUTS, read_optima, read_sprp

DEFAULT_DIR = (
    Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "picker_routing" / "instances"
)
HEURISTICS = [name for name in POLICIES if name != "optimal"]
TOL = 1e-6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="instance folder")
    parser.add_argument("--optima", type=Path, help="optima.csv (default: next to --dir)")
    parser.add_argument("--blocks", type=int, nargs="+", default=[1, 2], choices=[1, 2])
    parser.add_argument("--limit", type=int, help="only the first N files (sorted by name)")
    args = parser.parse_args(argv)
    optima = read_optima(args.optima or args.dir.parent / "optima.csv")
    files = sorted(args.dir.glob("*.txt"))[: args.limit]
    if not files:
        print(f"no instance files in {args.dir}", file=sys.stderr)
        return 1

    times: dict[tuple[int, int, int, int], list[float]] = defaultdict(list)
    mismatches: dict[tuple[int, int, int, int], int] = defaultdict(int)
    gaps: dict[tuple[int, str], list[float]] = defaultdict(list)
    violations: dict[tuple[int, str], int] = defaultdict(int)
    remeasure_errors = 0
    lg_over_midpoint: dict[int, int] = defaultdict(int)
    combined_over_s_return = missing = 0
    started = time.perf_counter()
    for path in files:
        for blocks in args.blocks:
            layout, picks = read_sprp(path, blocks)
            key = (blocks, layout.aisles, layout.locations_per_aisle, len(picks))
            expected = optima.get((path.name, blocks))
            t0 = time.perf_counter()
            tour = POLICIES["optimal"](layout, picks)
            times[key].append((time.perf_counter() - t0) * 1000)
            if expected is None:
                missing += 1
                print(f"missing optimum: {path.name} {LAYOUTS[blocks]}", file=sys.stderr)
                continue
            if abs(tour.length - expected) > TOL:
                mismatches[key] += 1
                print(
                    f"MISMATCH {path.name} {LAYOUTS[blocks]}: {tour.length:g} != {expected:g}",
                    file=sys.stderr,
                )
            sequence: list[Position] = [layout.depot, *tour.sequence, layout.depot]
            if abs(layout.path_length(sequence) - tour.length) > TOL:
                remeasure_errors += 1
            lengths = {}
            for name in HEURISTICS:
                heuristic = POLICIES[name](layout, picks)
                lengths[name] = heuristic.length
                if abs(layout.path_length(heuristic.path) - heuristic.length) > TOL:
                    remeasure_errors += 1
                gaps[(blocks, name)].append(100 * (heuristic.length - expected) / expected)
                if heuristic.length < expected - TOL:
                    violations[(blocks, name)] += 1
                    print(f"VIOLATION {name} {path.name} {LAYOUTS[blocks]}", file=sys.stderr)
            lg_over_midpoint[blocks] += lengths["largest_gap"] > lengths["midpoint"] + TOL
            combined_over_s_return += lengths["combined"] > (
                min(lengths["s_shape"], lengths["return"]) + TOL
            )
    elapsed = time.perf_counter() - started

    print("Optimal routing vs published optima (times: optimal policy only, per instance)")
    print(
        f"{'layout':<13}{'aisles':>7}{'cells':>6}{'picks':>6}{'inst':>6}"
        f"{'mismatch':>9}{'mean ms':>9}{'median ms':>10}"
    )
    for key in sorted(times):
        blocks, aisles, cells, n = key
        ms = times[key]
        print(
            f"{LAYOUTS[blocks]:<13}{aisles:>7}{cells:>6}{n:>6}{len(ms):>6}"
            f"{mismatches[key]:>9}{statistics.mean(ms):>9.2f}{statistics.median(ms):>10.2f}"
        )
    print()
    print("Heuristics: gap to optimum in %, and tours shorter than the optimum (must be 0)")
    print(f"{'layout':<13}{'policy':<13}{'mean gap':>9}{'max gap':>9}{'violations':>11}")
    for blocks in args.blocks:
        for name in HEURISTICS:
            values = gaps[(blocks, name)]
            if values:
                print(
                    f"{LAYOUTS[blocks]:<13}{name:<13}{statistics.mean(values):>9.2f}"
                    f"{max(values):>9.2f}{violations[(blocks, name)]:>11}"
                )
    for blocks in args.blocks:
        ms = [t for key, values in times.items() if key[0] == blocks for t in values]
        print(
            f"{LAYOUTS[blocks]}: {len(ms)} instances, "
            f"{sum(v for k, v in mismatches.items() if k[0] == blocks)} mismatches, "
            f"optimal mean {statistics.mean(ms):.2f} ms, max {max(ms):.2f} ms"
        )
    total_mismatches = sum(mismatches.values())
    total_violations = sum(violations.values())
    print(
        f"total: {sum(map(len, times.values()))} instance-layouts, {total_mismatches} mismatches, "
        f"{total_violations} heuristic violations, {missing} missing optima, "
        f"{remeasure_errors} re-measure errors; "
        f"largest gap > midpoint: {dict(lg_over_midpoint)} by blocks; "
        f"combined > min(S-shape, return): {combined_over_s_return}; "
        f"wall time {elapsed:.1f} s"
    )
    failed = (
        total_mismatches
        or total_violations
        or missing
        or remeasure_errors
        or combined_over_s_return
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
