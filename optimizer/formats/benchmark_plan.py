"""Benchmark instances in, benchmark-style plan JSON out (``tournee solve``)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from optimizer.check import Report
from optimizer.domain.geo import PlanarPoint
from optimizer.domain.plans import Plan
from optimizer.domain.problems import RoutingProblem
from optimizer.formats.cvrplib import read_cvrplib
from optimizer.formats.errors import InputError
from optimizer.formats.solomon import read_solomon
from optimizer.routing import SolveParams

READERS = {".txt": ("solomon", read_solomon), ".vrp": ("cvrplib", read_cvrplib)}


def is_vrpdo(path: str | Path) -> bool:
    """Whether a ``.txt`` file is a VRPDO instance (its header names LOCATIONS and OPTIONS)."""
    try:
        with open(path, encoding="latin-1") as file:
            head = [next(file, "") for _ in range(6)]
    except OSError:
        return False
    return any("LOCATIONS" in line and "OPTIONS" in line for line in head)


def read_instance(path: str | Path) -> tuple[RoutingProblem, str]:
    """Read a Solomon ``.txt`` or CVRPLIB ``.vrp`` instance by its suffix.

    Returns
    -------
    tuple
        The problem and the format name (``"solomon"`` or ``"cvrplib"``).

    Raises
    ------
    InputError
        For an unknown suffix or a malformed file.
    """
    path = Path(path)
    entry = READERS.get(path.suffix.lower())
    if entry is None:
        raise InputError(str(path), "unknown instance format: expected .txt (Solomon) or .vrp")
    kind, reader = entry
    return reader(path), kind


def arc_length(a: PlanarPoint, b: PlanarPoint, kind: str) -> float:
    """Arc length under the instance family's convention.

    Solomon: Euclidean distance in double precision. CVRPLIB: Euclidean
    distance rounded to the nearest integer.
    """
    d = math.hypot(a.x - b.x, a.y - b.y)
    return float(math.floor(d + 0.5)) if kind == "cvrplib" else d


def benchmark_plan_dict(
    plan: Plan, problem: RoutingProblem, report: Report, kind: str, params: SolveParams
) -> dict[str, Any]:
    """The plan as benchmark JSON.

    ``routes`` lists, per route, the instance's own customer numbers in visit
    order; ``distance`` follows the instance's convention (Solomon: double
    precision, rounded to 2 decimals for display in ``distance``, exact in
    ``distance_exact``; CVRPLIB: sum of rounded arcs).
    """
    depot = problem.depots[0].location
    by_id = problem.order_by_id()
    total = 0.0
    routes = []
    for route in plan.routes:
        points = [depot, *(by_id[o].location for o in route.order_ids), depot]
        for a, b in zip(points, points[1:]):
            assert isinstance(a, PlanarPoint) and isinstance(b, PlanarPoint)
            total += arc_length(a, b, kind)
        routes.append([int(o) for o in route.order_ids])
    distance = int(total) if kind == "cvrplib" else round(total, 2)
    return {
        "instance": problem.name,
        "format": kind,
        "routes": routes,
        "distance": distance,
        "distance_exact": total,
        "vehicles": len(routes),
        "unassigned": [
            {"customer": int(u.order_id), "reason": u.reason.value, "detail": u.detail}
            for u in plan.unassigned
        ],
        "feasible": report.feasible,
        "violations": [v.message for v in report.violations],
        "engine": params.engine,
        "time_limit_s": params.time_limit,
        "seed": params.seed,
    }
