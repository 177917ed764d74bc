"""Integrated pickup-point assignment: route over every delivery option at once.

Each shipment becomes one routing node per valid option (home, or a pickup
point); the nodes of one shipment form one disjunction, so the router picks
the option and the route together. Pickup point capacities, locker
compartments (nested by size) and the first-choice quota are hard side
constraints on the visited nodes; consecutive nodes at one pickup point share
one stop, paying its stop time once. The search starts from a feasible plan
(the sequential method's) and improves it with OR-Tools guided local search
(:mod:`optimizer.engines.ortools_routing`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.assignment import candidates, explain_assignment
from optimizer.compiled import Alternatives, CompiledProblem
from optimizer.domain.batch import Batch
from optimizer.domain.delivery import (
    SIZE_CLASSES,
    Assignment,
    Candidate,
    OptionKind,
    size_counts,
)
from optimizer.domain.orders import Order
from optimizer.domain.problems import RoutingProblem
from optimizer.domain.time_window import TimeWindow
from optimizer.travel.geodesic import GeodesicProvider
from optimizer.zones import ZoneRules

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IntegratedResult:
    """What the integrated method found.

    Attributes
    ----------
    assignment
        One choice per shipment it could place (``method="integrated"``).
    routes
        Vehicle id -> shipment ids in visit order.
    runs
        Shipment id -> ``(vehicle id, run)``: shipments sharing a key were
        delivered in one stop (consecutive at one site).
    objective
        The engine's objective (internal units).
    """

    assignment: Assignment
    routes: dict[str, list[str]]
    runs: dict[str, tuple[str, int]]
    objective: int


def _site_key(c: Candidate) -> tuple[object, ...]:
    if c.kind is OptionKind.HOME:
        loc = c.location
        return ("home", getattr(loc, "lat", getattr(loc, "x", 0)), getattr(loc, "lon", 0))
    return ("pp", c.site)


def candidate_node_id(shipment_id: str, site: str) -> str:
    """Id of the routing node delivering ``shipment_id`` at ``site``."""
    return f"{shipment_id}@{site}"


def _vehicle_types(
    rules: ZoneRules, c: Candidate, shipment: Order, all_types: frozenset[str]
) -> frozenset[str]:
    allowed = rules.allowed_types(c.location)
    if shipment.vehicle_types:
        allowed &= shipment.vehicle_types
    return frozenset() if allowed == all_types else allowed


def assign_integrated(
    batch: Batch,
    shipments: Sequence[Order],
    members: Mapping[str, Sequence[str]],
    *,
    initial: Mapping[str, Sequence[tuple[str, str]]],
    time_limit: float,
    seed: int = 0,
) -> IntegratedResult | None:
    """Choose options and routes together.

    Parameters
    ----------
    batch
        The day (pickup points, zones, fleet, options).
    shipments
        Consolidated shipments.
    members
        Shipment id -> its order ids (for the quota, counted in orders).
    initial
        A feasible start: vehicle id -> ``(shipment id, site)`` in visit order.
    time_limit
        Seconds of search.
    seed
        Tie-breaking seed.

    Returns
    -------
    IntegratedResult or None
        ``None`` when the routing model rejects the start or finds nothing.
    """
    from optimizer.engines import ortools_routing

    rules = ZoneRules(batch.zones, batch.fleet)
    all_types = frozenset(vt.id for vt in batch.fleet.types)
    points = {p.id: p for p in batch.pickup_points}
    nodes: list[Order] = []
    cands: list[Candidate] = []
    setups: list[int] = []
    sites: list[tuple[object, ...]] = []
    groups: list[list[int]] = []
    penalties: list[int | None] = []
    group_of: dict[str, int] = {}
    for shipment in shipments:
        found, _ = candidates(batch, shipment, rules)
        if not found:
            continue
        group_of[shipment.id] = len(groups)
        group = []
        for c in found:
            if c.kind is OptionKind.HOME:
                stop_time, handling = 0, shipment.service_time
                windows = c.time_windows
            else:
                point = points[c.site]
                stop_time = point.stop_time
                handling = point.parcel_time * shipment.parcel_count
                windows = tuple(
                    TimeWindow(w.start + stop_time, w.end + stop_time) for w in c.time_windows
                )
            group.append(len(nodes))
            nodes.append(
                Order(
                    id=candidate_node_id(shipment.id, c.site),
                    customer=shipment.customer,
                    location=c.location,
                    parcels=shipment.parcels,
                    time_windows=windows,
                    service_time=handling,
                    penalty=shipment.penalty,
                    skills=shipment.skills,
                    vehicle_types=_vehicle_types(rules, c, shipment, all_types),
                    release_time=shipment.release_time,
                )
            )
            cands.append(c)
            setups.append(stop_time)
            sites.append(_site_key(c))
        groups.append(group)
        penalties.append(shipment.penalty)
    if not nodes:
        return None

    problem = RoutingProblem.build(
        f"{batch.name} (integrated)",
        tuple(nodes),
        batch.depots,
        batch.fleet,
        GeodesicProvider(batch.options.detour_factor),
        co2_price=batch.options.co2_price,
    )
    cp = CompiledProblem.from_problem(problem)
    d = cp.n_depots
    site_ids = {key: k for k, key in enumerate(dict.fromkeys(sites))}
    site = np.array([-1 - k for k in range(d)] + [site_ids[s] for s in sites], dtype=np.int64)
    setup = np.array([0] * d + setups, dtype=np.int64)
    rank_cost = batch.options.rank_cost
    node_cost = np.array([0] * d + [c.cost + rank_cost * c.rank for c in cands], dtype=np.int64)
    alternatives = Alternatives(
        groups=tuple(tuple(d + k for k in g) for g in groups),
        penalties=tuple(penalties),
        node_cost=node_cost,
        site=site,
        setup=setup,
        limits=_limits(batch, nodes, cands, members, d),
    )
    node_index = {o.id: d + k for k, o in enumerate(nodes)}
    vehicle_index = {v.id: k for k, v in enumerate(cp.vehicles)}
    start: list[list[int]] = [[] for _ in cp.vehicles]
    for vehicle_id, visits in initial.items():
        for shipment_id, site_name in visits:
            node = node_index.get(candidate_node_id(shipment_id, site_name))
            if node is None:
                logger.info("integrated: start visit %s@%s is no candidate", shipment_id, site_name)
                return None
            start[vehicle_index[vehicle_id]].append(node)
    result = ortools_routing.solve(
        cp,
        [cp.order_node(k) for k in range(len(nodes))],
        time_limit=time_limit,
        seed=seed,
        initial_routes=start,
        alternatives=alternatives,
    )
    if not result.routes and any(start):
        return None

    routes: dict[str, list[str]] = {}
    runs: dict[str, tuple[str, int]] = {}
    chosen: dict[str, Candidate] = {}
    for route in result.routes:
        vehicle_id = cp.vehicles[route.vehicle].id
        run, last_site = -1, None
        for node in route.nodes:
            c = cands[node - d]
            if site[node] != last_site:
                run += 1
                last_site = site[node]
            routes.setdefault(vehicle_id, []).append(c.shipment_id)
            runs[c.shipment_id] = (vehicle_id, run)
            chosen[c.shipment_id] = c
    for shipment in shipments:  # left out by the router: keep its preferred option on record
        if shipment.id in group_of and shipment.id not in chosen:
            alts = [cands[k] for k in groups[group_of[shipment.id]]]
            chosen[shipment.id] = min(alts, key=lambda a: (a.rank, a.cost))
    explained = explain_assignment(
        batch,
        shipments,
        members,
        {s: c.site for s, c in chosen.items()},
        method="integrated",
    )
    choices = tuple(
        dataclasses.replace(
            choice,
            explanation=(
                f"routed with all options at once ({runs[choice.shipment_id][0]}): "
                if choice.shipment_id in runs
                else "not routed: "
            )
            + choice.explanation,
        )
        for choice in explained.choices
    )
    assignment = Assignment(choices, explained.rejected, explained.unserved, "integrated")
    return IntegratedResult(assignment, routes, runs, result.objective)


def _limits(
    batch: Batch,
    nodes: Sequence[Order],
    cands: Sequence[Candidate],
    members: Mapping[str, Sequence[str]],
    d: int,
) -> tuple[tuple[tuple[int, ...], tuple[int, ...], int | None, int | None], ...]:
    """Pickup point capacities, nested locker compartments and the quota."""
    limits: list[tuple[tuple[int, ...], tuple[int, ...], int | None, int | None]] = []
    for point in batch.pickup_points:
        at = [
            k for k, c in enumerate(cands) if c.site == point.id and c.kind is not OptionKind.HOME
        ]
        if not at:
            continue
        if point.capacity is not None:
            limits.append(
                (
                    tuple(d + k for k in at),
                    tuple(nodes[k].parcel_count for k in at),
                    None,
                    point.capacity,
                )
            )
        if point.is_locker:
            free = point.free
            counts = [size_counts(nodes[k].parcels) for k in at]
            for first in range(len(SIZE_CLASSES)):
                sizes = SIZE_CLASSES[first:]
                limits.append(
                    (
                        tuple(d + k for k in at),
                        tuple(sum(cnt[s] for s in sizes) for cnt in counts),
                        None,
                        sum(free[s] for s in sizes),
                    )
                )
    pct = batch.options.min_first_choice_pct
    if pct:
        total = sum(len(m) for m in members.values())
        need = math.ceil(pct * total / 100 - 1e-9)
        ranked_first = [k for k, c in enumerate(cands) if c.rank == 0]
        limits.append(
            (
                tuple(d + k for k in ranked_first),
                tuple(len(members[cands[k].shipment_id]) for k in ranked_first),
                need,
                None,
            )
        )
    return tuple(limits)
