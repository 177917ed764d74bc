"""The travel provider interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from optimizer.domain.fleet import VehicleType
from optimizer.domain.geo import Location, PlanarPoint


class TravelProvider(Protocol):
    """Distances and durations between points.

    Matrices are double precision; engines round them, the checker does not.
    """

    @property
    def distance_unit(self) -> str:
        """``"m"`` for metres, or the instance's own unit."""
        ...

    def distances(self, points: Sequence[Location | PlanarPoint]) -> np.ndarray:
        """Distance matrix between ``points``."""
        ...

    def distance(self, a: Location | PlanarPoint, b: Location | PlanarPoint) -> float:
        """Distance between two points, computed independently of the matrix code."""
        ...

    def durations(self, distances: np.ndarray, vehicle_type: VehicleType) -> np.ndarray:
        """Travel durations in seconds for the given distances and vehicle type."""
        ...
