"""Travel providers: distance and duration matrices."""

from optimizer.travel.base import TravelProvider
from optimizer.travel.geodesic import GeodesicProvider, haversine_matrix
from optimizer.travel.planar import PlanarProvider

__all__ = ["GeodesicProvider", "PlanarProvider", "TravelProvider", "haversine_matrix"]
