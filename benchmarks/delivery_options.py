"""VRP with delivery options: ``solve_vrpdo`` against the published references.

* Tilk et al. 25-customer instances (U/V × small/medium/large): gap to the
  branch-price-and-cut cost where it is a proven optimum
  (``bpc_proven_optimal == Y``; integer ×10 convention). A solution with more
  routes than the BPC's can be cheaper than its "optimum" (the BPC's model
  seems to limit or rank the vehicles), so the summary also gives the mean
  over the instances where we use no more routes.
* Dumez et al. 50-customer instances (U/V/UBC_50): gap to the cheapest stored
  solution that passes the checks (``lowest_checked_solution_cost``, an upper
  bound under the README's model); the LNS best (cost and routes) is printed
  for information.

Every solution is re-checked with ``check_vrpdo``.

Usage::

    python benchmarks/delivery_options.py --time-limit 30
    python benchmarks/delivery_options.py --time-limit 5 --instances U_25small_1 U_50_1
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

from optimizer.formats.vrpdo import read_vrpdo
from optimizer.vrpdo import VrpdoParams, check_vrpdo, solve_vrpdo

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "vrpdo"
TILK = [f"{v}_25{w}_{k}" for v in "UV" for w in ("small", "medium", "large") for k in range(1, 11)]
DUMEZ = [f"{c}_50_{k}" for c in ("U", "V", "UBC") for k in range(1, 11)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--instances", nargs="+", default=TILK + DUMEZ)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    refs: dict[str, dict[str, str]] = {}
    for name in ("tilk2021", "dumez2021"):
        with open(args.dir / "reference_values" / f"{name}_reference_values.csv") as f:
            refs.update({r["instance"]: r for r in csv.DictReader(f)})
    print(
        f"{'instance':<16}{'cost':>11}{'routes':>7}{'reference':>11}{'kind':>9}"
        f"{'gap %':>8}{'feasible':>9}{'LNS best':>10}{'LNS rts':>8}{'time s':>8}"
    )
    tilk_gaps: list[float] = []
    tilk_same_fleet: list[float] = []
    dumez_gaps: list[float] = []
    infeasible = 0
    for name in args.instances:
        tilk = any(w in name for w in ("small", "medium", "large"))
        path = args.dir / "instances" / ("tilk2021" if tilk else "dumez2021") / f"{name}.txt"
        instance = read_vrpdo(path, convention="tilk" if tilk else "dumez")
        started = time.monotonic()
        solution = solve_vrpdo(instance, VrpdoParams(time_limit=args.time_limit, seed=args.seed))
        elapsed = time.monotonic() - started
        report = check_vrpdo(instance, solution)
        infeasible += not report.feasible
        row = refs.get(name, {})
        ref_text, kind, gap_text = "-", "-", "-"
        if tilk and row.get("bpc_proven_optimal") == "Y" and row.get("bpc_cost"):
            ref, kind = float(row["bpc_cost"]), "optimum"
        elif row.get("lowest_checked_solution_cost"):
            ref, kind = float(row["lowest_checked_solution_cost"]), "checked"
        else:
            ref = None
        if ref is not None:
            gap = 100 * (report.cost - ref) / ref
            ref_text, gap_text = f"{ref:.3f}", f"{gap:.2f}"
            if report.feasible and kind == "optimum":
                tilk_gaps.append(gap)
                if report.vehicles <= int(row.get("bpc_vehicles") or report.vehicles):
                    tilk_same_fleet.append(gap)
            elif report.feasible and not tilk:
                dumez_gaps.append(gap)
        print(
            f"{name:<16}{report.cost:>11.3f}{report.vehicles:>7}{ref_text:>11}{kind:>9}"
            f"{gap_text:>8}{'yes' if report.feasible else 'NO':>9}"
            f"{row.get('lns_best_cost') or '-':>10}{row.get('lns_best_routes') or '-':>8}"
            f"{elapsed:>8.1f}",
            flush=True,
        )
    if tilk_gaps:
        print(
            f"Tilk 25, proven optima: mean gap {statistics.mean(tilk_gaps):.2f} % over "
            f"{len(tilk_gaps)} instances, {sum(g < 1e-9 for g in tilk_gaps)} optimal "
            "(target <= 1 %)"
        )
    if tilk_same_fleet:
        print(
            f"Tilk 25, proven optima, no more routes than the BPC: mean gap "
            f"{statistics.mean(tilk_same_fleet):.2f} % over {len(tilk_same_fleet)} instances"
        )
    if dumez_gaps:
        print(
            f"Dumez 50 vs lowest checked: mean gap {statistics.mean(dumez_gaps):.2f} % over "
            f"{len(dumez_gaps)} instances (target <= 0)"
        )
    print(f"infeasible: {infeasible}")
    return 1 if infeasible else 0


if __name__ == "__main__":
    sys.exit(main())
