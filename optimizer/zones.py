"""Service zones: which vehicle types may serve a stop at a given place."""

from __future__ import annotations

from collections.abc import Sequence

from shapely import Point, Polygon, prepared

from optimizer.domain.delivery import ServiceZone
from optimizer.domain.fleet import Fleet
from optimizer.domain.geo import Location, PlanarPoint


class ZoneRules:
    """Zone membership and the vehicle types allowed at a place.

    Parameters
    ----------
    zones
        The batch's service zones.
    fleet
        The batch's fleet (vehicle types may be confined to zones).
    """

    def __init__(self, zones: Sequence[ServiceZone], fleet: Fleet) -> None:
        self.zones = tuple(zones)
        self.fleet = fleet
        self._shapes = {z.id: prepared.prep(Polygon(z.polygon)) for z in self.zones}

    def zones_at(self, location: Location | PlanarPoint) -> tuple[ServiceZone, ...]:
        """Zones containing ``location`` (boundary included)."""
        if not self.zones or not isinstance(location, Location):
            return ()
        point = Point(location.lon, location.lat)
        return tuple(z for z in self.zones if self._shapes[z.id].covers(point))

    def allowed_types(self, location: Location | PlanarPoint) -> frozenset[str]:
        """Ids of the vehicle types allowed to serve a stop at ``location``."""
        inside = self.zones_at(location)
        inside_ids = {z.id for z in inside}
        allowed = set()
        for vt in self.fleet.types:
            if vt.zones and not vt.zones & inside_ids:
                continue
            if any(z.vehicle_types and vt.id not in z.vehicle_types for z in inside):
                continue
            if any(z.depots and vt.start_depot not in z.depots for z in inside):
                continue
            allowed.add(vt.id)
        return frozenset(allowed)

    def why_not(self, location: Location | PlanarPoint, type_ids: frozenset[str]) -> str:
        """Why none of ``type_ids`` (all types when empty) may serve ``location``."""
        inside = self.zones_at(location)
        names = ", ".join(repr(z.id) for z in inside) or "no zone"
        wanted = type_ids or frozenset(vt.id for vt in self.fleet.types)
        return (
            f"the place is in {names}; no allowed vehicle type among "
            f"{', '.join(sorted(wanted))} may serve it"
        )
