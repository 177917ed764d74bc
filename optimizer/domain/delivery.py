"""Delivery options: pickup points and lockers, service zones, options an order accepts.

Also the intermediate objects of the delivery pipeline
(:func:`optimizer.pipeline.plan_day`): candidates (one valid way to deliver a
shipment), choices and assignments.

Locker compartments are nested by size: a parcel of class ``S`` fits an ``S``,
``M`` or ``L`` compartment, an ``M`` parcel an ``M`` or ``L`` one, an ``L`` parcel
only an ``L`` one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.orders import Parcel, check_id
from optimizer.domain.time_window import TimeWindow, normalise_windows
from optimizer.domain.units import check_non_negative, check_positive

SIZE_CLASSES = ("S", "M", "L")
"""Locker compartment size classes, smallest first."""

COMPARTMENT_VOLUME = MappingProxyType({"S": 19_456, "M": 46_208, "L": 99_712})
"""Inner volume in cm3 of the standard compartments (8, 19 and 41 x 38 x 64 cm).

A parcel with no explicit size class gets the smallest class whose volume
holds its volume.
"""


class OptionKind(StrEnum):
    """How an order may be delivered."""

    HOME = "home"
    """At the order's own location, inside the order's time windows."""
    PICKUP_POINT = "pickup_point"
    """At one named pickup point or locker."""
    ANY_PICKUP_POINT = "any_pickup_point"
    """At any pickup point within a walking distance of the order's location."""


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    """One delivery option an order accepts.

    Parameters
    ----------
    kind
        Home, one named pickup point, or any pickup point within walking distance.
    rank
        Preference: 0 is the customer's first choice, then 1, 2, ...
    cost
        Extra cost in cents of delivering this way (a discount is not
        modelled: costs are >= 0).
    pickup_point
        The pickup point id, for :attr:`OptionKind.PICKUP_POINT` only.
    max_walk
        Walking limit in metres from the order's location, for
        :attr:`OptionKind.ANY_PICKUP_POINT` only.

    Raises
    ------
    ValueError
        When a field is invalid or does not match ``kind``, naming the field.
    """

    kind: OptionKind
    rank: int = 0
    cost: int = 0
    pickup_point: str | None = None
    max_walk: int | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", OptionKind(self.kind))
        except ValueError:
            kinds = ", ".join(k.value for k in OptionKind)
            raise ValueError(f"kind must be one of {kinds}, got {self.kind!r}") from None
        check_non_negative("rank", self.rank)
        check_non_negative("cost", self.cost)
        if self.kind is OptionKind.PICKUP_POINT:
            check_id("pickup_point", self.pickup_point)  # type: ignore[arg-type]
        elif self.pickup_point is not None:
            raise ValueError(f"pickup_point is only for kind pickup_point, not {self.kind}")
        if self.kind is OptionKind.ANY_PICKUP_POINT:
            check_positive("max_walk", self.max_walk)  # type: ignore[arg-type]
        elif self.max_walk is not None:
            raise ValueError(f"max_walk is only for kind any_pickup_point, not {self.kind}")


HOME = DeliveryOption(OptionKind.HOME)
"""The implied option of an order that lists none: home, first choice, no cost."""


def _frozen_counts(name: str, counts: Mapping[str, int]) -> Mapping[str, int]:
    out: dict[str, int] = {}
    for size, count in dict(counts).items():
        if size not in SIZE_CLASSES:
            raise ValueError(f"{name}: size class must be one of S, M, L, got {size!r}")
        check_non_negative(f"{name}[{size}]", count)
        out[size] = count
    return MappingProxyType(out)


