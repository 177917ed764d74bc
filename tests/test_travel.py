"""Travel providers against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from geopy.distance import great_circle

from optimizer.domain import Location, PlanarPoint, TimeWindow, VehicleType
from optimizer.travel import GeodesicProvider, PlanarProvider, haversine_matrix

LYON = Location(45.7640, 4.8357)
PARIS = Location(48.8566, 2.3522)


def test_haversine_matches_geopy_great_circle():
    rng = np.random.default_rng(7)
    coords = np.column_stack([rng.uniform(-60, 60, 50), rng.uniform(-170, 170, 50)])
    matrix = haversine_matrix(coords)
    for i, j in [(0, 1), (3, 40), (12, 27), (49, 0)]:
        expected = great_circle(tuple(coords[i]), tuple(coords[j])).meters
        assert matrix[i, j] == pytest.approx(expected, rel=1e-9)
    assert np.allclose(matrix, matrix.T) and not matrix.diagonal().any()


def test_lyon_paris_with_detour():
    # Great-circle Lyon-Paris is about 392 km; with the 1.3 detour, about 510 km.
    provider = GeodesicProvider(detour_factor=1.3)
    d = provider.distances([LYON, PARIS])[0, 1]
    assert d == pytest.approx(provider.distance(LYON, PARIS), rel=1e-9)
    assert 390_000 * 1.3 < d < 394_000 * 1.3


def test_duration_from_speed():
    # 36 km/h is 10 m/s: 1,000 m take 100 s.
    van = VehicleType("v", 1, 1, 1, 1, "D", "D", TimeWindow(0, 10), speed_kmh=36)
    provider = GeodesicProvider()
    assert provider.durations(np.array([[0.0, 1000.0]]), van)[0, 1] == pytest.approx(100.0)


def test_planar_is_euclidean_and_time_scaled():
    provider = PlanarProvider(time_per_unit=1000)
    d = provider.distances([PlanarPoint(0, 0), PlanarPoint(3, 4)])
    assert d[0, 1] == 5.0
    van = VehicleType("v", 1, 1, 1, 1, "D", "D", TimeWindow(0, 10))
    assert provider.durations(d, van)[0, 1] == 5000.0


def test_bad_detour_and_mixed_points():
    with pytest.raises(ValueError, match="detour_factor"):
        GeodesicProvider(detour_factor=0.5)
    with pytest.raises(TypeError):
        GeodesicProvider().distances([LYON, PlanarPoint(0, 0)])
