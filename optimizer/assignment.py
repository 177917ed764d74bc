"""Choosing one delivery option per shipment before routing: the sequential method.

:func:`candidates` resolves a shipment's delivery options into sites (home or
a pickup point) and rejects those that cannot work whatever the other
shipments do; :func:`assign_pickup_points` then chooses one candidate per
shipment with CP-SAT (:mod:`optimizer.engines.assignment_cpsat`) under the
pickup points' parcel capacities, the lockers' nested compartments and the
first-choice quota, and explains each choice.

Cost estimate
-------------
The routes are not known yet, so the objective (integer cents) is an
*estimate*; the pipeline routes the chosen stops and checks the real costs
afterwards. With the reference vehicle type being the fleet's cheapest per
kilometre (ties: cheaper per hour, then id), its ``cost_per_km`` ``K`` and
``cost_per_hour`` ``H``:

* every candidate pays its option ``cost`` plus ``rank_cost * rank``
  (:class:`~optimizer.domain.batch.BatchOptions`);
* every candidate pays its handling time, ``round(H * t / 3600)``, with
  ``t`` the shipment's ``service_time`` at home and ``parcel_time * parcels``
  at a pickup point;
* a home candidate pays the *stop estimate* of its home; a pickup point pays
  its stop estimate once, whatever the number of shipments left there.

The stop estimate of a site is ``round(K * d / 1000 + H * s / 3600)``, where
``d`` is the mean :func:`walking_distance` in metres (with the batch's detour
factor) from the site to its two nearest *other* sites among all the
shipments' homes and all the batch's pickup points (one, when there is only
one other; 0 when none), and ``s`` is the site's stop time: the pickup
point's ``stop_time``, 0 at home. It stands for the detour a vehicle makes to
add the stop to a route passing through its neighbourhood.

:attr:`Choice.estimate <optimizer.domain.delivery.Choice.estimate>` is the
chosen candidate's share: its own terms plus the stop estimate of a pickup
point split evenly between the shipments left there (the remainder cent by
cent to the first ones), so the estimates add up to the objective.
``next_best_delta`` compares *marginal* estimates with the other choices
fixed: moving to a pickup point nobody else uses adds its whole stop estimate,
leaving one still used by others saves none of it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from geopy.distance import EARTH_RADIUS, great_circle
from scipy.spatial import cKDTree

from optimizer.domain.batch import Batch
from optimizer.domain.delivery import (
    SIZE_CLASSES,
    Assignment,
    Candidate,
    Choice,
    OptionKind,
    PickupPoint,
    Rejection,
    size_counts,
)
from optimizer.domain.fleet import VehicleType
from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.orders import Order
from optimizer.domain.time_window import TimeWindow
from optimizer.domain.units import METRES_PER_KM, SECONDS_PER_HOUR, format_clock
from optimizer.engines.assignment_cpsat import AssignmentModel, Limit, solve
from optimizer.zones import ZoneRules

logger = logging.getLogger(__name__)

HOME_SITE = "home"
"""The :attr:`Candidate.site <optimizer.domain.delivery.Candidate.site>` of home delivery."""

_EARTH_RADIUS_M = EARTH_RADIUS * 1000.0
_NEIGHBOURS = 2


def walking_distance(a: Location, b: Location, detour_factor: float) -> int:
    """Walking (or road) distance between two places, in whole metres.

    Exactly ``round(great_circle(a, b).meters * detour_factor)``: geopy's
    :class:`~geopy.distance.great_circle` distance on a sphere of radius
    ``geopy.distance.EARTH_RADIUS`` (6371.009 km) between ``(a.lat, a.lon)``
    and ``(b.lat, b.lon)``, times the detour factor, rounded by Python's
    :func:`round` (half to even). It is the same great-circle distance as
    :meth:`optimizer.travel.GeodesicProvider.distance`.

    Parameters
    ----------
    a, b
        The two places.
    detour_factor
        Ratio of walked to straight-line distance (the batch's
        :attr:`~optimizer.domain.batch.BatchOptions.detour_factor`).

    Returns
    -------
    int
        Metres.

    Raises
    ------
    TypeError
        When a place is not a :class:`~optimizer.domain.geo.Location`.
    """
    if not isinstance(a, Location) or not isinstance(b, Location):
        raise TypeError("walking distance needs two Locations")
    return round(great_circle((a.lat, a.lon), (b.lat, b.lon)).meters * detour_factor)


def candidates(
    batch: Batch, shipment: Order, rules: ZoneRules
) -> tuple[list[Candidate], list[Rejection]]:
    """Resolve a shipment's delivery options into candidate sites.

    Option ``k`` of ``shipment.delivery_options`` becomes: home, at the
    shipment's location in its time windows (:data:`HOME_SITE`); the named
    pickup point; or, for "any pickup point", every pickup point within
    ``max_walk`` metres (:func:`walking_distance`), in the point's opening
    windows.

    A pickup point is rejected when it refuses one of the parcels
    (:meth:`~optimizer.domain.delivery.PickupPoint.accepts`), when its parcel
    capacity or free compartments cannot take the shipment's parcels even
    alone, when no vehicle type may serve it (its zones' rules, the
    shipment's ``vehicle_types`` and ``skills``), when its opening windows
    miss the shifts of every such type, or when it is beyond the walking
    limit. Beyond the limit only points within twice the limit are listed;
    when an "any pickup point" option finds no point at all, one rejection
    names the nearest. Home is rejected only when no vehicle type may serve
    it. A site reached by two options keeps the lower rank, then the lower
    cost, then the earlier option.

    Parameters
    ----------
    batch
        The batch (pickup points, fleet, detour factor).
    shipment
        The shipment: an order, possibly merging several.
    rules
        The batch's zone rules.

    Returns
    -------
    tuple of (list of Candidate, list of Rejection)
        Candidates in option order (pickup points of one option by walking
        distance, then id); rejections with a reason naming the site and the
        numbers.
    """
    detour = batch.options.detour_factor
    sizes = size_counts(shipment.parcels)
    found: dict[tuple[bool, str], Candidate] = {}
    rejected: list[Rejection] = []

    def reject(k: int, site: str, reason: str) -> None:
        if not any(r.option == k and r.site == site for r in rejected):
            rejected.append(Rejection(shipment.id, k, site, reason))

    def keep(candidate: Candidate) -> None:
        key = (candidate.kind is OptionKind.HOME, candidate.site)
        old = found.get(key)
        if old is None or (candidate.rank, candidate.cost) < (old.rank, old.cost):
            found[key] = candidate

    for k, option in enumerate(shipment.delivery_options):
        if option.kind is OptionKind.HOME:
            _, why = _vehicle_types(batch, shipment, rules, shipment.location)
            if why is not None:
                reject(k, HOME_SITE, f"home: {why}")
                continue
            keep(
                Candidate(
                    shipment.id,
                    k,
                    option.kind,
                    option.rank,
                    option.cost,
                    HOME_SITE,
                    shipment.location,
                    shipment.time_windows,
                )
            )
            continue
        if option.kind is OptionKind.PICKUP_POINT:
            assert option.pickup_point is not None
            try:
                point = batch.pickup_point(option.pickup_point)
            except KeyError:
                reject(k, option.pickup_point, f"pickup point {option.pickup_point!r} is unknown")
                continue
            reachable = [
                (
                    walking_distance(_located(shipment.location), _located(point.location), detour),
                    point,
                )
            ]
        else:
            assert option.max_walk is not None
            reachable = []
            for point in batch.pickup_points:
                if _latitude_gap(shipment.location, point.location) * detour > 2 * option.max_walk:
                    continue  # far beyond the limit: not worth a rejection
                walk = walking_distance(
                    _located(shipment.location), _located(point.location), detour
                )
                if walk > option.max_walk:
                    if walk <= 2 * option.max_walk:
                        reject(
                            k,
                            point.id,
                            f"{_label(point)} is {walk} m away, more than the "
                            f"{option.max_walk} m walking limit",
                        )
                    continue
                reachable.append((walk, point))
            reachable.sort(key=lambda wp: (wp[0], wp[1].id))
        for walk, point in reachable:
            why = _point_problem(batch, shipment, rules, point, sizes)
            if why is not None:
                reject(k, point.id, why)
                continue
            keep(
                Candidate(
                    shipment.id,
                    k,
                    option.kind,
                    option.rank,
                    option.cost,
                    point.id,
                    point.location,
                    point.opening,
                    walk,
                )
            )
        if option.kind is OptionKind.ANY_PICKUP_POINT and not reachable:
            if not any(r.option == k for r in rejected):
                reject(k, "any", _nothing_near(batch, shipment, option.max_walk or 0))
    ordered = sorted(found.values(), key=lambda c: c.option)
    return ordered, rejected


def assign_pickup_points(
    batch: Batch,
    shipments: Sequence[Order],
    members: Mapping[str, Sequence[str]],
    *,
    time_limit: float = 5.0,
    seed: int = 0,
) -> Assignment:
    """Choose one delivery option per shipment, before routing (sequential method).

    Minimises the estimated cost described in the module docstring under the
    pickup points' parcel capacities, the lockers' free compartments (nested
    by size: ``L`` parcels within the free ``L`` compartments, ``M`` and ``L``
    parcels within the free ``M`` and ``L`` ones, all parcels within all
    free ones) and the first-choice quota: at least
    ``ceil(min_first_choice_pct * orders / 100)`` orders (a shipment counts
    its member orders) get a rank-0 option. Serving every shipment comes
    before the quota; when the quota cannot be met, the first-choice count is
    maximised instead, a warning is logged and the explanations of the
    choices that are not first choices say ``quota_met: False``.

    Parameters
    ----------
    batch
        The batch: pickup points, zones, fleet and options.
    shipments
        Shipments to assign (consolidated orders); ids unique.
    members
        Shipment id -> ids of the orders it merges; a shipment missing here
        counts as one order.
    time_limit
        Seconds for CP-SAT, all phases together.
    seed
        CP-SAT random seed.

    Returns
    -------
    Assignment
        ``method="sequential"``; one choice per shipment that could be served,
        the others in ``unserved`` with the reasons, and every rejected
        option in ``rejected``.

    Raises
    ------
    ValueError
        When two shipments share an id or a shipment has no member orders.
    """
    ids = [s.id for s in shipments]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"shipments: duplicate id {dupes[0]!r}")
    weights = []
    for s in shipments:
        count = len(members.get(s.id, (s.id,)))
        if count < 1:
            raise ValueError(f"members[{s.id!r}] must name at least one order")
        weights.append(count)
    if not shipments:
        return Assignment((), method="sequential")

    rules = ZoneRules(batch.zones, batch.fleet)
    resolved = [candidates(batch, s, rules) for s in shipments]
    rejected = tuple(r for _, rej in resolved for r in rej)
    est = _Estimator(batch, shipments)
    pct = batch.options.min_first_choice_pct
    total = sum(weights)
    need = -(-pct * total // 100)

    ctx = _Context(batch, shipments, weights, resolved, est, need)
    solution = solve(ctx.model(), time_limit=time_limit, seed=seed)
    if not solution.quota_met:
        logger.warning(
            "first-choice quota not met: %d of %d orders at first choice, %d needed (%d %%)",
            solution.first,
            total,
            need,
            pct,
        )
    return ctx.assignment(list(solution.chosen), solution.first, rejected)


def explain_assignment(
    batch: Batch,
    shipments: Sequence[Order],
    members: Mapping[str, Sequence[str]],
    sites: Mapping[str, str],
    *,
    method: str,
) -> Assignment:
    """Explain choices made elsewhere (by the integrated method) with the same estimate.

    Parameters
    ----------
    batch, shipments, members
        As for :func:`assign_pickup_points`.
    sites
        Shipment id -> chosen site (``"home"`` or a pickup point id); shipments
        missing here are unserved.
    method
        Recorded in :attr:`Assignment.method`.

    Returns
    -------
    Assignment
        One choice per shipment in ``sites``, each with why it was chosen and
        the next-best option's estimated extra cost, the other choices fixed.

    Raises
    ------
    ValueError
        When a site is not a valid candidate of its shipment.
    """
    weights = [len(members.get(s.id, (s.id,))) for s in shipments]
    rules = ZoneRules(batch.zones, batch.fleet)
    resolved = [candidates(batch, s, rules) for s in shipments]
    rejected = tuple(r for _, rej in resolved for r in rej)
    total = sum(weights)
    need = -(-batch.options.min_first_choice_pct * total // 100)
    ctx = _Context(batch, shipments, weights, resolved, _Estimator(batch, shipments), need)
    chosen: list[int | None] = []
    first = 0
    for i in ctx.served:
        site = sites.get(shipments[i].id)
        if site is None:
            chosen.append(None)
            continue
        option = next((o for o in ctx.options[i] if o.candidate.site == site), None)
        if option is None:
            raise ValueError(f"shipment {shipments[i].id!r}: {site!r} is not one of its options")
        chosen.append(option.index)
        first += weights[i] if option.candidate.rank == 0 else 0
    answer = ctx.assignment(chosen, first, rejected)
    return Assignment(answer.choices, answer.rejected, answer.unserved, method=method)


# -- checks --------------------------------------------------------------------


def _vehicle_types(
    batch: Batch, shipment: Order, rules: ZoneRules, location: Location | PlanarPoint
) -> tuple[list[VehicleType], str | None]:
    """Vehicle types that may serve ``shipment`` at ``location``, or why none may."""
    allowed = rules.allowed_types(location)
    if shipment.vehicle_types:
        allowed &= shipment.vehicle_types
    if not allowed:
        return [], rules.why_not(location, shipment.vehicle_types)
    usable = [vt for vt in batch.fleet.types if vt.id in allowed and shipment.skills <= vt.skills]
    if not usable:
        return [], (
            f"no vehicle type allowed there ({', '.join(sorted(allowed))}) has the skills "
            f"{', '.join(sorted(shipment.skills))}"
        )
    return usable, None


def _point_problem(
    batch: Batch, shipment: Order, rules: ZoneRules, point: PickupPoint, sizes: Mapping[str, int]
) -> str | None:
    """Why ``shipment`` cannot go to ``point`` even alone, or ``None``."""
    for parcel in shipment.parcels:
        why = point.accepts(parcel)
        if why is not None:
            return why
    why = _shortfall(point, sizes, shipment.parcel_count)
    if why is not None:
        return why
    usable, why = _vehicle_types(batch, shipment, rules, point.location)
    if why is not None:
        return f"{_label(point)}: {why}"
    if not any(w.intersect(vt.shift) for w in point.opening for vt in usable):
        return (
            f"{_label(point)} opens {_windows(point.opening)}, outside every shift of the "
            f"vehicle types that may serve it "
            f"({', '.join(f'{vt.id} {_windows((vt.shift,))}' for vt in usable)})"
        )
    return None


def _shortfall(
    point: PickupPoint, sizes: Mapping[str, int], parcels: int, context: str = ""
) -> str | None:
    """Why ``parcels`` parcels of ``sizes`` do not fit ``point`` today, or ``None``.

    ``context`` (such as ``" given the other choices"``) follows the word "full".
    """
    if point.capacity is not None and parcels > point.capacity:
        return (
            f"{_label(point)} full{context} (takes {_plural(point.capacity, 'parcel')} today, "
            f"{parcels} needed)"
        )
    if point.is_locker:
        free = point.free
        need = have = 0
        for k in range(len(SIZE_CLASSES) - 1, -1, -1):
            need += sizes.get(SIZE_CLASSES[k], 0)
            have += free[SIZE_CLASSES[k]]
            if need > have:
                tier = " or ".join(SIZE_CLASSES[k:])
                return (
                    f"{_label(point)} full{context} ({have} free {tier} "
                    f"compartment{'s' if have != 1 else ''} for "
                    f"{_plural(need, f'{tier} parcel')})"
                )
    return None


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _nothing_near(batch: Batch, shipment: Order, max_walk: int) -> str:
    """Reason for an "any pickup point" option that reaches none."""
    if not batch.pickup_points:
        return "the batch has no pickup points"
    detour = batch.options.detour_factor
    walk, point = min(
        (walking_distance(_located(shipment.location), _located(p.location), detour), p.id)
        for p in batch.pickup_points
    )
    return f"no pickup point within {max_walk} m; the nearest, {point!r}, is {walk} m away"


def _latitude_gap(a: Location | PlanarPoint, b: Location | PlanarPoint) -> float:
    """Metres along a meridian between the latitudes: a lower bound of the distance."""
    return _EARTH_RADIUS_M * abs(math.radians(_located(a).lat - _located(b).lat))


def _located(place: Location | PlanarPoint) -> Location:
    """``place`` as a Location; pickup-point assignment needs real coordinates."""
    if not isinstance(place, Location):
        raise TypeError(f"pickup-point assignment needs Locations, got {place!r}")
    return place


def _label(point: PickupPoint) -> str:
    return f"{'locker' if point.is_locker else 'pickup point'} {point.id!r}"


def _windows(windows: Sequence[TimeWindow]) -> str:
    return ", ".join(f"{format_clock(w.start)}-{format_clock(w.end)}" for w in windows)


def _eur(cents: int) -> str:
    return f"{cents / 100:,.2f} EUR"


# -- cost estimate -------------------------------------------------------------


class _Estimator:
    """Stop and handling estimates (see the module docstring)."""

    def __init__(self, batch: Batch, shipments: Sequence[Order]) -> None:
        types = batch.fleet.types
        ref = min(types, key=lambda vt: (vt.cost_per_km, vt.cost_per_hour, vt.id), default=None)
        self.per_km = ref.cost_per_km if ref is not None else 0
        self.per_hour = ref.cost_per_hour if ref is not None else 0
        self.points = {p.id: p for p in batch.pickup_points}
        keys = [(True, s.id) for s in shipments] + [(False, p.id) for p in batch.pickup_points]
        places = [s.location for s in shipments] + [p.location for p in batch.pickup_points]
        self.mean_distance = _mean_neighbour_distance(keys, places, batch.options.detour_factor)

    def handling(self, seconds: int) -> int:
        """Cents of ``seconds`` at the reference type's hourly cost."""
        return round(self.per_hour * seconds / SECONDS_PER_HOUR)

    def home_stop(self, shipment_id: str) -> int:
        """Stop estimate of a shipment's home."""
        return round(self.per_km * self.mean_distance[(True, shipment_id)] / METRES_PER_KM)

    def point_stop(self, point_id: str) -> int:
        """Stop estimate of a pickup point."""
        point = self.points[point_id]
        return round(
            self.per_km * self.mean_distance[(False, point_id)] / METRES_PER_KM
            + self.per_hour * point.stop_time / SECONDS_PER_HOUR
        )


def _mean_neighbour_distance(
    keys: Sequence[tuple[bool, str]], places: Sequence[Location | PlanarPoint], detour: float
) -> dict[tuple[bool, str], float]:
    """Mean walking distance from each place to its two nearest other places."""
    n = len(places)
    out = dict.fromkeys(keys, 0.0)
    if n < 2:
        return out
    located = [_located(p) for p in places]
    xyz = np.empty((n, 3))
    for i, p in enumerate(located):
        lat, lon = math.radians(p.lat), math.radians(p.lon)
        xyz[i] = (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))
    # chord length grows with great-circle distance: the nearest by chord are the nearest
    k = min(_NEIGHBOURS + 1, n)
    _, near = cKDTree(xyz).query(xyz, k=k)
    for i in range(n):
        others = [int(j) for j in near[i] if j != i][:_NEIGHBOURS]
        dists = [walking_distance(located[i], located[j], detour) for j in others]
        out[keys[i]] = sum(dists) / len(dists)
    return out


