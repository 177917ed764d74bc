"""Euclidean travel in a plane, for benchmark instances."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.domain.fleet import VehicleType
from optimizer.domain.geo import Location, PlanarPoint


@dataclass(frozen=True, slots=True)
class PlanarProvider:
    """Euclidean distances; time equals distance times ``time_per_unit``.

    Parameters
    ----------
    time_per_unit
        Integer time units per distance unit. Solomon instances use one time
        unit per distance unit; :mod:`optimizer.formats.solomon` scales both
        time and windows by 1000 so that schedules stay integer.
    """

    time_per_unit: int = 1
    distance_unit: str = "unit"

    def distances(self, points: Sequence[Location | PlanarPoint]) -> np.ndarray:
        """Euclidean distance matrix."""
        xy = np.empty((len(points), 2), dtype=np.float64)
        for k, p in enumerate(points):
            if not isinstance(p, PlanarPoint):
                raise TypeError(f"point {k} is not a PlanarPoint: {p!r}")
            xy[k] = (p.x, p.y)
        diff = xy[:, None, :] - xy[None, :, :]
        return np.sqrt((diff**2).sum(axis=-1))

    def distance(self, a: Location | PlanarPoint, b: Location | PlanarPoint) -> float:
        """Euclidean distance between two points."""
        if not isinstance(a, PlanarPoint) or not isinstance(b, PlanarPoint):
            raise TypeError("planar distance needs two PlanarPoints")
        return math.hypot(a.x - b.x, a.y - b.y)

    def durations(self, distances: np.ndarray, vehicle_type: VehicleType) -> np.ndarray:
        """Travel time: distance times ``time_per_unit`` (speed is ignored)."""
        return distances * self.time_per_unit
