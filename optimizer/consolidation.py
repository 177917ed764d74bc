"""Consolidation: merge a customer's orders into shipments, pack them, and build stops.

Two verbs, run on either side of the delivery-option assignment in
:func:`optimizer.pipeline.plan_day`:

* :func:`consolidate` merges the orders of one customer that can travel
  together (same address, same delivery options, overlapping time windows, same
  constraints) into *shipments*, and packs their items into catalogue boxes with
  :func:`optimizer.cartonization.cartonize`;
* :func:`build_stops` turns shipments, once each has a chosen
  :class:`~optimizer.domain.delivery.Candidate`, into the stops the router
  visits: one stop per pickup point, one per address.

Shipments and stops are :class:`~optimizer.domain.orders.Order` objects, so the
router and the checker take them unchanged; :class:`Consolidation` and
:class:`Stops` map them back to the original orders.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from optimizer.cartonization import cartonize, check_packing
from optimizer.domain.batch import Batch
from optimizer.domain.delivery import Candidate, DeliveryOption, OptionKind
from optimizer.domain.fleet import VehicleType
from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.orders import Order, Parcel
from optimizer.domain.packing import BoxType, Item, Packing
from optimizer.domain.time_window import TimeWindow
from optimizer.zones import ZoneRules

logger = logging.getLogger(__name__)

__all__ = [
    "Consolidation",
    "ConsolidationReport",
    "Stops",
    "build_stops",
    "consolidate",
]

HOME_SITE = "home"
"""The ``site`` of a home-delivery candidate and of a home stop."""


def _frozen_members(
    name: str, members: Mapping[str, Sequence[str]]
) -> Mapping[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, ids in dict(members).items():
        out[key] = tuple(ids)
        if not out[key]:
            raise ValueError(f"{name}[{key!r}] must hold at least one id")
    return MappingProxyType(out)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ConsolidationReport:
    """What consolidation and packing saved.

    Parameters
    ----------
    orders
        Orders in the batch.
    shipments
        Shipments made of them.
    parcels_before
        Parcels if every order shipped alone: each order's items packed on
        their own, plus its ready parcels.
    parcels_after
        Parcels of all shipments.
    parcels_saved
        ``parcels_before - parcels_after``.
    box_fill_rate
        Volume of the boxed units over the boxes' inner volume, over all boxes
        of all shipments (0.0 when no box is used).
    box_cost
        Cost in cents of the boxes of all shipments.
    """

    orders: int
    shipments: int
    parcels_before: int
    parcels_after: int
    parcels_saved: int
    box_fill_rate: float
    box_cost: int


@dataclass(frozen=True, slots=True)
class Consolidation:
    """Shipments made of a batch's orders.

    Parameters
    ----------
    shipments
        One :class:`~optimizer.domain.orders.Order` per shipment, in the order
        of their first order in the batch. Their items are packed: a shipment
        holds parcels only.
    members
        Shipment id to the ids of its orders, in batch order.
    packings
        Shipment id to the packing of its orders' items, for shipments with
        items only.
    report
        Parcels saved, fill rate and box cost.

    Raises
    ------
    ValueError
        When ``members`` does not name every shipment exactly.
    """

    shipments: tuple[Order, ...]
    members: Mapping[str, tuple[str, ...]]
    packings: Mapping[str, Packing]
    report: ConsolidationReport

    def __post_init__(self) -> None:
        object.__setattr__(self, "shipments", tuple(self.shipments))
        object.__setattr__(self, "members", _frozen_members("members", self.members))
        object.__setattr__(self, "packings", MappingProxyType(dict(self.packings)))
        ids = [s.id for s in self.shipments]
        if len(set(ids)) != len(ids) or set(ids) != set(self.members):
            raise ValueError("members must map each shipment id to its order ids")
        unknown = sorted(set(self.packings) - set(ids))
        if unknown:
            raise ValueError(f"packings: {unknown[0]!r} is not a shipment")

    def shipment(self, shipment_id: str) -> Order:
        """The shipment with id ``shipment_id``.

        Raises
        ------
        KeyError
            When there is none.
        """
        for shipment in self.shipments:
            if shipment.id == shipment_id:
                return shipment
        raise KeyError(shipment_id)

    def shipment_of(self) -> dict[str, str]:
        """Order id to the id of the shipment carrying it."""
        return {oid: sid for sid, oids in self.members.items() for oid in oids}


@dataclass(frozen=True, slots=True)
class Stops:
    """The stops to route, each an :class:`~optimizer.domain.orders.Order`.

    Parameters
    ----------
    orders
        One order per stop: id ``"stop:<pickup point id>"`` or
        ``"stop:<first shipment id>"``, with ``#2``, ``#3`` ... for further
        stops of the same base.
    members
        Stop id to the ids of the shipments it serves (a shipment too big for
        any vehicle is served by several stops).
    sites
        Stop id to ``"home"`` or the pickup point id.

    Raises
    ------
    ValueError
        When ``members`` or ``sites`` does not name every stop exactly.
    """

    orders: tuple[Order, ...]
    members: Mapping[str, tuple[str, ...]]
    sites: Mapping[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "orders", tuple(self.orders))
        object.__setattr__(self, "members", _frozen_members("members", self.members))
        object.__setattr__(self, "sites", MappingProxyType(dict(self.sites)))
        ids = [o.id for o in self.orders]
        if len(set(ids)) != len(ids):
            raise ValueError("orders: stop ids must be unique")
        for name in ("members", "sites"):
            if set(getattr(self, name)) != set(ids):
                raise ValueError(f"{name} must have one entry per stop")

    def order_ids(self, stop_id: str, consolidation: Consolidation) -> tuple[str, ...]:
        """The original order ids served by stop ``stop_id``, in shipment order.

        Raises
        ------
        KeyError
            When there is no such stop.
        """
        out: dict[str, None] = {}
        for shipment_id in self.members[stop_id]:
            out.update(dict.fromkeys(consolidation.members[shipment_id]))
        return tuple(out)


# --------------------------------------------------------------------------- helpers


def _intersect_windows(a: Sequence[TimeWindow], b: Sequence[TimeWindow]) -> tuple[TimeWindow, ...]:
    """Windows in both sets (empty when they are disjoint)."""
    out = [w for x in a for y in b if (w := x.intersect(y)) is not None]
    return tuple(sorted(out, key=lambda w: (w.start, w.end)))


def _option_key(option: DeliveryOption) -> tuple[OptionKind, str | None, int | None]:
    return (option.kind, option.pickup_point, option.max_walk)


def _merged_options(orders: Sequence[Order]) -> tuple[DeliveryOption, ...]:
    """The shared options, in the first order's order: least rank, highest cost."""
    if not any(o.options for o in orders):
        return ()
    merged: dict[tuple[OptionKind, str | None, int | None], DeliveryOption] = {}
    for order in orders:
        for option in order.delivery_options:
            key = _option_key(option)
            seen = merged.get(key)
            if seen is None:
                merged[key] = option
            else:
                merged[key] = dataclasses.replace(
                    seen, rank=min(seen.rank, option.rank), cost=max(seen.cost, option.cost)
                )
    return tuple(merged.values())


