"""A quick-look PNG map of a plan (matplotlib, Agg backend).

Routes are drawn in the plane of longitude and latitude, scaled by the
cosine of the mean latitude so that distances look right at city scale;
depots are squares, stops dots in their route's colour, unassigned orders
red crosses. For a real basemap, open the GeoJSON in a GIS.
"""

from __future__ import annotations

import math
from pathlib import Path

from optimizer.check import Report
from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.plans import Plan
from optimizer.domain.problems import RoutingProblem
from optimizer.formats.plan_json import numbered_routes


def _xy(point: Location | PlanarPoint) -> tuple[float, float]:
    if isinstance(point, Location):
        return point.lon, point.lat
    return point.x, point.y


def write_map(path: Path, plan: Plan, problem: RoutingProblem, report: Report) -> None:
    """Draw ``plan`` to a PNG file at ``path``.

    Parameters
    ----------
    path
        PNG file to write.
    plan, problem, report
        A checked plan, its problem and ``check_plan(plan, problem)``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 9), dpi=110)
    colours = plt.get_cmap("tab20")
    orders = problem.order_by_id()
    for k, numbered in enumerate(numbered_routes(plan, problem, report)):
        route = numbered.route
        vt = problem.fleet.vehicles[
            [v.id for v in problem.fleet.vehicles].index(route.vehicle_id)
        ].type
        start = problem.depot(vt.start_depot).location
        end = problem.depot(vt.end_depot).location
        points = [_xy(start), *(_xy(orders[o].location) for o in route.order_ids), _xy(end)]
        xs, ys = zip(*points)
        colour = colours(k % 20)
        label = f"{numbered.id} {route.vehicle_id} ({len(route.visits)})"
        ax.plot(xs, ys, "-", color=colour, linewidth=1.2, alpha=0.85, label=label)
        ax.plot(xs[1:-1], ys[1:-1], "o", color=colour, markersize=3)
    for depot in problem.depots:
        x, y = _xy(depot.location)
        ax.plot(x, y, "s", color="black", markersize=9)
        ax.annotate(depot.id, (x, y), textcoords="offset points", xytext=(6, 6), fontsize=8)
    # Frame the routes and depots; unassigned orders far outside are listed instead.
    seen = [_xy(d.location) for d in problem.depots] + [
        _xy(orders[o].location) for r in plan.routes for o in r.order_ids if o in orders
    ]
    x0, x1 = min(x for x, _ in seen), max(x for x, _ in seen)
    y0, y1 = min(y for _, y in seen), max(y for _, y in seen)
    pad_x, pad_y = 0.08 * (x1 - x0 or 1.0), 0.08 * (y1 - y0 or 1.0)
    off_map = []
    for entry in plan.unassigned:
        order = orders.get(entry.order_id)
        if order is None:
            continue
        x, y = _xy(order.location)
        if x0 - pad_x <= x <= x1 + pad_x and y0 - pad_y <= y <= y1 + pad_y:
            ax.plot(x, y, "x", color="red", markersize=8)
            ax.annotate(
                f"{entry.order_id}: {entry.reason.value}",
                (x, y),
                textcoords="offset points",
                xytext=(5, -10),
                fontsize=7,
                color="red",
            )
        else:
            off_map.append(f"{entry.order_id}: {entry.reason.value}")
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    if off_map:
        ax.text(
            0.99,
            0.01,
            "unassigned, off the map:\n" + "\n".join(off_map),
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7,
            color="red",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "red"},
        )
    if problem.points and isinstance(problem.points[0], Location):
        mean_lat = sum(p.lat for p in problem.points if isinstance(p, Location)) / len(
            problem.points
        )
        ax.set_aspect(1 / math.cos(math.radians(mean_lat)))
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
    else:
        ax.set_aspect("equal")
    ax.set_title(f"{problem.name}: {len(plan.routes)} routes, {len(plan.unassigned)} unassigned")
    ax.legend(loc="upper left", fontsize=7, ncol=2, framealpha=0.8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
