"""Vehicle types, vehicles and the fleet."""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.domain.orders import check_id
from optimizer.domain.time_window import TimeWindow
from optimizer.domain.units import check_non_negative, check_positive


@dataclass(frozen=True, slots=True)
class VehicleType:
    """A kind of vehicle, of which the fleet holds ``count``.

    Parameters
    ----------
    id
        Unique type identifier.
    count
        How many vehicles of this type are available.
    capacity_weight
        Payload in grams.
    capacity_volume
        Cargo volume in cubic centimetres.
    capacity_parcels
        Maximum number of parcels.
    start_depot, end_depot
        Depot ids where routes start and end.
    shift
        The vehicle leaves its start depot and is back at its end depot
        within this window.
    fixed_cost
        Cents per vehicle used.
    cost_per_km
        Cents per kilometre driven.
    cost_per_hour
        Cents per hour of route duration (departure to return).
    max_duration
        Maximum route duration in seconds, or ``None``.
    max_stops
        Maximum number of orders on a route, or ``None``.
    speed_kmh
        Average speed in kilometres per hour, used by travel providers.
    co2_per_km
        Grams of CO2 emitted per kilometre.
    skills
        Skills the vehicle and its driver have.
    zones
        Ids of the service zones it is confined to (a cargo bike in the
        centre); empty means it may go anywhere.
    carrier
        The carrier company running these vehicles; published routes go to
        it. ``None`` means the type's own id names the carrier.
    """

    id: str
    count: int
    capacity_weight: int
    capacity_volume: int
    capacity_parcels: int
    start_depot: str
    end_depot: str
    shift: TimeWindow
    fixed_cost: int = 0
    cost_per_km: int = 0
    cost_per_hour: int = 0
    max_duration: int | None = None
    max_stops: int | None = None
    speed_kmh: int = 30
    co2_per_km: int = 0
    skills: frozenset[str] = field(default_factory=frozenset)
    zones: frozenset[str] = field(default_factory=frozenset)
    carrier: str | None = None

    def __post_init__(self) -> None:
        check_id("id", self.id)
        check_non_negative("count", self.count)
        check_non_negative("capacity_weight", self.capacity_weight)
        check_non_negative("capacity_volume", self.capacity_volume)
        check_non_negative("capacity_parcels", self.capacity_parcels)
        check_id("start_depot", self.start_depot)
        check_id("end_depot", self.end_depot)
        for name in ("fixed_cost", "cost_per_km", "cost_per_hour", "co2_per_km"):
            check_non_negative(name, getattr(self, name))
        if self.max_duration is not None:
            check_positive("max_duration", self.max_duration)
        if self.max_stops is not None:
            check_positive("max_stops", self.max_stops)
        check_positive("speed_kmh", self.speed_kmh)
        object.__setattr__(self, "skills", frozenset(self.skills))
        object.__setattr__(self, "zones", frozenset(self.zones))
        if self.carrier is not None:
            check_id("carrier", self.carrier)


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One vehicle: an id and its type."""

    id: str
    type: VehicleType


@dataclass(frozen=True, slots=True)
class Fleet:
    """The vehicle types available for a day.

    Vehicles are named ``"<type id>-<k>"`` for ``k = 1 .. count``.

    Raises
    ------
    ValueError
        When two types share an id.
    """

    types: tuple[VehicleType, ...]

    def __post_init__(self) -> None:
        ids = [t.id for t in self.types]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"types: duplicate vehicle type id {dupes[0]!r}")

    @property
    def vehicles(self) -> tuple[Vehicle, ...]:
        """Every vehicle, in type order."""
        return tuple(
            Vehicle(f"{vt.id}-{k}", vt) for vt in self.types for k in range(1, vt.count + 1)
        )

    def type(self, type_id: str) -> VehicleType:
        """The vehicle type with id ``type_id``.

        Raises
        ------
        KeyError
            When no such type exists.
        """
        for vt in self.types:
            if vt.id == type_id:
                return vt
        raise KeyError(type_id)