# -- model and explanations ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Option:
    """A candidate with its index in the flat model and its fixed cost."""

    index: int
    candidate: Candidate
    fixed: int


class _Context:
    """The flat model of one call and the explanations of its answer."""

    def __init__(
        self,
        batch: Batch,
        shipments: Sequence[Order],
        weights: Sequence[int],
        resolved: Sequence[tuple[list[Candidate], list[Rejection]]],
        est: _Estimator,
        need: int,
    ) -> None:
        self.batch = batch
        self.shipments = shipments
        self.weights = weights
        self.resolved = resolved
        self.est = est
        self.need = need
        self.total = sum(weights)
        self.points = {p.id: p for p in batch.pickup_points}
        self.sizes = [size_counts(s.parcels) for s in shipments]
        rank_cost = batch.options.rank_cost
        self.options: list[list[_Option]] = []
        self.point_index: dict[str, int] = {}
        flat = 0
        for s, (cands, _) in zip(shipments, resolved):
            row = []
            for c in cands:
                fixed = c.cost + rank_cost * c.rank
                if c.kind is OptionKind.HOME:
                    fixed += est.home_stop(s.id) + est.handling(s.service_time)
                else:
                    point = self.points[c.site]
                    fixed += est.handling(point.parcel_time * s.parcel_count)
                    self.point_index.setdefault(c.site, len(self.point_index))
                row.append(_Option(flat, c, fixed))
                flat += 1
            self.options.append(row)
        self.served = [i for i, row in enumerate(self.options) if row]
        self.site_cost = {p: est.point_stop(p) for p in self.point_index}

    def model(self) -> AssignmentModel:
        """The integer model for the engine (one group per served shipment)."""
        opts = [o for i in self.served for o in self.options[i]]
        limits: list[Limit] = []
        by_point: dict[str, list[tuple[_Option, int]]] = {pid: [] for pid in self.point_index}
        for i in self.served:
            for o in self.options[i]:
                if o.candidate.kind is not OptionKind.HOME:
                    by_point[o.candidate.site].append((o, i))
        for pid, at in by_point.items():
            point = self.points[pid]
            if point.capacity is not None:
                use = tuple((o.index, self.shipments[i].parcel_count) for o, i in at)
                limits.append(Limit(point.capacity, tuple(u for u in use if u[1])))
            if point.is_locker:
                free = point.free
                for k in range(len(SIZE_CLASSES)):
                    tier = SIZE_CLASSES[k:]
                    use = tuple((o.index, sum(self.sizes[i][z] for z in tier)) for o, i in at)
                    bound = sum(free[z] for z in tier)
                    limits.append(Limit(bound, tuple(u for u in use if u[1])))
        return AssignmentModel(
            groups=tuple(tuple(o.index for o in self.options[i]) for i in self.served),
            cost=tuple(o.fixed for o in opts),
            site=tuple(self._site(o.candidate) for o in opts),
            site_cost=tuple(self.site_cost[p] for p in self.point_index),
            first=tuple(
                self.weights[i] if o.candidate.rank == 0 else 0
                for i in self.served
                for o in self.options[i]
            ),
            limits=tuple(lim for lim in limits if lim.usage),
            droppable=tuple(
                all(self._limited(o.candidate) for o in self.options[i]) for i in self.served
            ),
            need_first=self.need,
        )

    def _site(self, c: Candidate) -> int:
        return -1 if c.kind is OptionKind.HOME else self.point_index[c.site]

    def _limited(self, c: Candidate) -> bool:
        if c.kind is OptionKind.HOME:
            return False
        point = self.points[c.site]
        return point.capacity is not None or point.is_locker

    def assignment(
        self, chosen_flat: Sequence[int | None], first: int, rejected: tuple[Rejection, ...]
    ) -> Assignment:
        """The domain answer: choices with explanations, unserved shipments."""
        chosen: dict[int, _Option] = {}
        unserved: list[tuple[str, str]] = []
        for i, flat in zip(self.served, chosen_flat):
            if flat is not None:
                chosen[i] = next(o for o in self.options[i] if o.index == flat)
        # the shipments left at each pickup point
        at: dict[str, list[int]] = {}
        for i, o in chosen.items():
            if o.candidate.kind is not OptionKind.HOME:
                at.setdefault(o.candidate.site, []).append(i)
        for i, s in enumerate(self.shipments):
            if i in chosen:
                continue
            reasons = [r.reason for r in self.resolved[i][1]]
            if self.options[i]:
                full = [
                    self._misfit(i, o.candidate.site, at) or o.candidate.site
                    for o in self.options[i]
                ]
                detail = "no option fits given the other choices: " + "; ".join(full)
                unserved.append((s.id, "; ".join([detail, *reasons])))
            else:
                unserved.append((s.id, "; ".join(reasons) or "no delivery option"))

        share: dict[int, int] = {}
        for pid, users in at.items():
            base, extra = divmod(self.site_cost[pid], len(users))
            for k, i in enumerate(sorted(users)):
                share[i] = base + (1 if k < extra else 0)

        choices = []
        for i in sorted(chosen):
            o = chosen[i]
            estimate = o.fixed + share.get(i, 0)
            choices.append(self._choice(i, o, estimate, chosen, at, first))
        return Assignment(tuple(choices), rejected, tuple(unserved), method="sequential")

    def _marginal(self, i: int, o: _Option, at: Mapping[str, Sequence[int]]) -> int:
        """Cost of shipment ``i`` taking ``o`` with the other choices fixed."""
        c = o.candidate
        if c.kind is OptionKind.HOME:
            return o.fixed
        others = [j for j in at.get(c.site, ()) if j != i]
        return o.fixed + (0 if others else self.site_cost[c.site])

    def _misfit(self, i: int, site: str, at: Mapping[str, Sequence[int]]) -> str | None:
        """Why shipment ``i`` does not fit ``site`` given the others' choices, or ``None``."""
        point = self.points.get(site)
        if point is None:
            return None
        sizes = dict(self.sizes[i])
        parcels = self.shipments[i].parcel_count
        for j in at.get(site, ()):
            if j != i:
                parcels += self.shipments[j].parcel_count
                for z, n in self.sizes[j].items():
                    sizes[z] += n
        if point.fits(sizes, parcels):
            return None
        return _shortfall(point, sizes, parcels, " given the other choices")

    def _choice(
        self,
        i: int,
        o: _Option,
        estimate: int,
        chosen: Mapping[int, _Option],
        at: Mapping[str, Sequence[int]],
        first: int,
    ) -> Choice:
        c = o.candidate
        mine = self._marginal(i, o, at)
        alternatives: list[tuple[int, _Option]] = []
        full: list[tuple[_Option, str]] = []
        for alt in self.options[i]:
            if alt is o:
                continue
            why = None
            if alt.candidate.kind is not OptionKind.HOME:
                why = self._misfit(i, alt.candidate.site, at)
            if why is not None:
                full.append((alt, why))
            else:
                alternatives.append((self._marginal(i, alt, at) - mine, alt))
        alternatives.sort(key=lambda da: (da[0], da[1].candidate.rank, da[1].index))
        next_best = alternatives[0][1].candidate if alternatives else None
        delta = alternatives[0][0] if alternatives else None

        pct = self.batch.options.min_first_choice_pct
        if c.rank == 0:
            text = f"first choice: {self._name(c)}"
            if c.kind is not OptionKind.HOME:
                text += self._stop_detail(i, c.site, at)
            if delta is not None and delta < 0 and self.need and next_best is not None:
                text += (
                    f", kept for the {pct} % first-choice quota although "
                    f"{self._name(next_best)} would save an estimated {_eur(-delta)}"
                )
        else:
            text = self._why_lower_rank(i, o, mine, full, alternatives, at)
        if next_best is not None and delta is not None:
            sign = "+" if delta >= 0 else "-"
            text += (
                f"; next best: {self._name(next_best)} (rank {next_best.rank}), "
                f"{sign}{_eur(abs(delta))}"
            )
        elif full:
            text += "; no other option fits"
        else:
            text += "; no other option"
        if c.rank != 0 and first < self.need:
            text += (
                f"; first-choice quota not met (quota_met: False): {first} of {self.total} "
                f"orders at first choice, {self.need} needed"
            )
        return Choice(c, estimate, text, next_best, delta)

    def _why_lower_rank(
        self,
        i: int,
        o: _Option,
        mine: int,
        full: Sequence[tuple[_Option, str]],
        alternatives: Sequence[tuple[int, _Option]],
        at: Mapping[str, Sequence[int]],
    ) -> str:
        """Explanation of a choice that is not a first choice."""
        c = o.candidate
        options = self.shipments[i].delivery_options
        reasons = [r.reason for r in self.resolved[i][1] if options[r.option].rank < c.rank]
        reasons += [why for alt, why in full if alt.candidate.rank < c.rank]
        better = [(d, alt) for d, alt in alternatives if alt.candidate.rank < c.rank]
        head = f"{self._name(c)}"
        if better:
            d, alt = min(better, key=lambda da: (da[0], da[1].candidate.rank, da[1].index))
            head += f" instead of {self._name(alt.candidate)} (rank {c.rank})"
            if d >= 0:
                saving = f"saves an estimated {_eur(d)}"
                if self.need:
                    saving += ", quota allows it"
                reasons.append(saving)
            else:
                reasons.append(f"costs an estimated {_eur(-d)} more")
        else:
            head += f" (rank {c.rank})"
        if c.kind is not OptionKind.HOME:
            head += self._stop_detail(i, c.site, at)
        if not reasons:
            return f"{head}: best-ranked option available"
        return f"{head}: {'; '.join(reasons)}"

    def _stop_detail(self, i: int, site: str, at: Mapping[str, Sequence[int]]) -> str:
        others = sum(self.shipments[j].parcel_count for j in at.get(site, ()) if j != i)
        if not others:
            return ", own stop"
        return f", shared stop with {others} other parcel{'s' if others != 1 else ''}"

    def _name(self, c: Candidate) -> str:
        if c.kind is OptionKind.HOME:
            return "home"
        return _label(self.points[c.site])
