"""What was bought and what is shipped: parcels and orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.time_window import TimeWindow, normalise_windows
from optimizer.domain.units import check_non_negative

if TYPE_CHECKING:
    from optimizer.domain.delivery import DeliveryOption
    from optimizer.domain.packing import Item


def check_id(name: str, value: str) -> None:
    """Raise ``ValueError`` unless ``value`` is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")


@dataclass(frozen=True, slots=True)
class Parcel:
    """One shipped parcel.

    Parameters
    ----------
    id
        Parcel identifier, unique within its order.
    weight
        Weight in grams.
    volume
        Volume in cubic centimetres.
    size
        Locker compartment class ``"S"``, ``"M"`` or ``"L"`` it needs, or
        ``None`` to derive it from the volume
        (:func:`optimizer.domain.delivery.parcel_size_class`).
    """

    id: str
    weight: int
    volume: int
    size: str | None = None

    def __post_init__(self) -> None:
        check_id("id", self.id)
        check_non_negative("weight", self.weight)
        check_non_negative("volume", self.volume)
        if self.size is not None and self.size not in ("S", "M", "L"):
            raise ValueError(f"size must be S, M, L or None, got {self.size!r}")


@dataclass(frozen=True, slots=True)
class Order:
    """A customer order to deliver.

    Parameters
    ----------
    id
        Unique order identifier.
    customer
        Customer identifier (several orders may share one).
    location
        Delivery location.
    parcels
        The parcels shipped for this order (at least one, unless ``items``
        are given: consolidation then packs them into parcels).
    time_windows
        Windows in which service may *start*; sorted and merged when built.
    service_time
        Seconds spent at the stop.
    penalty
        Cost in cents of leaving the order out. ``None`` means the order is
        mandatory: it is left out only when no vehicle can serve it.
    skills
        Skills a vehicle must have to serve this order.
    vehicle_types
        Ids of the vehicle types allowed to serve it; empty means any.
    release_time
        When its parcels are ready at the depot (for instance from the
        picking simulation): the vehicle carrying it leaves no earlier.
    options
        Delivery options the customer accepts; empty means home delivery
        only (see :attr:`delivery_options`).
    items
        Order lines to pack into boxes (:func:`optimizer.cartonization.cartonize`)
        instead of, or besides, ready ``parcels``.
    """

    id: str
    customer: str
    location: Location | PlanarPoint
    parcels: tuple[Parcel, ...]
    time_windows: tuple[TimeWindow, ...]
    service_time: int = 0
    penalty: int | None = None
    skills: frozenset[str] = field(default_factory=frozenset)
    vehicle_types: frozenset[str] = field(default_factory=frozenset)
    release_time: int = 0
    options: tuple[DeliveryOption, ...] = ()
    items: tuple[Item, ...] = ()

    def __post_init__(self) -> None:
        from optimizer.domain.delivery import DeliveryOption
        from optimizer.domain.packing import Item

        check_id("id", self.id)
        check_id("customer", self.customer)
        object.__setattr__(self, "parcels", tuple(self.parcels))
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "items", tuple(self.items))
        if not self.parcels and not self.items:
            raise ValueError("parcels must hold at least one parcel")
        for k, option in enumerate(self.options):
            if not isinstance(option, DeliveryOption):
                raise ValueError(f"options[{k}] must be a DeliveryOption, got {option!r}")
        for k, item in enumerate(self.items):
            if not isinstance(item, Item):
                raise ValueError(f"items[{k}] must be an Item, got {item!r}")
        item_ids = [i.id for i in self.items]
        if len(set(item_ids)) != len(item_ids):
            raise ValueError("items: item ids must be unique within an order")
        ids = [p.id for p in self.parcels]
        if len(set(ids)) != len(ids):
            raise ValueError("parcels: parcel ids must be unique within an order")
        object.__setattr__(self, "time_windows", normalise_windows(self.time_windows))
        check_non_negative("service_time", self.service_time)
        check_non_negative("release_time", self.release_time)
        if self.penalty is not None:
            check_non_negative("penalty", self.penalty)
        object.__setattr__(self, "skills", frozenset(self.skills))
        object.__setattr__(self, "vehicle_types", frozenset(self.vehicle_types))

    @property
    def weight(self) -> int:
        """Total weight in grams: parcels plus unpacked items."""
        return sum(p.weight for p in self.parcels) + sum(i.weight * i.quantity for i in self.items)

    @property
    def volume(self) -> int:
        """Total volume in cubic centimetres: parcels plus unpacked items (rounded up)."""
        items_mm3 = sum(i.volume * i.quantity for i in self.items)
        return sum(p.volume for p in self.parcels) + -(-items_mm3 // 1000)

    @property
    def delivery_options(self) -> tuple[DeliveryOption, ...]:
        """The options it accepts: ``options``, or home delivery when none is listed."""
        from optimizer.domain.delivery import HOME

        return self.options or (HOME,)

    @property
    def parcel_count(self) -> int:
        """Number of parcels."""
        return len(self.parcels)

    def allows(self, vehicle_type_id: str) -> bool:
        """Whether a vehicle of type ``vehicle_type_id`` may serve this order."""
        return not self.vehicle_types or vehicle_type_id in self.vehicle_types

    @property
    def required(self) -> bool:
        """Whether the order is mandatory (has no penalty)."""
        return self.penalty is None
