"""Wall time of one simulated picking day: 5,000 orders, 30 pickers, optimal routing.

A 10-hour day (06:00-16:00) on a single-block layout of 15 aisles: Poisson
arrivals of 500 orders an hour, 30 pickers on one shift with a 30-minute
break, optimal (Ratliff-Rosenthal) picker routing. Prints the wall time of
each replication, their median, and the KPIs of the median replication.

Usage::

    python benchmarks/simulation_day.py
    python benchmarks/simulation_day.py --replications 5 --batching seed --routing s_shape
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from simulation.config import (
    POLICIES_BATCHING,
    POLICIES_ROUTING,
    BatchingConfig,
    DemandConfig,
    LayoutConfig,
    PackingConfig,
    PickerConfig,
    ScenarioConfig,
    Shift,
    StorageConfig,
    Truck,
)
from simulation.model import simulate

H = 3600


def scenario(batching: str, routing: str, storage: str) -> ScenarioConfig:
    """The benchmark day."""
    return ScenarioConfig(
        "benchmark",
        question="How long does a 5,000-order day take to simulate?",
        opening=6 * H,
        closing=18 * H,
        layout=LayoutConfig(aisles=15, locations_per_aisle=30, aisle_spacing=3.0),
        storage=StorageConfig(skus=800, policy=storage),
        demand=DemandConfig(hourly_rates=(500.0,) * 10, start=6 * H, lines_mean=2.0),
        pickers=PickerConfig(
            count=30, shifts=(Shift(6 * H, 16 * H, breaks=((11 * H, 11 * H + 1800),)),)
        ),
        batching=BatchingConfig(
            policy=batching, wave_times=tuple(range(7 * H, 17 * H, H)), time_window=600
        ),
        routing=routing,
        packing=PackingConfig(stations=14),
        trucks=(Truck("DHL", 10 * H), Truck("UPS", 13 * H), Truck("DHL", 17 * H)),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batching", default="fcfs", choices=POLICIES_BATCHING)
    parser.add_argument("--routing", default="optimal", choices=POLICIES_ROUTING)
    parser.add_argument("--storage", default="random", choices=("random", "abc"))
    args = parser.parse_args(argv)

    config = scenario(args.batching, args.routing, args.storage)
    print(
        f"{config.layout.aisles} aisles x {config.layout.locations_per_aisle} slots, "
        f"{config.pickers.count} pickers, batching {args.batching}, routing {args.routing}, "
        f"storage {args.storage}"
    )
    runs = []
    for r in range(args.replications):
        start = time.perf_counter()
        rep = simulate(config, args.seed + r)
        wall = time.perf_counter() - start
        runs.append((wall, rep))
        print(
            f"replication {r + 1}: {wall:6.2f} s  "
            f"{rep.kpis['orders_arrived']:.0f} orders, {len(rep.tours)} tours"
        )
    runs.sort(key=lambda run: run[0])
    wall, rep = runs[len(runs) // 2]
    print(f"median wall time per replication: {statistics.median(w for w, _ in runs):.2f} s")
    print(f"KPIs of the median replication (seed {rep.seed}):")
    for key, value in rep.kpis.items():
        print(f"  {key:24s} {value:12.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