def _ceil_cm3(mm3: int) -> int:
    return -(-mm3 // 1000)


def _pack(items: Sequence[Item], catalogue: Sequence[BoxType], label: str) -> Packing:
    """Cartonize ``items`` and verify the result; a failed check is a bug."""
    packing = cartonize(items, catalogue)
    report = check_packing(items, catalogue, packing)
    if not report.ok:
        raise RuntimeError(f"packing of {label!r} fails check_packing: {report.violations[0]}")
    return packing


def _packed_parcels(shipment_id: str, items: Sequence[Item], packing: Packing) -> list[Parcel]:
    """One parcel per box and per unit in its own packaging."""
    by_id = {i.id: i for i in items}
    parcels = [
        Parcel(
            f"{shipment_id}-box{k}",
            weight=sum(by_id[p.item].weight for p in packed.placements) + packed.box.tare,
            volume=_ceil_cm3(packed.box.volume),
            size=packed.box.size_class,
        )
        for k, packed in enumerate(packing.boxes, start=1)
    ]
    parcels.extend(
        Parcel(
            f"{shipment_id}-own{k}",
            weight=by_id[item_id].weight,
            volume=_ceil_cm3(by_id[item_id].volume),
        )
        for k, (item_id, _copy) in enumerate(packing.own_packaging, start=1)
    )
    return parcels


def _ready_parcels(orders: Sequence[Order], generated: Iterable[str]) -> list[Parcel]:
    """The members' ready parcels; all prefixed ``"<order id>/"`` if any id clashes."""
    ready = [(o.id, p) for o in orders for p in o.parcels]
    ids = [p.id for _, p in ready] + list(generated)
    if len(set(ids)) == len(ids):
        return [p for _, p in ready]
    return [dataclasses.replace(p, id=f"{oid}/{p.id}") for oid, p in ready]


def _group_orders(orders: Sequence[Order], merge: bool) -> list[list[Order]]:
    """Orders that can travel together, first fit in batch order."""
    groups: list[tuple[Hashable, list[Order], tuple[TimeWindow, ...]]] = []
    for order in orders:
        key = (
            order.customer,
            order.location,
            frozenset(_option_key(o) for o in order.delivery_options),
            order.skills,
            order.vehicle_types,
        )
        for k, (group_key, members, windows) in enumerate(groups if merge else ()):
            if group_key != key:
                continue
            common = _intersect_windows(windows, order.time_windows)
            if common:
                members.append(order)
                groups[k] = (group_key, members, common)
                break
        else:
            groups.append((key, [order], order.time_windows))
    return [members for _, members, _ in groups]


# --------------------------------------------------------------------------- consolidate


def consolidate(batch: Batch, *, merge: bool | None = None) -> Consolidation:
    """Merge each customer's orders into shipments and pack their items.

    Orders of one customer merge when they have the same location (exact
    coordinates), the same delivery options (kind, pickup point and walking
    limit; the shipment takes the least rank and the highest cost of each),
    the same skills and vehicle types, and time windows with a common part.
    Orders are taken in batch order; each joins the first shipment it fits.

    A shipment's time windows are the intersection of its orders' windows; its
    service time and release time are the largest of theirs; its penalty is
    ``None`` when an order is mandatory, else the sum. Its id is the order id
    for a single order, else ``"<first order id>+<n-1>"``.

    The items of all its orders are packed together (item ids prefixed
    ``"<order id>/"``); each box becomes a parcel ``"<shipment>-box<k>"``
    (contents plus tare, the box's inner volume, its size class) and each unit
    in its own packaging a parcel ``"<shipment>-own<k>"``. Ready parcels are
    kept, prefixed ``"<order id>/"`` when ids would clash.

    Parameters
    ----------
    batch
        The day's orders and box catalogue.
    merge
        Merge orders into shipments; ``False`` gives one shipment per order
        (items are still packed). Defaults to ``batch.options.consolidate``.

    Returns
    -------
    Consolidation
        Shipments, their orders, packings and a report comparing with every
        order shipped alone.

    Raises
    ------
    ValueError
        When an order has items but the batch has no boxes, or an item fits no
        box and is not flagged ``ships_alone``.
    RuntimeError
        When a packing fails :func:`optimizer.cartonization.check_packing`
        (a bug in the packer).
    """
    if merge is None:
        merge = batch.options.consolidate
    catalogue = batch.boxes
    order_ids = {o.id for o in batch.orders}
    shipments: list[Order] = []
    members: dict[str, tuple[str, ...]] = {}
    packings: dict[str, Packing] = {}
    parcels_before = 0
    for group in _group_orders(batch.orders, merge):
        first = group[0]
        shipment_id = first.id if len(group) == 1 else f"{first.id}+{len(group) - 1}"
        if len(group) > 1 and shipment_id in order_ids:
            raise ValueError(f"orders: shipment id {shipment_id!r} is also an order id")
        items = [dataclasses.replace(i, id=f"{o.id}/{i.id}") for o in group for i in o.items]
        packed: list[Parcel] = []
        if items:
            if not catalogue:
                raise ValueError(f"orders: order {first.id!r} has items but the batch has no boxes")
            packing = _pack(items, catalogue, shipment_id)
            packings[shipment_id] = packing
            packed = _packed_parcels(shipment_id, items, packing)
        for order in group:
            parcels_before += len(order.parcels)
            if order.items:
                # A single order's packing is its baseline; do not pack it twice.
                if len(group) == 1:
                    alone = packings[shipment_id]
                else:
                    alone = _pack(order.items, catalogue, order.id)
                parcels_before += alone.parcels
        windows = group[0].time_windows
        for order in group[1:]:
            windows = _intersect_windows(windows, order.time_windows)
        required = any(o.required for o in group)
        shipments.append(
            dataclasses.replace(
                first,
                id=shipment_id,
                parcels=tuple(_ready_parcels(group, (p.id for p in packed)) + packed),
                time_windows=windows,
                service_time=max(o.service_time for o in group),
                penalty=None if required else sum(o.penalty or 0 for o in group),
                release_time=max(o.release_time for o in group),
                options=_merged_options(group),
                items=(),
            )
        )
        members[shipment_id] = tuple(o.id for o in group)

    boxes = [b for p in packings.values() for b in p.boxes]
    box_volume = sum(b.box.volume for b in boxes)
    unit_volume = sum(p.volume for b in boxes for p in b.placements)
    parcels_after = sum(len(s.parcels) for s in shipments)
    report = ConsolidationReport(
        orders=len(batch.orders),
        shipments=len(shipments),
        parcels_before=parcels_before,
        parcels_after=parcels_after,
        parcels_saved=parcels_before - parcels_after,
        box_fill_rate=unit_volume / box_volume if box_volume else 0.0,
        box_cost=sum(p.cost for p in packings.values()),
    )
    logger.debug(
        "consolidate: %d orders -> %d shipments, %d parcels saved",
        report.orders,
        report.shipments,
        report.parcels_saved,
    )
    return Consolidation(tuple(shipments), members, packings, report)


# --------------------------------------------------------------------------- build_stops

_Types = frozenset[str] | None  # None: any vehicle type


def _restrict(a: _Types, b: _Types) -> _Types:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


@dataclass(slots=True)
class _Group:
    """A stop being built (mutable, private to :func:`build_stops`)."""

    base: str
    site: str
    location: Location | PlanarPoint
    windows: tuple[TimeWindow, ...]
    types: _Types
    shipments: list[Order]


@dataclass(frozen=True, slots=True)
class _Part:
    """Parcels of one stop after the capacity split, with their shipments."""

    parcels: tuple[tuple[Order, Parcel], ...]

    @property
    def weight(self) -> int:
        return sum(p.weight for _, p in self.parcels)

    @property
    def volume(self) -> int:
        return sum(p.volume for _, p in self.parcels)


def _fits(weight: int, volume: int, parcels: int, vt: VehicleType) -> bool:
    return (
        weight <= vt.capacity_weight
        and volume <= vt.capacity_volume
        and parcels <= vt.capacity_parcels
    )


def _split_load(shipments: Sequence[Order], types: Sequence[VehicleType]) -> list[_Part]:
    """Split a stop's parcels so each part fits the largest vehicle type.

    Nothing is split when the whole stop fits one of ``types``. Otherwise
    whole shipments go first-fit-decreasing by weight into parts fitting the
    largest type (most weight, then volume, then parcels). A shipment is never
    split: one too big for every vehicle is a part of its own, which the
    router reports unassigned with reason ``capacity``.
    """
    everything = [(s, p) for s in shipments for p in s.parcels]
    whole = _Part(tuple(everything))
    if not types or any(_fits(whole.weight, whole.volume, len(everything), vt) for vt in types):
        return [whole]
    largest = max(
        types, key=lambda vt: (vt.capacity_weight, vt.capacity_volume, vt.capacity_parcels)
    )
    units = [_Part(tuple((shipment, p) for p in shipment.parcels)) for shipment in shipments]
    bins: list[_Part] = []
    for unit in sorted(units, key=lambda u: u.weight, reverse=True):
        for k, bin_ in enumerate(bins):
            merged = _Part(bin_.parcels + unit.parcels)
            if _fits(merged.weight, merged.volume, len(merged.parcels), largest):
                bins[k] = merged
                break
        else:
            bins.append(unit)
    rank = {(s.id, p.id): k for k, (s, p) in enumerate(everything)}
    return [_Part(tuple(sorted(b.parcels, key=lambda sp: rank[sp[0].id, sp[1].id]))) for b in bins]


def build_stops(
    batch: Batch,
    consolidation: Consolidation,
    choices: Mapping[str, Candidate],
    *,
    split: Mapping[str, object] | None = None,
    rules: ZoneRules | None = None,
) -> Stops:
    """Turn shipments with a chosen delivery site into the stops to route.

    Shipments at one pickup point become one stop ``"stop:<pickup point id>"``
    at the point's location: windows are the candidates' (the opening hours),
    service time ``stop_time + parcel_time * parcels``. Home shipments at the
    same exact location (one building) become one stop
    ``"stop:<first shipment id>"``, service time the sum of theirs. Shipments
    join a stop only when they share the ``split`` key, their windows have a
    common part, and some vehicle type may serve them all; otherwise they make
    further stops ``"#2"``, ``"#3"``... A stop too heavy, too bulky or with
    too many parcels for the largest vehicle allowed is split first-fit
    decreasing by weight into stops that fit.

    Every stop carries its shipments' parcels (ids ``"<shipment>/<parcel>"``),
    the union of their skills, the latest release time, ``None`` penalty if
    one is mandatory (else the sum), and as vehicle types those the service
    zones allow at the place intersected with each shipment's own
    (``frozenset()`` when every fleet type is allowed).

    Parameters
    ----------
    batch
        The day's pickup points, zones and fleet.
    consolidation
        The shipments, from :func:`consolidate`.
    choices
        Shipment id to its chosen candidate. Shipments without a choice get no
        stop (the assignment reports them unserved).
    split
        Shipment id to a key (any hashable, such as a vehicle id) keeping
        stops of different keys apart; shipments not listed share the key
        ``None``.
    rules
        Zone rules; built from the batch's zones and fleet when ``None``.

    Returns
    -------
    Stops
        Stops in the order of their first shipment in ``consolidation``.

    Raises
    ------
    ValueError
        When a choice names an unknown shipment or pickup point, or no vehicle
        type allowed by the zones may serve a shipment at its chosen site.
    """
    if rules is None:
        rules = ZoneRules(batch.zones, batch.fleet)
    all_types = frozenset(vt.id for vt in batch.fleet.types)
    known = {s.id for s in consolidation.shipments}
    for shipment_id, chosen in choices.items():
        if shipment_id not in known:
            raise ValueError(f"choices: {shipment_id!r} is not a shipment")
        if chosen.shipment_id != shipment_id:
            raise ValueError(f"choices[{shipment_id!r}]: candidate is for {chosen.shipment_id!r}")
    split = split or {}
    allowed_at: dict[Location | PlanarPoint, _Types] = {}
    groups: dict[Hashable, list[_Group]] = {}
    ordered: list[_Group] = []
    for shipment in consolidation.shipments:
        candidate = choices.get(shipment.id)
        if candidate is None:
            continue
        site = candidate.site
        if site == HOME_SITE:
            location = candidate.location
            base = f"stop:{shipment.id}"
            key: Hashable = (HOME_SITE, location, split.get(shipment.id))
        else:
            try:
                location = batch.pickup_point(site).location
            except KeyError:
                raise ValueError(
                    f"choices[{shipment.id!r}]: pickup point {site!r} is unknown"
                ) from None
            base = f"stop:{site}"
            key = (site, split.get(shipment.id))
        if location not in allowed_at:
            allowed_at[location] = rules.allowed_types(location) if all_types else None
        types = _restrict(allowed_at[location], shipment.vehicle_types or None)
        if types is not None and not types:
            raise ValueError(
                f"choices[{shipment.id!r}]: {rules.why_not(location, shipment.vehicle_types)}"
            )
        for group in groups.setdefault(key, []):
            windows = _intersect_windows(group.windows, candidate.time_windows)
            common = _restrict(group.types, types)
            if windows and (common is None or common):
                group.windows, group.types = windows, common
                group.shipments.append(shipment)
                break
        else:
            group = _Group(base, site, location, candidate.time_windows, types, [shipment])
            groups[key].append(group)
            ordered.append(group)

    orders: list[Order] = []
    members: dict[str, tuple[str, ...]] = {}
    sites: dict[str, str] = {}
    counts: dict[str, int] = {}
    for group in ordered:
        vehicle_types = frozenset() if group.types in (None, all_types) else group.types
        assert vehicle_types is not None
        allowed = [vt for vt in batch.fleet.types if not vehicle_types or vt.id in vehicle_types]
        for part in _split_load(group.shipments, allowed):
            counts[group.base] = counts.get(group.base, 0) + 1
            stop_id = (
                group.base if counts[group.base] == 1 else f"{group.base}#{counts[group.base]}"
            )
            stop = _stop(batch, group, part, stop_id, vehicle_types)
            orders.append(stop)
            members[stop_id] = tuple(dict.fromkeys(s.id for s, _ in part.parcels))
            sites[stop_id] = group.site
    if len({o.id for o in orders}) != len(orders):
        raise ValueError("choices: a shipment id equals a pickup point id; stop ids clash")
    return Stops(tuple(orders), members, sites)


def _stop(
    batch: Batch, group: _Group, part: _Part, stop_id: str, vehicle_types: frozenset[str]
) -> Order:
    """The order standing for one stop."""
    shipments = list({s.id: s for s, _ in part.parcels}.values())
    if group.site == HOME_SITE:
        service = sum(s.service_time for s in shipments)
    else:
        point = batch.pickup_point(group.site)
        service = point.stop_time + point.parcel_time * len(part.parcels)
    customers = dict.fromkeys(s.customer for s in shipments)
    if group.site != HOME_SITE:
        customer = group.site
    else:
        customer = ",".join(customers)
    return Order(
        id=stop_id,
        customer=customer,
        location=group.location,
        parcels=tuple(dataclasses.replace(p, id=f"{s.id}/{p.id}") for s, p in part.parcels),
        time_windows=group.windows,
        service_time=service,
        penalty=None
        if any(s.required for s in shipments)
        else sum(s.penalty or 0 for s in shipments),
        skills=frozenset().union(*(s.skills for s in shipments)),
        vehicle_types=vehicle_types,
        release_time=max(s.release_time for s in shipments),
    )
