"""What was bought and what is shipped: parcels and orders."""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.time_window import TimeWindow, normalise_windows
from optimizer.domain.units import check_non_negative


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
    """

    id: str
    weight: int
    volume: int

    def __post_init__(self) -> None:
        check_id("id", self.id)
        check_non_negative("weight", self.weight)
        check_non_negative("volume", self.volume)


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
        The parcels shipped for this order (at least one).
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

    def __post_init__(self) -> None:
        check_id("id", self.id)
        check_id("customer", self.customer)
        if not self.parcels:
            raise ValueError("parcels must hold at least one parcel")
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
        """Total weight in grams."""
        return sum(p.weight for p in self.parcels)

    @property
    def volume(self) -> int:
        """Total volume in cubic centimetres."""
        return sum(p.volume for p in self.parcels)

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