@dataclass(frozen=True, slots=True)
class PickupPoint:
    """A pickup point (shop) or parcel locker where customers collect parcels.

    Parameters
    ----------
    id
        Unique identifier.
    location
        Where it is.
    opening
        Windows in which a delivery stop may *start* (opening hours).
    capacity
        Parcels it accepts today, or ``None`` for no limit. For a locker this
        is on top of the compartments.
    compartments
        Lockers only: compartments per size class (``{"S": 20, "M": 10}``).
        Empty for a shop.
    occupied
        Lockers only: compartments per size class already holding parcels.
    stop_time
        Seconds per delivery stop (parking, walking in).
    parcel_time
        Seconds per parcel handed over.
    max_parcel_weight
        Heaviest parcel in grams it accepts, or ``None``.

    Raises
    ------
    ValueError
        When a field is invalid, naming the field.
    """

    id: str
    location: Location | PlanarPoint
    opening: tuple[TimeWindow, ...]
    capacity: int | None = None
    compartments: Mapping[str, int] = field(default_factory=dict)
    occupied: Mapping[str, int] = field(default_factory=dict)
    stop_time: int = 0
    parcel_time: int = 0
    max_parcel_weight: int | None = None

    def __post_init__(self) -> None:
        check_id("id", self.id)
        if not isinstance(self.location, (Location, PlanarPoint)):
            raise ValueError(f"location must be a Location, got {self.location!r}")
        if not self.opening:
            raise ValueError("opening must hold at least one window")
        object.__setattr__(self, "opening", normalise_windows(self.opening))
        if self.capacity is not None:
            check_non_negative("capacity", self.capacity)
        object.__setattr__(self, "compartments", _frozen_counts("compartments", self.compartments))
        object.__setattr__(self, "occupied", _frozen_counts("occupied", self.occupied))
        for size, count in self.occupied.items():
            if count > self.compartments.get(size, 0):
                raise ValueError(
                    f"occupied[{size}]: {count} exceeds the {self.compartments.get(size, 0)} "
                    f"{size} compartments"
                )
        check_non_negative("stop_time", self.stop_time)
        check_non_negative("parcel_time", self.parcel_time)
        if self.max_parcel_weight is not None:
            check_positive("max_parcel_weight", self.max_parcel_weight)

    @property
    def is_locker(self) -> bool:
        """Whether parcels go into compartments."""
        return bool(self.compartments)

    @property
    def free(self) -> dict[str, int]:
        """Free compartments per size class (lockers)."""
        return {s: self.compartments.get(s, 0) - self.occupied.get(s, 0) for s in SIZE_CLASSES}

    def accepts(self, parcel: Parcel) -> str | None:
        """Why ``parcel`` cannot be left here at all, or ``None`` when it can."""
        if self.max_parcel_weight is not None and parcel.weight > self.max_parcel_weight:
            return (
                f"parcel {parcel.id!r} weighs {parcel.weight / 1000:g} kg, "
                f"more than the {self.max_parcel_weight / 1000:g} kg {self.id!r} accepts"
            )
        if self.is_locker:
            size = parcel_size_class(parcel)
            if size is None:
                return f"parcel {parcel.id!r} ({parcel.volume / 1000:g} l) fits no compartment"
            if not any(
                self.compartments.get(s, 0) for s in SIZE_CLASSES[SIZE_CLASSES.index(size) :]
            ):
                return f"{self.id!r} has no compartment of size {size} or larger"
        return None

    def fits(self, sizes: Mapping[str, int], parcels: int) -> bool:
        """Whether parcels of these size classes (and this many in all) fit today."""
        if self.capacity is not None and parcels > self.capacity:
            return False
        if self.is_locker:
            return compartments_fit(self.free, sizes)
        return True


def parcel_size_class(parcel: Parcel) -> str | None:
    """The parcel's locker size class: its own, else the smallest that holds its volume."""
    if parcel.size is not None:
        return parcel.size
    for size in SIZE_CLASSES:
        if parcel.volume <= COMPARTMENT_VOLUME[size]:
            return size
    return None


def size_counts(parcels: Iterable[Parcel]) -> dict[str, int]:
    """Number of parcels per size class (parcels fitting no class are not counted)."""
    counts = dict.fromkeys(SIZE_CLASSES, 0)
    for parcel in parcels:
        size = parcel_size_class(parcel)
        if size is not None:
            counts[size] += 1
    return counts


def compartments_fit(free: Mapping[str, int], sizes: Mapping[str, int]) -> bool:
    """Whether parcels of ``sizes`` fit ``free`` compartments (nested classes).

    Largest first: the ``L`` parcels need ``L`` compartments, the ``M`` and
    ``L`` parcels together need ``M`` or ``L`` ones, and so on (Hall's
    condition for nested classes).
    """
    need = have = 0
    for size in reversed(SIZE_CLASSES):
        need += sizes.get(size, 0)
        have += free.get(size, 0)
        if need > have:
            return False
    return True


