"""One carrier route rendered as GeoJSON (RFC 7946) or GPX 1.1.

Both functions take the JSON-ready route body served by the API (a mapping
with ``route_id``, ``start_depot``, ``stops``, ``end_depot`` and so on) and
are pure: they neither read nor change anything else.

Coordinates follow each format's own convention. GeoJSON positions are
``[longitude, latitude]`` (longitude first, RFC 7946 section 3.1.1) and carry
no ``crs`` member; GPX uses ``lat`` and ``lon`` attributes and UTC times with a
trailing ``Z``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

GPX_NAMESPACE = "http://www.topografix.com/GPX/1/1"
GPX_SCHEMA = "http://www.topografix.com/GPX/1/1/gpx.xsd"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _position(point: Mapping[str, Any]) -> list[float]:
    """Return ``[lon, lat]`` of a depot or stop, checking the ranges."""
    lon, lat = float(point["lon"]), float(point["lat"])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(f"coordinates out of range: lat={lat!r}, lon={lon!r}")
    return [lon, lat]


def _point(position: list[float], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(position)},
        "properties": properties,
    }


def route_geojson(body: Mapping[str, Any]) -> dict[str, Any]:
    """Render one route as an RFC 7946 GeoJSON FeatureCollection.

    Parameters
    ----------
    body
        A route body as served by the API (see the module docstring).

    Returns
    -------
    dict
        A JSON-ready FeatureCollection with ``route_id`` and ``revision`` as
        foreign members. Its features are, in order: one LineString for the
        path start depot -> stops in sequence -> end depot (route properties);
        one Point per stop in sequence (stop properties); a Point for the
        start depot and one for the end depot (``role`` and ``depot_id``).
        All positions are ``[longitude, latitude]``.

    Raises
    ------
    KeyError
        If a required field is missing.
    ValueError
        If a coordinate is out of range.
    """
    start, end = body["start_depot"], body["end_depot"]
    stops = sorted(body["stops"], key=lambda s: s["sequence"])
    path = [_position(start), *(_position(s) for s in stops), _position(end)]
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": path},
            "properties": {
                "route_id": body["route_id"],
                "revision": body["revision"],
                "carrier": body["carrier"],
                "vehicle_id": body["vehicle_id"],
                "date": body["date"],
                "status": body["status"],
                "distance_m": body["distance_m"],
                "departure": body["departure"],
                "return": body["return"],
            },
        }
    ]
    for stop, position in zip(stops, path[1:-1]):
        pickup = stop.get("pickup_point")
        features.append(
            _point(
                position,
                {
                    "sequence": stop["sequence"],
                    "stop_id": stop["stop_id"],
                    "kind": stop["kind"],
                    "pickup_point": pickup["id"] if pickup else None,
                    "eta_earliest": stop.get("eta_earliest"),
                    "eta_latest": stop.get("eta_latest"),
                    "planned_arrival": stop.get("planned_arrival"),
                    "orders": list(stop.get("orders") or []),
                    "parcels": len(stop.get("parcels") or []),
                    "status": stop["status"],
                },
            )
        )
    for role, depot, position in (("start_depot", start, path[0]), ("end_depot", end, path[-1])):
        features.append(_point(position, {"role": role, "depot_id": depot["id"]}))
    return {
        "type": "FeatureCollection",
        "route_id": body["route_id"],
        "revision": body["revision"],
        "features": features,
    }


def _text(value: Any) -> str:
    """``str(value)`` without the characters XML 1.0 cannot represent."""
    return _NOT_XML.sub("", str(value))


def _decimal(value: float) -> str:
    """A coordinate as an ``xsd:decimal`` (never in exponent notation)."""
    return format(Decimal(repr(float(value))), "f")


def _parse_time(value: str, timezone: str | None) -> datetime:
    """Parse an ISO 8601 date-time; a naive one is read in ``timezone``."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        if not timezone:
            raise ValueError(f"date-time without offset and no route timezone: {value!r}")
        try:
            moment = moment.replace(tzinfo=ZoneInfo(timezone))
        except ZoneInfoNotFoundError as exc:
            raise ValueError(f"unknown timezone {timezone!r}") from exc
    return moment


