"""Independent checker for delivery options: recompute from the batch, no solver code.

:func:`check_delivery` complements :func:`optimizer.check.check_plan` (which
checks the routes of stops: loads, windows, shifts) with the rules of the
delivery options, worked out again from the batch's orders:

* **Coverage** (``missing``, ``duplicate``): every order of the batch is in
  exactly one stop, or listed as unserved; every stop holds known orders.
* **Option** (``option``): every order of a stop accepts the stop's site:
  home at its own location, a named pickup point it lists, or a pickup point
  within the walking limit of an "any pickup point" option (great-circle
  metres times the batch's detour factor, as documented in
  :func:`optimizer.assignment.walking_distance`).
* **Opening** (``opening``): service at a pickup point starts inside its
  opening hours; at home, inside every member order's windows.
* **Pickup point capacity** (``pickup_capacity``, ``compartments``,
  ``parcel_weight``): the parcels delivered to a point fit its capacity, its
  free locker compartments (nested sizes: an ``S`` parcel may take an ``M``
  or ``L`` compartment) and its weight limit.
* **Quota** (``quota``): the share of orders whose site is their first
  choice (rank 0) reaches ``min_first_choice_pct``.
* **Zones** (``zone``): a stop inside a service zone is served by a vehicle
  type the zone allows, from a depot it allows, and a vehicle type confined
  to zones serves only stops inside one of them. Point-in-polygon is an
  even-odd ray test written here, not shapely.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from geopy.distance import great_circle

from optimizer.check import TOLERANCE, Report, Violation
from optimizer.domain.batch import Batch
from optimizer.domain.delivery import (
    COMPARTMENT_VOLUME,
    SIZE_CLASSES,
    OptionKind,
    PickupPoint,
    ServiceZone,
)
from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.orders import Order, Parcel
from optimizer.domain.plans import Plan
from optimizer.domain.problems import RoutingProblem


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What :func:`check_delivery` found.

    Parameters
    ----------
    violations
        Broken delivery rules.
    first_choice_orders
        Orders whose stop is at their first-choice option.
    orders
        Orders in the batch.
    pickup_orders, pickup_parcels
        Orders and parcels on routed stops at pickup points.
    parcels
        Parcels on routed stops.
    """

    violations: tuple[Violation, ...]
    first_choice_orders: int
    orders: int
    pickup_orders: int
    pickup_parcels: int
    parcels: int

    @property
    def feasible(self) -> bool:
        """Whether no delivery rule is broken."""
        return not self.violations

    @property
    def first_choice_share(self) -> float | None:
        """First-choice orders over all orders, or ``None`` without orders."""
        return self.first_choice_orders / self.orders if self.orders else None


def _inside(ring: Sequence[tuple[float, float]], lon: float, lat: float) -> bool:
    """Even-odd ray casting; points on an edge count as inside."""
    inside = False
    n = len(ring)
    for k in range(n):
        x1, y1 = ring[k]
        x2, y2 = ring[(k + 1) % n]
        cross = (x2 - x1) * (lat - y1) - (y2 - y1) * (lon - x1)
        if (
            abs(cross) < 1e-12
            and min(x1, x2) - 1e-12 <= lon <= max(x1, x2) + 1e-12
            and min(y1, y2) - 1e-12 <= lat <= max(y1, y2) + 1e-12
        ):
            return True
        if (y1 > lat) != (y2 > lat):
            x_at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x_at:
                inside = not inside
    return inside


def _zones_at(zones: Sequence[ServiceZone], where: Location | PlanarPoint) -> list[ServiceZone]:
    if not isinstance(where, Location):
        return []
    return [z for z in zones if _inside(z.polygon, where.lon, where.lat)]


def _walk(a: Location | PlanarPoint, b: Location | PlanarPoint, detour: float) -> float:
    if not isinstance(a, Location) or not isinstance(b, Location):
        return math.hypot(a.x - b.x, a.y - b.y)  # type: ignore[union-attr]
    return float(great_circle((a.lat, a.lon), (b.lat, b.lon)).meters) * detour