@dataclass(frozen=True, slots=True)
class ServiceZone:
    """A polygon with rules on which vehicles serve stops inside it.

    A stop inside the zone may be served only by vehicle types in
    ``vehicle_types`` (any, when empty) starting from a depot in ``depots``
    (any, when empty). Vehicle types may in turn be confined to zones
    (:attr:`~optimizer.domain.fleet.VehicleType.zones`).

    Parameters
    ----------
    id
        Unique identifier.
    polygon
        Outer ring as ``(lon, lat)`` pairs (longitude first, as in GeoJSON),
        at least three distinct vertices; closing the ring is optional.
    vehicle_types
        Vehicle type ids allowed inside.
    depots
        Depot ids whose vehicles may serve it.

    Raises
    ------
    ValueError
        When the ring has fewer than three vertices or a coordinate is out of range.
    """

    id: str
    polygon: tuple[tuple[float, float], ...]
    vehicle_types: frozenset[str] = field(default_factory=frozenset)
    depots: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        check_id("id", self.id)
        ring = tuple((float(x), float(y)) for x, y in self.polygon)
        for k, (lon, lat) in enumerate(ring):
            if not (math.isfinite(lon) and math.isfinite(lat)):
                raise ValueError(f"polygon[{k}] must be finite")
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(f"polygon[{k}] must be (lon, lat) in range, got {(lon, lat)}")
        if len(set(ring)) < 3:
            raise ValueError("polygon must have at least three distinct vertices")
        object.__setattr__(self, "polygon", ring)
        object.__setattr__(self, "vehicle_types", frozenset(self.vehicle_types))
        object.__setattr__(self, "depots", frozenset(self.depots))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A valid way to deliver one shipment: an option resolved to a site.

    Parameters
    ----------
    shipment_id
        The shipment.
    option
        Index of the option in the shipment's ``delivery_options``.
    kind
        The option's kind.
    rank, cost
        The option's preference rank and cost in cents.
    site
        Where the stop is: ``"home"`` for the shipment's own address, else the
        pickup point id.
    location
        The site's location.
    time_windows
        Windows in which the stop may start there.
    walk
        Metres the customer walks from home (0 for home delivery).
    """

    shipment_id: str
    option: int
    kind: OptionKind
    rank: int
    cost: int
    site: str
    location: Location | PlanarPoint
    time_windows: tuple[TimeWindow, ...]
    walk: int = 0

    @property
    def pickup_point(self) -> str | None:
        """The pickup point id, or ``None`` for home delivery."""
        return None if self.kind is OptionKind.HOME else self.site


@dataclass(frozen=True, slots=True)
class Choice:
    """The option chosen for one shipment, and why.

    Parameters
    ----------
    candidate
        The chosen candidate.
    estimate
        Estimated cost of this choice in cents (option cost, preference cost
        and routing-cost estimate) under the method that chose it.
    explanation
        Why this option, in one sentence.
    next_best
        The best other candidate, or ``None`` when there was no other.
    next_best_delta
        Estimated extra cost in cents of the next-best candidate.
    """

    candidate: Candidate
    estimate: int = 0
    explanation: str = ""
    next_best: Candidate | None = None
    next_best_delta: int | None = None

    @property
    def shipment_id(self) -> str:
        """The shipment this choice is for."""
        return self.candidate.shipment_id


@dataclass(frozen=True, slots=True)
class Rejection:
    """An option of a shipment that could not be used, and why."""

    shipment_id: str
    option: int
    site: str
    reason: str


@dataclass(frozen=True, slots=True)
class Assignment:
    """One option per shipment.

    Parameters
    ----------
    choices
        One per assigned shipment.
    rejected
        Options found invalid before choosing (full locker, closed, too far, zone).
    unserved
        Shipments with no valid option: ``(shipment id, detail)``.
    method
        ``"sequential"`` or ``"integrated"``.
    """

    choices: tuple[Choice, ...]
    rejected: tuple[Rejection, ...] = ()
    unserved: tuple[tuple[str, str], ...] = ()
    method: str = "sequential"

    def by_shipment(self) -> dict[str, Choice]:
        """Choices keyed by shipment id."""
        return {c.shipment_id: c for c in self.choices}
