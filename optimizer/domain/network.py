"""Depots."""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.domain.geo import Location, PlanarPoint
from optimizer.domain.orders import check_id
from optimizer.domain.time_window import TimeWindow


@dataclass(frozen=True, slots=True)
class Depot:
    """A depot where routes start and end.

    Parameters
    ----------
    id
        Unique depot identifier.
    location
        Where the depot is.
    opening
        Opening hours: vehicles leave and return within them.
    """

    id: str
    location: Location | PlanarPoint
    opening: TimeWindow

    def __post_init__(self) -> None:
        check_id("id", self.id)
