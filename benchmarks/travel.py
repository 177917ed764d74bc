"""Travel-matrix speed: vectorised haversine against geopy pair by pair.

Usage::

    python benchmarks/travel.py --sizes 100 500 1000 2000 --repeats 5

geopy is timed on a sample of pairs and scaled to the full matrix.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from geopy.distance import great_circle

from optimizer.domain import Location
from optimizer.travel import GeodesicProvider


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 500, 1000, 2000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    provider = GeodesicProvider()
    print(f"{'locations':>9} {'numpy median s':>15} {'geopy est. s':>13} {'speed-up':>9}")
    for n in args.sizes:
        points = [
            Location(float(a), float(b))
            for a, b in zip(rng.uniform(45.6, 45.9, n), rng.uniform(4.7, 5.0, n))
        ]
        times = []
        for _ in range(args.repeats):
            began = time.perf_counter()
            provider.distances(points)
            times.append(time.perf_counter() - began)
        sample = 2000
        pairs = rng.integers(0, n, size=(sample, 2))
        began = time.perf_counter()
        for i, j in pairs:
            great_circle((points[i].lat, points[i].lon), (points[j].lat, points[j].lon))
        geopy = (time.perf_counter() - began) / sample * n * n
        numpy_s = statistics.median(times)
        print(f"{n:9d} {numpy_s:15.4f} {geopy:13.2f} {geopy / numpy_s:8.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
