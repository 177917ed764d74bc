"""Locations. Coordinates are the only floats in the domain model."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A point on the Earth in WGS84 decimal degrees.

    Parameters
    ----------
    lat
        Latitude in degrees, in ``[-90, 90]``.
    lon
        Longitude in degrees, in ``[-180, 180]``.

    Raises
    ------
    ValueError
        When a coordinate is not a finite number or is out of range.
    """

    lat: float
    lon: float

    def __post_init__(self) -> None:
        for name, value, bound in (("lat", self.lat, 90.0), ("lon", self.lon, 180.0)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value!r}")
            if not -bound <= value <= bound:
                raise ValueError(f"{name} must be in [-{bound:g}, {bound:g}], got {value!r}")


@dataclass(frozen=True, slots=True)
class PlanarPoint:
    """A point in a plane, for benchmark instances (Solomon, CVRPLIB).

    Parameters
    ----------
    x, y
        Coordinates in the instance's own unit.
    """

    x: float
    y: float

    def __post_init__(self) -> None:
        for name, value in (("x", self.x), ("y", self.y)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value!r}")


Point = Location | PlanarPoint
