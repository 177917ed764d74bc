"""Integer arrays for the engines, compiled once from a :class:`RoutingProblem`.

Engines and the insertion evaluator in :mod:`optimizer.schedule` work on this
view; the independent checker does not (it recomputes from coordinates).

Node numbering: depots ``0 .. D-1`` (in ``problem.depots`` order), then orders
``D .. D+N-1`` (in ``problem.orders`` order), the same as the problem's points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.domain.fleet import Vehicle
from optimizer.domain.problems import RoutingProblem
from optimizer.domain.time_window import TimeWindow

COST_PER_CENT = 3_600_000
"""Objective units per cent: per-metre and per-second costs become integers."""


def _discretise(values: np.ndarray, rounding: str) -> np.ndarray:
    if rounding == "floor":
        out = np.floor(values + 1e-9)
    elif rounding == "ceil":
        out = np.ceil(values - 1e-9)
    else:
        out = np.floor(values + 0.5)
    return out.astype(np.int64)


@dataclass(frozen=True, slots=True, eq=False)
class CompiledProblem:
    """Integer data of a routing problem.

    Attributes
    ----------
    problem
        The source problem.
    n_depots
        Number of depot nodes.
    arc
        Engine distance matrix (``problem.distances * arc_scale``, rounded by
        the problem's rule).
    travel
        Travel time matrices in seconds, rounded *up*, keyed by vehicle type
        id, so that an engine schedule is feasible in exact arithmetic too.
    service, demand_weight, demand_volume, demand_parcels
        Per node (zero for depots).
    windows
        Per node: the order's time windows (empty for depots).
    vehicles
        Every vehicle of the fleet.
    start_node, end_node
        Per vehicle: depot node indices.
    start_window
        Per vehicle: window in which it may leave its start depot.
    end_latest
        Per vehicle: latest return time at its end depot.
    """

    problem: RoutingProblem
    n_depots: int
    arc: np.ndarray
    travel: dict[str, np.ndarray]
    service: np.ndarray
    demand_weight: np.ndarray
    demand_volume: np.ndarray
    demand_parcels: np.ndarray
    windows: tuple[tuple[TimeWindow, ...], ...]
    vehicles: tuple[Vehicle, ...]
    start_node: tuple[int, ...]
    end_node: tuple[int, ...]
    start_window: tuple[TimeWindow | None, ...]
    end_latest: tuple[int, ...]

    @classmethod
    def from_problem(cls, problem: RoutingProblem) -> CompiledProblem:
        """Compile ``problem`` into integer arrays."""
        n_depots = len(problem.depots)
        orders = problem.orders
        arc = _discretise(problem.distances * problem.arc_scale, problem.arc_rounding)
        travel = {vt.id: _discretise(problem.durations(vt), "ceil") for vt in problem.fleet.types}
        zeros = [0] * n_depots
        service = np.array(zeros + [o.service_time for o in orders], dtype=np.int64)
        weight = np.array(zeros + [o.weight for o in orders], dtype=np.int64)
        volume = np.array(zeros + [o.volume for o in orders], dtype=np.int64)
        parcels = np.array(zeros + [o.parcel_count for o in orders], dtype=np.int64)
        windows = tuple([()] * n_depots + [o.time_windows for o in orders])
        vehicles = problem.fleet.vehicles
        start_node, end_node, start_window, end_latest = [], [], [], []
        for vehicle in vehicles:
            vt = vehicle.type
            start_depot = problem.depot(vt.start_depot)
            end_depot = problem.depot(vt.end_depot)
            start_node.append(problem.depot_index(vt.start_depot))
            end_node.append(problem.depot_index(vt.end_depot))
            start_window.append(vt.shift.intersect(start_depot.opening))
            end_latest.append(min(vt.shift.end, end_depot.opening.end))
        return cls(
            problem=problem,
            n_depots=n_depots,
            arc=arc,
            travel=travel,
            service=service,
            demand_weight=weight,
            demand_volume=volume,
            demand_parcels=parcels,
            windows=windows,
            vehicles=vehicles,
            start_node=tuple(start_node),
            end_node=tuple(end_node),
            start_window=tuple(start_window),
            end_latest=tuple(end_latest),
        )

    @property
    def n_nodes(self) -> int:
        """Depots plus orders."""
        return int(self.arc.shape[0])

    def order_node(self, k: int) -> int:
        """Node of the ``k``-th order."""
        return self.n_depots + k

    def horizon(self) -> int:
        """Latest time anything may happen."""
        ends = [w[-1].end for w in self.windows if w] + list(self.end_latest) + [0]
        return int(max(ends))

    def arc_cost_per_unit(self, vehicle: Vehicle) -> int:
        """Objective units per engine distance unit for ``vehicle``.

        For geographic problems the engine unit is the metre; a vehicle type
        with no per-km cost still gets a tiny unit cost so that routes do
        not wander.
        """
        vt = vehicle.type
        per_km = vt.cost_per_km + vt.co2_per_km * self.problem.co2_price / 1_000_000
        unit_m = 1.0 / self.problem.arc_scale
        if self.problem.travel.distance_unit != "m":
            # Planar instances: ``cost_per_km`` is read as cents per distance unit.
            return max(int(max(per_km, 1) * COST_PER_CENT * unit_m + 0.5), 1)
        return max(int(math.floor(per_km * COST_PER_CENT * unit_m / 1000 + 0.5)), 1)

    def duration_cost_per_second(self, vehicle: Vehicle) -> int:
        """Objective units per second of route duration."""
        return vehicle.type.cost_per_hour * (COST_PER_CENT // 3600)


@dataclass(frozen=True, slots=True, eq=False)
class Alternatives:
    """Alternative nodes for routing with delivery options (integrated assignment).

    Each order node of the compiled problem is one *candidate*: one shipment
    delivered at one site. The engine visits at most one node per group.

    Attributes
    ----------
    groups
        Node lists: at most one node of a group is visited.
    penalties
        Per group: cents for leaving it out, or ``None`` when it must be served.
    node_cost
        Per node: cents added when the node is visited (option and preference
        cost); zero for depots.
    site
        Per node: an integer naming its place; consecutive nodes at one site
        form one stop.
    setup
        Per node: seconds spent once per stop when the vehicle arrives at the
        node's site from another place (pickup point stop time). Node windows
        must already be shifted by it: they bound the end of the setup.
    limits
        Linear constraints on the visited nodes: ``(nodes, coefficients,
        lower, upper)``, meaning ``lower <= sum(coef * visited) <= upper``
        (``None`` for no bound): pickup point capacities, compartments and
        first-choice quotas.
    """

    groups: tuple[tuple[int, ...], ...]
    penalties: tuple[int | None, ...]
    node_cost: np.ndarray
    site: np.ndarray
    setup: np.ndarray
    limits: tuple[tuple[tuple[int, ...], tuple[int, ...], int | None, int | None], ...] = ()
