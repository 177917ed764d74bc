"""Problem definitions handed to the solvers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from optimizer.domain.fleet import Fleet, Vehicle, VehicleType
from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.network import Depot
from optimizer.domain.orders import Order

if TYPE_CHECKING:
    from optimizer.travel.base import TravelProvider


@dataclass(frozen=True, slots=True, eq=False)
class RoutingProblem:
    """A vehicle routing problem: orders, depots, fleet and travel.

    Points are indexed depots first (in ``depots`` order), then orders (in
    ``orders`` order). Build one with :meth:`build`, which computes the
    double-precision distance matrix once.

    Parameters
    ----------
    name
        A label for reports.
    orders, depots, fleet
        The day's data.
    travel
        Travel provider: exact distances and durations.
    distances
        Double-precision distance matrix over all points, in the provider's
        distance unit (metres for geographic problems).
    arc_scale
        Engine units per distance unit: the engine works on
        ``rounding(distances * arc_scale)``.
    arc_rounding
        ``"round"``, ``"floor"`` or ``"ceil"``: how distances become engine
        integers (CVRPLIB rounds, DIMACS VRPTW truncates at one decimal).
    co2_price
        Internal carbon price in cents per tonne of CO2, added to each
        vehicle type's distance cost in the objective (0 for none).

    Raises
    ------
    ValueError
        When ids repeat or a vehicle type names an unknown depot.
    """

    name: str
    orders: tuple[Order, ...]
    depots: tuple[Depot, ...]
    fleet: Fleet
    travel: TravelProvider
    distances: np.ndarray = field(repr=False)
    arc_scale: float = 1.0
    arc_rounding: str = "round"
    co2_price: int = 0

    def __post_init__(self) -> None:
        ids = [o.id for o in self.orders]
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
            raise ValueError(f"orders: duplicate order id {dup!r}")
        depot_ids = {d.id for d in self.depots}
        if len(depot_ids) != len(self.depots):
            raise ValueError("depots: duplicate depot id")
        for vt in self.fleet.types:
            for name in ("start_depot", "end_depot"):
                if getattr(vt, name) not in depot_ids:
                    raise ValueError(
                        f"vehicle type {vt.id!r}: {name} {getattr(vt, name)!r} is not a depot"
                    )
        type_ids = {vt.id for vt in self.fleet.types}
        for o in self.orders:
            unknown = sorted(o.vehicle_types - type_ids)
            if unknown:
                raise ValueError(f"order {o.id!r}: unknown vehicle type {unknown[0]!r}")
        n = len(self.depots) + len(self.orders)
        if self.distances.shape != (n, n):
            raise ValueError(f"distances must be {n}x{n}, got {self.distances.shape}")
        if self.arc_rounding not in ("round", "floor", "ceil"):
            raise ValueError(
                f"arc_rounding must be round, floor or ceil, got {self.arc_rounding!r}"
            )

    @classmethod
    def build(
        cls,
        name: str,
        orders: tuple[Order, ...],
        depots: tuple[Depot, ...],
        fleet: Fleet,
        travel: TravelProvider,
        arc_scale: float = 1.0,
        arc_rounding: str = "round",
        co2_price: int = 0,
    ) -> RoutingProblem:
        """Build a problem, computing the distance matrix with ``travel``."""
        points = [d.location for d in depots] + [o.location for o in orders]
        return cls(
            name=name,
            orders=tuple(orders),
            depots=tuple(depots),
            fleet=fleet,
            travel=travel,
            distances=travel.distances(points),
            arc_scale=arc_scale,
            arc_rounding=arc_rounding,
            co2_price=co2_price,
        )

    @property
    def points(self) -> list[Location | PlanarPoint]:
        """All points: depots, then orders."""
        return [d.location for d in self.depots] + [o.location for o in self.orders]

    @property
    def vehicles(self) -> tuple[Vehicle, ...]:
        """Every vehicle of the fleet."""
        return self.fleet.vehicles

    def depot_index(self, depot_id: str) -> int:
        """Point index of a depot."""
        for i, d in enumerate(self.depots):
            if d.id == depot_id:
                return i
        raise KeyError(depot_id)

    def depot(self, depot_id: str) -> Depot:
        """The depot with id ``depot_id``."""
        return self.depots[self.depot_index(depot_id)]

    def order_index(self, order_id: str) -> int:
        """Point index of an order."""
        index = self._order_positions().get(order_id)
        if index is None:
            raise KeyError(order_id)
        return index

    def _order_positions(self) -> dict[str, int]:
        offset = len(self.depots)
        return {o.id: offset + k for k, o in enumerate(self.orders)}

    def order_by_id(self) -> dict[str, Order]:
        """Orders keyed by id."""
        return {o.id: o for o in self.orders}

    def durations(self, vehicle_type: VehicleType) -> np.ndarray:
        """Double-precision travel durations in seconds for one vehicle type."""
        return self.travel.durations(self.distances, vehicle_type)
