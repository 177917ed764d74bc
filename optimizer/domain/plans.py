"""Plans: routes with visits, and orders left unassigned with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from optimizer.domain.orders import check_id


class Reason(StrEnum):
    """Why an order is not routed.

    Each code is established by checking the order against every vehicle
    (see :func:`optimizer.reasons.diagnose`), never guessed.
    """

    CAPACITY = "capacity"
    """Its load does not fit: alone in any compatible vehicle, or in any route."""
    TIME_WINDOW = "time_window"
    """No vehicle can start service inside one of its windows."""
    SHIFT_DURATION = "shift_duration"
    """Serving it would end a route after the shift or past the maximum duration."""
    MAX_STOPS = "max_stops"
    """Every route that could take it already has its maximum number of stops."""
    SKILLS = "skills"
    """No vehicle has the skills it requires."""
    NO_VEHICLE = "no_vehicle"
    """No vehicle of the fleet may serve it: the fleet is empty, or has no
    vehicle of the types the order allows."""
    PRICED_OUT = "priced_out"
    """It could be served, but at more than its penalty."""
    NO_OPTION = "no_option"
    """None of its delivery options can be used (full locker, closed, too
    far, or no vehicle may serve the place)."""


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop on a route, with its schedule in seconds.

    Parameters
    ----------
    order_id
        The order served.
    arrival
        Arrival time, or ``None`` when unknown (for instance in a plan a
        carrier edited); the checker recomputes it either way.
    start
        Service start (``arrival`` plus waiting).
    departure
        Service end.
    """

    order_id: str
    arrival: int | None = None
    start: int | None = None
    departure: int | None = None

    def __post_init__(self) -> None:
        check_id("order_id", self.order_id)


@dataclass(frozen=True, slots=True)
class Route:
    """A vehicle's route: it leaves its start depot at ``start``.

    Parameters
    ----------
    vehicle_id
        The vehicle driving it.
    visits
        Stops in driving order (depots excluded).
    start
        Departure time from the start depot.
    end
        Return time at the end depot, or ``None`` when unknown.
    """

    vehicle_id: str
    visits: tuple[Visit, ...]
    start: int
    end: int | None = None

    def __post_init__(self) -> None:
        check_id("vehicle_id", self.vehicle_id)
        if isinstance(self.start, bool) or not isinstance(self.start, int) or self.start < 0:
            raise ValueError(f"start must be an integer >= 0, got {self.start!r}")

    @property
    def order_ids(self) -> tuple[str, ...]:
        """Ids of the orders in visit order."""
        return tuple(v.order_id for v in self.visits)


@dataclass(frozen=True, slots=True)
class Unassigned:
    """An order left out of every route, and why."""

    order_id: str
    reason: Reason
    detail: str = ""

    def __post_init__(self) -> None:
        check_id("order_id", self.order_id)
        object.__setattr__(self, "reason", Reason(self.reason))


@dataclass(frozen=True, slots=True)
class Plan:
    """The answer to a routing problem.

    Parameters
    ----------
    routes
        Non-empty routes only.
    unassigned
        Every order not on a route, each with a reason.
    meta
        Engine, time limit, seed, objective and similar facts about the solve.
    """

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def routed_order_ids(self) -> tuple[str, ...]:
        """Ids of routed orders, route by route."""
        return tuple(o for r in self.routes for o in r.order_ids)
