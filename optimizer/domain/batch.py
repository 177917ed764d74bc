"""A day's delivery batch: orders, depots, fleet and solve options."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass, field

from optimizer.domain.delivery import PickupPoint, ServiceZone
from optimizer.domain.fleet import Fleet
from optimizer.domain.network import Depot
from optimizer.domain.orders import Order, check_id
from optimizer.domain.packing import BoxType
from optimizer.domain.problems import RoutingProblem
from optimizer.domain.units import check_non_negative, check_positive

ASSIGNMENT_METHODS = ("best", "integrated", "sequential")


def check_timezone(name: str, value: str) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is a known IANA zone."""
    check_id(name, value)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name}: unknown IANA time zone {value!r}") from exc


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How a batch is to be planned.

    Parameters
    ----------
    detour_factor
        Ratio of road to straight-line distance used by the geodesic travel
        provider, in ``[1, 5]``.
    time_limit
        Solver time limit in seconds.
    seed
        Seed for the solver's random choices.
    min_first_choice_pct
        Minimum share, in percent, of orders delivered by their first-choice
        option (rank 0); 0 for none.
    rank_cost
        Cents charged per preference rank below the first choice, so that a
        pickup point is chosen over home only when it saves more.
    assignment
        ``"best"`` (run both pickup-point assignment methods and keep the
        cheaper checked plan), ``"integrated"`` or ``"sequential"``.
    consolidate
        Merge orders of one customer into one shipment and repack them.
    co2_price
        Internal carbon price in cents per tonne of CO2: the solvers add it
        to the distance cost of each vehicle type
        by its emissions, so that cleaner vehicles and shorter routes win.

    Raises
    ------
    ValueError
        When a field is out of range, naming the field.
    """

    detour_factor: float = 1.3
    time_limit: int = 20
    seed: int = 0
    min_first_choice_pct: int = 0
    rank_cost: int = 0
    assignment: str = "best"
    consolidate: bool = True
    co2_price: int = 0

    def __post_init__(self) -> None:
        value = self.detour_factor
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"detour_factor must be a number, got {value!r}")
        if not math.isfinite(value) or not 1.0 <= value <= 5.0:
            raise ValueError(f"detour_factor must be in [1, 5], got {value!r}")
        check_positive("time_limit", self.time_limit)
        check_non_negative("seed", self.seed)
        check_non_negative("min_first_choice_pct", self.min_first_choice_pct)
        if self.min_first_choice_pct > 100:
            raise ValueError(
                f"min_first_choice_pct must be in [0, 100], got {self.min_first_choice_pct}"
            )
        check_non_negative("rank_cost", self.rank_cost)
        check_non_negative("co2_price", self.co2_price)
        if self.assignment not in ASSIGNMENT_METHODS:
            raise ValueError(
                f"assignment must be one of {', '.join(ASSIGNMENT_METHODS)}, "
                f"got {self.assignment!r}"
            )
        if not isinstance(self.consolidate, bool):
            raise ValueError(f"consolidate must be true or false, got {self.consolidate!r}")


@dataclass(frozen=True, slots=True)
class Batch:
    """Everything known about one delivery day, as read from a batch file.

    Parameters
    ----------
    name
        A label for reports.
    date
        The delivery day. Times inside are seconds after its local midnight.
    timezone
        IANA time zone of the day, such as ``"Europe/Paris"``.
    orders
        Orders to deliver; ids are unique.
    depots
        Depots (at least one); ids are unique.
    fleet
        Vehicle types; each starts and ends at one of ``depots``.
    options
        Solve options.
    pickup_points
        Pickup points and lockers the orders' options may name; ids unique.
    zones
        Service zones restricting which vehicles serve stops inside them.
    boxes
        Box catalogue for packing order items (cartonization).

    Raises
    ------
    ValueError
        When a field is invalid, naming the field.
    """

    name: str
    date: dt.date
    timezone: str
    orders: tuple[Order, ...]
    depots: tuple[Depot, ...]
    fleet: Fleet
    options: BatchOptions = field(default_factory=BatchOptions)
    pickup_points: tuple[PickupPoint, ...] = ()
    zones: tuple[ServiceZone, ...] = ()
    boxes: tuple[BoxType, ...] = ()

    def __post_init__(self) -> None:
        check_id("name", self.name)
        if isinstance(self.date, dt.datetime) or not isinstance(self.date, dt.date):
            raise ValueError(f"date must be a datetime.date, got {self.date!r}")
        check_timezone("timezone", self.timezone)
        object.__setattr__(self, "orders", tuple(self.orders))
        object.__setattr__(self, "depots", tuple(self.depots))
        _check_items("orders", self.orders, Order)
        _check_items("depots", self.depots, Depot)
        if not self.depots:
            raise ValueError("depots must hold at least one depot")
        if not isinstance(self.fleet, Fleet):
            raise ValueError(f"fleet must be a Fleet, got {type(self.fleet).__name__}")
        if not isinstance(self.options, BatchOptions):
            raise ValueError(f"options must be BatchOptions, got {type(self.options).__name__}")
        depot_ids = {d.id for d in self.depots}
        for vt in self.fleet.types:
            for name in ("start_depot", "end_depot"):
                depot_id = getattr(vt, name)
                if depot_id not in depot_ids:
                    raise ValueError(
                        f"fleet: vehicle type {vt.id!r} {name} {depot_id!r} is not a depot"
                    )
        for name in ("pickup_points", "zones", "boxes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _check_items("pickup_points", self.pickup_points, PickupPoint)
        _check_items("zones", self.zones, ServiceZone)
        _check_items("boxes", self.boxes, BoxType)
        self._check_references(depot_ids)

    def _check_references(self, depot_ids: set[str]) -> None:
        """Every id an order, zone or vehicle type names exists."""
        point_ids = {p.id for p in self.pickup_points}
        zone_ids = {z.id for z in self.zones}
        type_ids = {vt.id for vt in self.fleet.types}
        for vt in self.fleet.types:
            unknown = sorted(vt.zones - zone_ids)
            if unknown:
                raise ValueError(f"fleet: vehicle type {vt.id!r} zone {unknown[0]!r} is not a zone")
        for zone in self.zones:
            for what, names, known in (
                ("vehicle type", zone.vehicle_types, type_ids),
                ("depot", zone.depots, depot_ids),
            ):
                unknown = sorted(names - known)
                if unknown:
                    raise ValueError(f"zones: zone {zone.id!r} {what} {unknown[0]!r} is unknown")
        for order in self.orders:
            for k, option in enumerate(order.options):
                if option.pickup_point is not None and option.pickup_point not in point_ids:
                    raise ValueError(
                        f"orders: order {order.id!r} options[{k}] pickup point "
                        f"{option.pickup_point!r} is unknown"
                    )
            if order.items and not self.boxes:
                raise ValueError(
                    f"orders: order {order.id!r} has items to pack but the batch has no boxes"
                )

    def pickup_point(self, point_id: str) -> PickupPoint:
        """The pickup point with id ``point_id``.

        Raises
        ------
        KeyError
            When there is none.
        """
        for point in self.pickup_points:
            if point.id == point_id:
                return point
        raise KeyError(point_id)

    def to_problem(self) -> RoutingProblem:
        """The routing problem of this batch, with geodesic travel.

        Returns
        -------
        RoutingProblem
            Distances in metres from
            :class:`~optimizer.travel.GeodesicProvider` with the batch's
            detour factor; engines round them to whole metres.
        """
        from optimizer.travel.geodesic import GeodesicProvider

        return RoutingProblem.build(
            self.name,
            self.orders,
            self.depots,
            self.fleet,
            GeodesicProvider(self.options.detour_factor),
            arc_scale=1.0,
            arc_rounding="round",
            co2_price=self.options.co2_price,
        )


def _check_items(name: str, items: tuple[object, ...], kind: type) -> None:
    """Raise ``ValueError`` unless every item is a ``kind`` with a unique ``id``."""
    seen: set[str] = set()
    for k, item in enumerate(items):
        if not isinstance(item, kind):
            raise ValueError(f"{name}[{k}] must be a {kind.__name__}, got {type(item).__name__}")
        item_id = item.id  # type: ignore[attr-defined]
        if item_id in seen:
            raise ValueError(f"{name}: duplicate id {item_id!r}")
        seen.add(item_id)