def _utc(value: str, timezone: str | None) -> str:
    """An ISO 8601 date-time converted to UTC with a trailing ``Z``."""
    moment = _parse_time(value, timezone).astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def _clock(value: str | None, timezone: str | None) -> str:
    """Local ``HH:MM`` of an ISO date-time, ``?`` when absent."""
    if not value:
        return "?"
    return _parse_time(value, timezone).strftime("%H:%M")


def _stop_name(stop: Mapping[str, Any]) -> str:
    return f"{int(stop['sequence']):02d} {stop['stop_id']}"


def _gpx_point(
    parent: ET.Element, tag: str, point: Mapping[str, Any], name: str, time: str | None
) -> ET.Element:
    """Append a ``wptType`` element (children in the order the schema requires)."""
    lon, lat = _position(point)
    element = ET.SubElement(parent, tag, {"lat": _decimal(lat), "lon": _decimal(lon)})
    if time:
        ET.SubElement(element, "time").text = time
    ET.SubElement(element, "name").text = _text(name)
    return element


def route_gpx(body: Mapping[str, Any]) -> str:
    """Render one route as a GPX 1.1 document.

    Parameters
    ----------
    body
        A route body as served by the API (see the module docstring).

    Returns
    -------
    str
        The document, starting with an XML declaration (UTF-8). It holds
        ``<metadata>`` named after the route and vehicle; one ``<wpt>`` per
        stop in sequence, named ``"NN stop_id"`` (NN the two-digit sequence),
        with the ETA window and orders in ``<desc>`` and the planned arrival
        in UTC as ``<time>``; and one ``<rte>`` whose ``<rtept>`` are the start
        depot, the stops and the end depot.

    Raises
    ------
    KeyError
        If a required field is missing.
    ValueError
        If a coordinate is out of range or a date-time cannot be read.
    """
    timezone = body.get("timezone")
    stops = sorted(body["stops"], key=lambda s: s["sequence"])
    title = f"{body['route_id']} ({body['vehicle_id']})"
    root = ET.Element(
        "gpx",
        {
            "version": "1.1",
            "creator": "tournee",
            "xmlns": GPX_NAMESPACE,
            "xmlns:xsi": _XSI,
            "xsi:schemaLocation": f"{GPX_NAMESPACE} {GPX_SCHEMA}",
        },
    )
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "name").text = _text(title)
    arrivals = [
        _utc(s["planned_arrival"], timezone) if s.get("planned_arrival") else None for s in stops
    ]
    for stop, arrival in zip(stops, arrivals):
        wpt = _gpx_point(root, "wpt", stop, _stop_name(stop), arrival)
        window = (
            f"{_clock(stop.get('eta_earliest'), timezone)}"
            f"-{_clock(stop.get('eta_latest'), timezone)}"
        )
        orders = ", ".join(str(o) for o in stop.get("orders") or []) or "none"
        desc = f"ETA {window}; orders: {orders}"
        ET.SubElement(wpt, "desc").text = _text(desc)
    rte = ET.SubElement(root, "rte")
    ET.SubElement(rte, "name").text = _text(title)
    start, end = body["start_depot"], body["end_depot"]
    departure = _utc(body["departure"], timezone) if body.get("departure") else None
    _gpx_point(rte, "rtept", start, str(start["id"]), departure)
    for stop, arrival in zip(stops, arrivals):
        _gpx_point(rte, "rtept", stop, _stop_name(stop), arrival)
    back = _utc(body["return"], timezone) if body.get("return") else None
    _gpx_point(rte, "rtept", end, str(end["id"]), back)
    ET.indent(root)
    return _XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"