def _rank_at(order: Order, site: str, point: PickupPoint | None, detour: float) -> int | None:
    """The best rank of ``order``'s options that allow ``site``, or ``None``."""
    ranks = []
    for option in order.delivery_options:
        if option.kind is OptionKind.HOME and site == "home":
            ranks.append(option.rank)
        elif option.kind is OptionKind.PICKUP_POINT and option.pickup_point == site:
            ranks.append(option.rank)
        elif option.kind is OptionKind.ANY_PICKUP_POINT and point is not None:
            assert option.max_walk is not None
            if _walk(order.location, point.location, detour) <= option.max_walk + 0.5:
                ranks.append(option.rank)
    return min(ranks) if ranks else None


def _size(parcel: Parcel) -> str | None:
    if parcel.size is not None:
        return parcel.size
    return next((s for s in SIZE_CLASSES if parcel.volume <= COMPARTMENT_VOLUME[s]), None)


def check_delivery(
    batch: Batch,
    problem: RoutingProblem,
    plan: Plan,
    report: Report,
    stop_orders: Mapping[str, Sequence[str]],
    stop_sites: Mapping[str, str],
    unserved: Sequence[str] = (),
) -> DeliveryReport:
    """Check the delivery-option rules of a plan of stops.

    Parameters
    ----------
    batch
        The day as read: orders with their options, pickup points, zones.
    problem
        The routing problem of the stops (one problem order per stop).
    plan
        The plan of stops.
    report
        ``check_plan(plan, problem)``: recomputed service start times.
    stop_orders
        Stop id -> the batch order ids delivered there.
    stop_sites
        Stop id -> ``"home"`` or the pickup point id.
    unserved
        Order ids with no valid delivery option (not in any stop).

    Returns
    -------
    DeliveryReport
    """
    violations: list[Violation] = []
    orders = {o.id: o for o in batch.orders}
    points = {p.id: p for p in batch.pickup_points}
    detour = batch.options.detour_factor
    stops = problem.order_by_id()

    where: dict[str, str] = {}
    for stop_id, order_ids in stop_orders.items():
        if stop_id not in stops:
            violations.append(Violation("missing", f"stop {stop_id!r} is not in the problem"))
        for order_id in order_ids:
            if order_id not in orders:
                violations.append(
                    Violation("unknown_order", f"order {order_id!r} is not in the batch", None)
                )
            elif order_id in where:
                violations.append(
                    Violation(
                        "duplicate",
                        f"order {order_id!r} is in stop {stop_id!r} and {where[order_id]}",
                        None,
                        order_id,
                    )
                )
            else:
                where[order_id] = f"stop {stop_id!r}"
    for order_id in unserved:
        if order_id in where:
            violations.append(
                Violation("duplicate", f"order {order_id!r} is unserved and in {where[order_id]}")
            )
        where[order_id] = "unserved"
    for order_id in orders:
        if order_id not in where:
            violations.append(
                Violation("missing", f"order {order_id!r} is in no stop", None, order_id)
            )

    starts: dict[str, tuple[float, str, str]] = {}
    for route, rr in zip(plan.routes, report.routes):
        for stop_report in rr.stops:
            starts[stop_report.order_id] = (stop_report.start, route.vehicle_id, rr.vehicle_type)
    depot_of = {vt.id: vt.start_depot for vt in batch.fleet.types}
    type_zones = {vt.id: vt.zones for vt in batch.fleet.types}

    first = 0
    delivered: dict[str, list[Parcel]] = {}
    pickup_orders = pickup_parcels = parcels = 0
    for stop_id, order_ids in stop_orders.items():
        site = stop_sites.get(stop_id, "home")
        point = points.get(site) if site != "home" else None
        if site != "home" and point is None:
            violations.append(Violation("option", f"stop {stop_id!r}: unknown site {site!r}"))
            continue
        stop = stops.get(stop_id)
        for order_id in order_ids:
            order = orders.get(order_id)
            if order is None:
                continue
            rank = _rank_at(order, site, point, detour)
            if rank is None:
                violations.append(
                    Violation(
                        "option",
                        f"order {order_id!r} does not accept delivery at {site!r}",
                        None,
                        order_id,
                    )
                )
            elif rank == min(o.rank for o in order.delivery_options):
                first += 1
            if (
                site == "home"
                and stop is not None
                and (_walk(order.location, stop.location, 1.0) > 1.0)
            ):
                violations.append(
                    Violation(
                        "option",
                        f"order {order_id!r}: home stop {stop_id!r} is not at its address",
                        None,
                        order_id,
                    )
                )
        if stop_id not in starts or stop is None:
            continue  # not routed: nothing delivered
        start, vehicle_id, type_id = starts[stop_id]
        parcels += stop.parcel_count
        if point is not None:
            pickup_orders += len(order_ids)
            pickup_parcels += stop.parcel_count
            delivered.setdefault(point.id, []).extend(stop.parcels)
            if not any(w.start - TOLERANCE <= start <= w.end + TOLERANCE for w in point.opening):
                violations.append(
                    Violation(
                        "opening",
                        f"stop {stop_id!r} starts outside the opening hours of {point.id!r}",
                        vehicle_id,
                        stop_id,
                    )
                )
        else:
            for order_id in order_ids:
                order = orders.get(order_id)
                if order is not None and not any(
                    w.start - TOLERANCE <= start <= w.end + TOLERANCE for w in order.time_windows
                ):
                    violations.append(
                        Violation(
                            "opening",
                            f"order {order_id!r} is served outside its windows",
                            vehicle_id,
                            order_id,
                        )
                    )
        location = point.location if point is not None else stop.location
        inside = _zones_at(batch.zones, location)
        for zone in inside:
            if zone.vehicle_types and type_id not in zone.vehicle_types:
                violations.append(
                    Violation(
                        "zone",
                        f"stop {stop_id!r} in zone {zone.id!r} is served by a {type_id!r}",
                        vehicle_id,
                        stop_id,
                    )
                )
            if zone.depots and depot_of[type_id] not in zone.depots:
                violations.append(
                    Violation(
                        "zone",
                        f"stop {stop_id!r} in zone {zone.id!r} is served from depot "
                        f"{depot_of[type_id]!r}",
                        vehicle_id,
                        stop_id,
                    )
                )
        if type_zones[type_id] and not type_zones[type_id] & {z.id for z in inside}:
            violations.append(
                Violation(
                    "zone",
                    f"{type_id!r} is confined to zones {sorted(type_zones[type_id])} but "
                    f"stop {stop_id!r} is outside them",
                    vehicle_id,
                    stop_id,
                )
            )

    for point_id, items in delivered.items():
        violations.extend(_capacity(points[point_id], items))

    pct = batch.options.min_first_choice_pct
    if pct and first * 100 < pct * len(orders) - 1e-9:
        violations.append(
            Violation(
                "quota",
                f"{first} of {len(orders)} orders get their first choice, "
                f"below the required {pct} %",
            )
        )
    return DeliveryReport(
        tuple(violations), first, len(orders), pickup_orders, pickup_parcels, parcels
    )


def _capacity(point: PickupPoint, parcels: list[Parcel]) -> list[Violation]:
    out = []
    if point.capacity is not None and len(parcels) > point.capacity:
        out.append(
            Violation(
                "pickup_capacity",
                f"{len(parcels)} parcels delivered to {point.id!r}, capacity {point.capacity}",
            )
        )
    for parcel in parcels:
        if point.max_parcel_weight is not None and parcel.weight > point.max_parcel_weight:
            out.append(
                Violation("parcel_weight", f"parcel {parcel.id!r} is too heavy for {point.id!r}")
            )
    if point.compartments:
        sizes = [_size(p) for p in parcels]
        if None in sizes:
            out.append(Violation("compartments", f"a parcel fits no compartment of {point.id!r}"))
        need = have = 0
        for size in reversed(SIZE_CLASSES):
            need += sizes.count(size)
            have += point.compartments.get(size, 0) - point.occupied.get(size, 0)
            if need > have:
                out.append(
                    Violation(
                        "compartments",
                        f"{need} parcels of size {size} or larger for {point.id!r}, "
                        f"which has {have} free compartments of those sizes",
                    )
                )
                break
    return out
