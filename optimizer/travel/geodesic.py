"""Great-circle travel on the Earth, with a road detour factor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from geopy.distance import EARTH_RADIUS, great_circle

from optimizer.domain.fleet import VehicleType
from optimizer.domain.geo import Location, PlanarPoint

EARTH_RADIUS_M = EARTH_RADIUS * 1000.0
"""Mean Earth radius in metres, the same one geopy's ``great_circle`` uses."""


def _as_locations(points: Sequence[Location | PlanarPoint]) -> np.ndarray:
    coords = np.empty((len(points), 2), dtype=np.float64)
    for k, p in enumerate(points):
        if not isinstance(p, Location):
            raise TypeError(f"point {k} is not a Location: {p!r}")
        coords[k] = (p.lat, p.lon)
    return coords


def haversine_matrix(coords: np.ndarray) -> np.ndarray:
    """Great-circle distances in metres between all rows of ``coords``.

    Parameters
    ----------
    coords
        ``(n, 2)`` array of latitude, longitude in degrees.

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` float64 matrix, vectorised haversine formula.
    """
    rad = np.radians(coords)
    lat, lon = rad[:, 0], rad[:, 1]
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


@dataclass(frozen=True, slots=True)
class GeodesicProvider:
    """Road distance estimated as great-circle distance times a detour factor.

    Parameters
    ----------
    detour_factor
        Ratio of road to straight-line distance (1.3 is typical in cities).

    Notes
    -----
    Durations are distance divided by the vehicle type's average speed.
    """

    detour_factor: float = 1.3
    distance_unit: str = "m"

    def __post_init__(self) -> None:
        if not 1.0 <= self.detour_factor <= 5.0:
            raise ValueError(f"detour_factor must be in [1, 5], got {self.detour_factor}")

    def distances(self, points: Sequence[Location | PlanarPoint]) -> np.ndarray:
        """Road-distance estimates in metres between all points."""
        return haversine_matrix(_as_locations(points)) * self.detour_factor

    def distance(self, a: Location | PlanarPoint, b: Location | PlanarPoint) -> float:
        """Road-distance estimate between two points, with geopy."""
        if not isinstance(a, Location) or not isinstance(b, Location):
            raise TypeError("geodesic distance needs two Locations")
        return float(great_circle((a.lat, a.lon), (b.lat, b.lon)).meters) * self.detour_factor

    def durations(self, distances: np.ndarray, vehicle_type: VehicleType) -> np.ndarray:
        """Seconds to drive ``distances`` metres at the type's average speed."""
        return distances / (vehicle_type.speed_kmh / 3.6)
