"""Read a day's batch: a JSON batch file, or a CSV orders file with a JSON fleet file.

The formats are described in ``docs/batch-format.md``. User units (kilograms,
litres, euros, ``"HH:MM"`` clock times, minutes, hours) are converted here,
once, into the integer units of :mod:`optimizer.domain.units`; box and item
sides stay in millimetres (:mod:`optimizer.domain.packing`). Pickup points,
service zones and the box catalogue sit beside the depots and fleet, so a CSV
orders file uses those of its fleet file. Every problem with the input raises
:class:`~optimizer.formats.errors.InputError` located by file, row and field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar

from optimizer.domain.batch import Batch, BatchOptions, check_timezone
from optimizer.domain.delivery import (
    SIZE_CLASSES,
    DeliveryOption,
    OptionKind,
    PickupPoint,
    ServiceZone,
)
from optimizer.domain.fleet import Fleet, VehicleType
from optimizer.domain.geo import Location
from optimizer.domain.network import Depot
from optimizer.domain.orders import Order, Parcel
from optimizer.domain.packing import BoxType, Item
from optimizer.domain.time_window import TimeWindow
from optimizer.formats.errors import InputError

log = logging.getLogger(__name__)

FLEET_FILE = "fleet.json"
"""Name of the fleet file looked for next to a CSV orders file."""

MAX_CLOCK_HOURS = 47
"""Largest hour accepted in a clock time, so that windows may run past midnight."""

T = TypeVar("T")
D = TypeVar("D")
PathLike = str | os.PathLike[str]


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


Part = TypeVar("Part", bound=_Identified)


def read_batch(path: PathLike, fleet: PathLike | None = None) -> Batch:
    """Read a batch from a JSON batch file or a CSV orders file.

    Parameters
    ----------
    path
        A ``.json`` batch file (depots, fleet and orders), or a ``.csv``
        orders file.
    fleet
        For a CSV orders file: the JSON fleet file (a batch file without
        ``orders``). When omitted, ``fleet.json`` next to the CSV file is used.
        Not allowed with a JSON batch file.

    Returns
    -------
    Batch
        The batch in integer units.

    Raises
    ------
    InputError
        For any problem with either file, located by file, row and field.
    """
    file = os.fspath(path)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        if fleet is not None:
            raise InputError(file, "fleet= is for CSV orders files; a JSON batch holds its fleet")
        return _JsonReader(file).batch(_load_json(path, file), default_name=path.stem)
    if suffix == ".csv":
        text = _read_text(path, file)
        if fleet is None:
            fleet_path = path.with_name(FLEET_FILE)
            if not fleet_path.is_file():
                raise InputError(
                    file,
                    f"a CSV orders file needs a fleet file: pass one, or put {FLEET_FILE} "
                    "next to the CSV file",
                )
            fleet_file = os.fspath(fleet_path)
        else:
            fleet_path, fleet_file = Path(fleet), os.fspath(fleet)
        setup = _JsonReader(fleet_file).setup(_load_json(fleet_path, fleet_file), orders=False)
        orders = _CsvReader(file, setup.fleet, [p.id for p in setup.pickup_points]).orders(text)
        with _located(fleet_file, None):
            return setup.batch(setup.name or path.stem, orders)
    raise InputError(file, f"unsupported file type {path.suffix!r}: expected .json or .csv")


def parse_batch(data: object, file: str = "body", default_name: str = "batch") -> Batch:
    """Read a batch already parsed from JSON (for instance an HTTP request body).

    Parameters
    ----------
    data
        The JSON document: an object with depots, fleet and orders.
    file
        Name used in error messages.
    default_name
        Batch name when the document has none.

    Raises
    ------
    InputError
        Located by ``file``, the JSON path of the row and the key.
    """
    if not isinstance(data, dict):
        raise InputError(file, f"must hold a JSON object, got {_json_type(data)}")
    return _JsonReader(file).batch(data, default_name=default_name)


def parse_batch_csv(
    text: str,
    fleet: object,
    file: str = "orders.csv",
    fleet_file: str = "fleet.json",
    default_name: str = "batch",
) -> Batch:
    """Read a batch from CSV orders text and a parsed JSON fleet document.

    Raises
    ------
    InputError
        Located by file, row and field.
    """
    if not isinstance(fleet, dict):
        raise InputError(fleet_file, f"must hold a JSON object, got {_json_type(fleet)}")
    setup = _JsonReader(fleet_file).setup(fleet, orders=False)
    orders = _CsvReader(file, setup.fleet, [p.id for p in setup.pickup_points]).orders(text)
    with _located(fleet_file, None):
        return setup.batch(setup.name or default_name, orders)


def loads_json(text: str | bytes, file: str) -> dict[str, Any]:
    """Parse JSON text holding one object, refusing duplicate keys.

    Raises
    ------
    InputError
        For invalid JSON (with line and column), a duplicate key or a non-object.
    """
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InputError(file, f"invalid JSON: {exc.msg}", where) from None
    except UnicodeDecodeError:
        raise InputError(file, "is not UTF-8 text") from None
    except _DuplicateKey as exc:
        raise InputError(file, "key appears twice in one object", None, exc.key) from None
    if not isinstance(data, dict):
        raise InputError(file, f"must hold a JSON object, got {_json_type(data)}")
    return data


# ---------------------------------------------------------------------------
# Files


def _read_text(path: Path, file: str) -> str:
    """The file's text, or an ``InputError`` saying why it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(file, "file not found") from None
    except IsADirectoryError:
        raise InputError(file, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(file, f"cannot read file: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(file, f"not UTF-8 text (bad byte at offset {exc.start})") from None
    if not text.strip():
        raise InputError(file, "file is empty")
    return text


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _load_json(path: Path, file: str) -> dict[str, Any]:
    """Parse a JSON file holding one object."""
    return loads_json(_read_text(path, file), file)


# ---------------------------------------------------------------------------
# Values: converters raise ValueError; callers locate it.


@contextmanager
def _located(
    file: str, row: int | str | None, key: str | None = None, names: Mapping[str, str] = {}
) -> Iterator[None]:
    """Re-raise a ``ValueError`` from the block as an ``InputError`` at ``row``.

    Domain errors start with the domain field's name; ``names`` maps it to
    the file's column or key, which then replaces ``key``.
    """
    try:
        yield
    except InputError:
        raise
    except ValueError as exc:
        message = str(exc)
        head = re.match(r"[A-Za-z_]+", message)
        if head is not None and head.group() in names:
            key = names[head.group()]
        raise InputError(file, message, row, key) from exc


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"a string {value!r}"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _finite(value: Decimal, shown: object) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"must be a finite number, got {shown!r}")
    if value.adjusted() > 15:
        raise ValueError(f"is too large, got {shown!r}")
    return value


def _json_number(value: object) -> Decimal:
    """A JSON number as an exact decimal (floats via their shortest repr)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, got {_json_type(value)}")
    return _finite(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), value)


def _csv_number(text: str) -> Decimal:
    """A CSV cell as an exact decimal; ``nan`` and ``inf`` are refused."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"must be a number, got {text!r}") from None
    return _finite(value, text)


def _scaled(value: Decimal, factor: int, *, positive: bool = False) -> int:
    """``value * factor`` rounded half up to an integer, refusing negatives."""
    if value < 0:
        raise ValueError(f"must be >= 0, got {value}")
    result = int((value * factor).to_integral_value(rounding=ROUND_HALF_UP))
    if positive and result <= 0:
        raise ValueError(f"must be > 0, got {value}")
    return result


def _whole(value: Decimal, *, minimum: int = 0) -> int:
    """An integral decimal as an int, at least ``minimum``."""
    if value != value.to_integral_value():
        raise ValueError(f"must be a whole number, got {value}")
    if value < minimum:
        raise ValueError(f"must be >= {minimum}, got {value}")
    return int(value)


_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_clock(value: object) -> int:
    """``"HH:MM"`` or ``"HH:MM:SS"`` as seconds after midnight (hours up to 47).

    Raises
    ------
    ValueError
        When ``value`` is not such a string.
    """
    match = _CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is not None:
        hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
        if hours <= MAX_CLOCK_HOURS and minutes < 60 and seconds < 60:
            return hours * 3600 + minutes * 60 + seconds
    shown = repr(value) if isinstance(value, str) else _json_type(value)
    raise ValueError(
        f'must be a time "HH:MM" or "HH:MM:SS" with hours up to {MAX_CLOCK_HOURS}, got {shown}'
    )


_clock = parse_clock


def _date(value: object) -> dt.date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    shown = repr(value) if isinstance(value, str) else _json_type(value)
    raise ValueError(f'must be a date "YYYY-MM-DD", got {shown}')


def _json_text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty string, got {_json_type(value)}")
    return value.strip()


def _json_list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"must be a list, got {_json_type(value)}")
    return value


def _json_skills(value: object) -> frozenset[str]:
    items = _json_list(value)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"must be a list of non-empty strings, got {_json_type(item)}")
    return frozenset(s.strip() for s in items)


def _json_kg(value: object) -> int:
    return _scaled(_json_number(value), 1000)


_json_litres = _json_kg  # litres to cubic centimetres: the same factor 1000


def _json_euros(value: object) -> int:
    return _scaled(_json_number(value), 100)


def _json_count(value: object) -> int:
    return _whole(_json_number(value))


def _json_positive_count(value: object) -> int:
    return _whole(_json_number(value), minimum=1)


def _json_hours(value: object) -> int:
    """A duration: hours as a number, or ``"HH:MM"``; in seconds, > 0."""
    if isinstance(value, str):
        seconds = _clock(value)
        if seconds <= 0:
            raise ValueError(f"must be > 0, got {value!r}")
        return seconds
    return _scaled(_json_number(value), 3600, positive=True)


def _json_positive(value: object) -> int:
    """A quantity > 0 already in its integer unit (millimetres, metres, km/h), rounded."""
    return _scaled(_json_number(value), 1, positive=True)


def _json_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {_json_type(value)}")
    return value


def _size_class(value: object) -> str:
    """A locker size class ``"S"``, ``"M"`` or ``"L"``."""
    if isinstance(value, str) and value in SIZE_CLASSES:
        return value
    shown = repr(value) if isinstance(value, str) else _json_type(value)
    raise ValueError(f"must be a size class S, M or L, got {shown}")


def _option_kind(value: object) -> OptionKind:
    if isinstance(value, str) and value in {k.value for k in OptionKind}:
        return OptionKind(value)
    shown = repr(value) if isinstance(value, str) else _json_type(value)
    kinds = ", ".join(k.value for k in OptionKind)
    raise ValueError(f"must be one of {kinds}, got {shown}")


POINT_KINDS = ("shop", "locker")
"""Values of a pickup point's informative ``kind`` key."""


def _point_kind(value: object) -> str:
    if isinstance(value, str) and value in POINT_KINDS:
        return value
    shown = repr(value) if isinstance(value, str) else _json_type(value)
    raise ValueError(f"must be shop or locker, got {shown}")


def _json_ring(value: object) -> tuple[tuple[float, float], ...]:
    """A zone's outer ring: ``[[lon, lat], ...]`` or a GeoJSON Polygon geometry."""
    if isinstance(value, dict):
        if value.get("type") != "Polygon":
            shown = value.get("type")
            raise ValueError(
                f'a GeoJSON geometry must have "type": "Polygon", got {shown!r}'
                if shown is not None
                else 'a GeoJSON geometry needs "type": "Polygon"'
            )
        unknown = sorted(set(value) - {"type", "coordinates", "bbox"})
        if unknown:
            raise ValueError(f"unknown GeoJSON key {unknown[0]!r}; expected type, coordinates")
        rings = value.get("coordinates")
        if not isinstance(rings, list) or not rings:
            raise ValueError("GeoJSON coordinates must be a list holding the outer ring")
        if len(rings) > 1:
            raise ValueError("polygons with holes are not supported: give the outer ring only")
        value = rings[0]
    if not isinstance(value, list):
        raise ValueError(
            f"must be a list of [lon, lat] pairs or a GeoJSON Polygon, got {_json_type(value)}"
        )
    ring: list[tuple[float, float]] = []
    for k, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError(f"polygon[{k}] must be a [lon, lat] pair, got {_json_type(pair)}")
        try:
            lon, lat = (float(_json_number(c)) for c in pair)
        except ValueError as exc:
            raise ValueError(f"polygon[{k}]: {exc}") from None
        ring.append((lon, lat))
    return tuple(ring)


def _check_simple(ring: Sequence[tuple[float, float]]) -> None:
    """Raise ``ValueError`` unless ``ring`` bounds a valid polygon (no crossing edges)."""
    from shapely import Polygon
    from shapely.validation import explain_validity

    shape = Polygon(ring)
    if not shape.is_valid:
        raise ValueError(f"polygon is not a valid ring: {explain_validity(shape)}")
    if shape.area < _MIN_ZONE_AREA:
        raise ValueError("polygon encloses no area: its vertices are in a line")


_MIN_ZONE_AREA = 1e-12
"""Smallest zone area in square degrees (about 0.01 m2): less is a degenerate ring."""


def _check_known(what: str, key: str, value: str, known: Sequence[str]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``known`` (the batch's ``key`` list)."""
    if value not in known:
        listed = f"{what}s are {', '.join(known)}" if known else f"the batch has no {key}"
        raise ValueError(f"unknown {what} {value!r}; {listed}")


def _duplicate_option(options: Sequence[DeliveryOption]) -> tuple[int, int] | None:
    """Indexes ``(later, first)`` of two options for the same place, or ``None``."""
    first: dict[tuple[OptionKind, str | None], int] = {}
    for k, option in enumerate(options):
        key = (option.kind, option.pickup_point)
        if key in first:
            return k, first[key]
        first[key] = k
    return None


def _item_misfit(item: Item, boxes: Sequence[BoxType]) -> tuple[str | None, str] | None:
    """Why ``item`` fits no box of ``boxes`` (key at fault and message), or ``None``."""
    if item.ships_alone or not boxes:
        return None
    hint = "; flag it ships_alone to ship it in its own packaging"
    heaviest = max(b.max_weight for b in boxes)
    if item.weight > heaviest:
        return "weight_kg", (
            f"item {item.id!r} weighs {_kg(item.weight)}, more than any box takes "
            f"({_kg(heaviest)}){hint}"
        )
    if not any(
        item.weight <= b.max_weight
        and any(x <= b.length and y <= b.width and z <= b.height for x, y, z in item.rotations())
        for b in boxes
    ):
        size = f"{item.length} x {item.width} x {item.height} mm"
        return None, f"item {item.id!r} ({size}) fits in no box type{hint}"
    return None


def _kg(grams: int) -> str:
    return f"{grams / 1000:g} kg"


def _litres(cm3: int) -> str:
    return f"{cm3 / 1000:g} l"


def _parcel_misfit(parcel: Parcel, fleet: Fleet) -> tuple[str, str] | None:
    """Why ``parcel`` fits in no vehicle type of ``fleet``, or ``None``.

    Returns the quantity at fault (``"weight"`` or ``"volume"``) and a message.
    A fleet without vehicles is not checked: planning reports that.
    """
    types = [vt for vt in fleet.types if vt.count > 0]
    if not types:
        return None
    max_weight = max(vt.capacity_weight for vt in types)
    max_volume = max(vt.capacity_volume for vt in types)
    if parcel.weight > max_weight:
        return "weight", (
            f"parcel {parcel.id!r} weighs {_kg(parcel.weight)}, more than any vehicle "
            f"carries ({_kg(max_weight)})"
        )
    if parcel.volume > max_volume:
        return "volume", (
            f"parcel {parcel.id!r} takes {_litres(parcel.volume)}, more than any vehicle "
            f"holds ({_litres(max_volume)})"
        )
    if not any(
        parcel.weight <= vt.capacity_weight and parcel.volume <= vt.capacity_volume for vt in types
    ):
        return "weight", (
            f"parcel {parcel.id!r} ({_kg(parcel.weight)}, {_litres(parcel.volume)}) fits "
            "no vehicle type by both weight and volume"
        )
    return None


# Domain field names to the file's keys, for re-raised domain errors.
_ORDER_KEYS = {
    "id": "id",
    "customer": "customer",
    "parcels": "parcels",
    "time_windows": "time_windows",
    "service_time": "service_time_s",
    "penalty": "penalty",
    "skills": "skills",
    "vehicle_types": "vehicle_types",
    "release_time": "release_time",
    "lat": "lat",
    "lon": "lon",
    "options": "delivery_options",
    "items": "items",
}
_VEHICLE_KEYS = {
    "id": "id",
    "count": "count",
    "start_depot": "start_depot",
    "end_depot": "end_depot",
    "fixed_cost": "fixed_cost",
    "cost_per_km": "cost_per_km",
    "cost_per_hour": "cost_per_hour",
    "max_duration": "max_duration_h",
    "max_stops": "max_stops",
    "speed_kmh": "speed_kmh",
    "co2_per_km": "co2_g_per_km",
    "skills": "skills",
    "zones": "zones",
    "carrier": "carrier",
}
_OPTIONS_KEYS = {
    "detour_factor": "detour_factor",
    "time_limit": "time_limit_s",
    "seed": "seed",
    "min_first_choice_pct": "min_first_choice_pct",
    "rank_cost": "rank_cost",
    "assignment": "assignment",
    "consolidate": "consolidate",
    "co2_price": "co2_price_eur_per_t",
}
_POINT_KEYS = {
    "id": "id",
    "opening": "opening",
    "capacity": "capacity_parcels",
    "compartments": "compartments",
    "occupied": "occupied",
    "stop_time": "stop_time_s",
    "parcel_time": "parcel_time_s",
    "max_parcel_weight": "max_parcel_weight_kg",
}
_ZONE_KEYS = {
    "id": "id",
    "polygon": "polygon",
    "vehicle_types": "vehicle_types",
    "depots": "depots",
}
_BOX_KEYS = {
    "id": "id",
    "length": "length_mm",
    "width": "width_mm",
    "height": "height_mm",
    "max_weight": "max_weight_kg",
    "cost": "cost",
    "size_class": "size_class",
    "tare": "tare_kg",
}
_ITEM_KEYS = {
    "id": "id",
    "length": "length_mm",
    "width": "width_mm",
    "height": "height_mm",
    "weight": "weight_kg",
    "quantity": "quantity",
    "upright": "upright",
    "ships_alone": "ships_alone",
}
_DELIVERY_OPTION_KEYS = {
    "kind": "type",
    "rank": "rank",
    "cost": "cost",
    "pickup_point": "pickup_point",
    "max_walk": "max_walk_m",
}
_WINDOW_KEYS = {"start": "start", "end": "end"}
_LOCATION_KEYS = {"lat": "lat", "lon": "lon"}


# ---------------------------------------------------------------------------
# JSON


@dataclass(frozen=True, slots=True)
class _Setup:
    """Everything in a batch file but its orders."""

    name: str | None
    date: dt.date
    timezone: str
    options: BatchOptions
    depots: tuple[Depot, ...]
    fleet: Fleet
    pickup_points: tuple[PickupPoint, ...] = ()
    zones: tuple[ServiceZone, ...] = ()
    boxes: tuple[BoxType, ...] = ()

    def batch(self, name: str, orders: Sequence[Order]) -> Batch:
        """The batch of these orders (raises ``ValueError`` from the domain)."""
        return Batch(
            name=name,
            date=self.date,
            timezone=self.timezone,
            orders=tuple(orders),
            depots=self.depots,
            fleet=self.fleet,
            options=self.options,
            pickup_points=self.pickup_points,
            zones=self.zones,
            boxes=self.boxes,
        )


_TOP_KEYS = ("date", "timezone", "depots", "vehicle_types")
_TOP_OPTIONAL = ("name", "options", "pickup_points", "zones", "boxes")


class _JsonReader:
    """Reads the JSON batch format; rows are JSON paths such as ``orders[3]``."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, message: str, row: str | None = None, key: str | None = None) -> NoReturn:
        raise InputError(self.file, message, row, key)

    def at(
        self, row: str | None, key: str | None = None, names: Mapping[str, str] = {}
    ) -> AbstractContextManager[None]:
        return _located(self.file, row, key, names)

    def mapping(self, value: object, row: str | None, key: str | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(f"must be an object, got {_json_type(value)}", row, key)
        return value

    def keys(
        self,
        obj: Mapping[str, Any],
        row: str | None,
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> None:
        """Refuse missing required keys and unknown keys (``note`` is always allowed)."""
        for key in required:
            if key not in obj:
                self.fail("missing key", row, key)
        allowed = {*required, *optional, "note"}
        for key in obj:
            if key not in allowed:
                self.fail(f"unknown key; expected one of {', '.join(sorted(allowed))}", row, key)

    def req(
        self, obj: Mapping[str, Any], row: str | None, key: str, convert: Callable[[Any], T]
    ) -> T:
        if key not in obj:
            self.fail("missing key", row, key)
        with self.at(row, key):
            return convert(obj[key])

    def opt(
        self,
        obj: Mapping[str, Any],
        row: str | None,
        key: str,
        convert: Callable[[Any], T],
        default: D,
    ) -> T | D:
        """The converted value, or ``default`` when the key is absent or null."""
        if obj.get(key) is None:
            return default
        with self.at(row, key):
            return convert(obj[key])

    def items(
        self, obj: Mapping[str, Any], row: str | None, key: str, what: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """The objects of a non-empty list, each with its path."""
        values = self.req(obj, row, key, _json_list)
        if not values:
            self.fail(f"must hold at least one {what}", row, key)
        prefix = f"{row}.{key}" if row else key
        return [(f"{prefix}[{k}]", self.mapping(v, f"{prefix}[{k}]")) for k, v in enumerate(values)]

    def optional_items(
        self, obj: Mapping[str, Any], row: str | None, key: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """The objects of an optional list (absent, null or empty: none), each with its path."""
        if obj.get(key) is None:
            return []
        values = self.req(obj, row, key, _json_list)
        prefix = f"{row}.{key}" if row else key
        return [(f"{prefix}[{k}]", self.mapping(v, f"{prefix}[{k}]")) for k, v in enumerate(values)]

    def unique(self, parts: Sequence[tuple[str, Part]], what: str) -> tuple[Part, ...]:
        """The parts, refusing a repeated id at the later one's path."""
        first: dict[str, str] = {}
        for row, part in parts:
            if part.id in first:
                self.fail(f"duplicate {what} id {part.id!r} (first at {first[part.id]})", row, "id")
            first[part.id] = row
        return tuple(part for _, part in parts)

    # -- whole files ---------------------------------------------------------

    def batch(self, data: Mapping[str, Any], default_name: str) -> Batch:
        """A whole batch file."""
        setup = self.setup(data, orders=True)
        orders: list[Order] = []
        first: dict[str, str] = {}
        for row, obj in self.items(data, None, "orders", "order"):
            order = self.order(obj, row, setup)
            if order.id in first:
                self.fail(
                    f"duplicate order id {order.id!r} (first at {first[order.id]})", row, "id"
                )
            first[order.id] = row
            orders.append(order)
        with self.at(None):
            return setup.batch(setup.name or default_name, orders)

    def setup(self, data: Mapping[str, Any], orders: bool) -> _Setup:
        """The top level of a batch file (``orders=True``) or of a fleet file."""
        if not orders and "orders" in data:
            self.fail(
                "a fleet file holds no orders: put them in the CSV orders file", None, "orders"
            )
        required = (*_TOP_KEYS, "orders") if orders else _TOP_KEYS
        self.keys(data, None, required, _TOP_OPTIONAL)
        name = self.opt(data, None, "name", _json_text, None)
        date = self.req(data, None, "date", _date)
        timezone = self.req(data, None, "timezone", _json_text)
        with self.at(None, "timezone"):
            check_timezone("timezone", timezone)
        options = self.options(data)
        depots = self.depots(data)
        depot_ids = [d.id for d in depots]
        zone_rows = [
            (row, self.zone(obj, row, depot_ids))
            for row, obj in self.optional_items(data, None, "zones")
        ]
        zones = self.unique(zone_rows, "zone")
        fleet = self.fleet(data, set(depot_ids), [z.id for z in zones])
        for row, zone in zone_rows:
            self.vehicle_types(zone.vehicle_types, fleet, row)
        pickup_points = self.unique(
            [
                (row, self.pickup_point(obj, row))
                for row, obj in self.optional_items(data, None, "pickup_points")
            ],
            "pickup point",
        )
        boxes = self.unique(
            [(row, self.box(obj, row)) for row, obj in self.optional_items(data, None, "boxes")],
            "box",
        )
        return _Setup(name, date, timezone, options, depots, fleet, pickup_points, zones, boxes)

    # -- parts ---------------------------------------------------------------

    def options(self, data: Mapping[str, Any]) -> BatchOptions:
        if data.get("options") is None:
            return BatchOptions()
        obj = self.mapping(data["options"], None, "options")
        row = "options"
        self.keys(obj, row, (), tuple(_OPTIONS_KEYS.values()))
        defaults = BatchOptions()
        detour = self.opt(obj, row, "detour_factor", _json_number, None)
        with self.at(row, names=_OPTIONS_KEYS):
            return BatchOptions(
                detour_factor=defaults.detour_factor if detour is None else float(detour),
                time_limit=self.opt(
                    obj, row, "time_limit_s", _json_positive_count, defaults.time_limit
                ),
                seed=self.opt(obj, row, "seed", _json_count, defaults.seed),
                min_first_choice_pct=self.opt(
                    obj, row, "min_first_choice_pct", _json_count, defaults.min_first_choice_pct
                ),
                rank_cost=self.opt(obj, row, "rank_cost", _json_euros, defaults.rank_cost),
                assignment=self.opt(obj, row, "assignment", _json_text, defaults.assignment),
                consolidate=self.opt(obj, row, "consolidate", _json_bool, defaults.consolidate),
                co2_price=self.opt(
                    obj, row, "co2_price_eur_per_t", _json_euros, defaults.co2_price
                ),
            )

    def location(self, obj: Mapping[str, Any], row: str) -> Location:
        lat = self.req(obj, row, "lat", _json_number)
        lon = self.req(obj, row, "lon", _json_number)
        with self.at(row, names=_LOCATION_KEYS):
            return Location(float(lat), float(lon))

    def window(self, value: object, row: str | None, key: str | None = None) -> TimeWindow:
        """A ``{start, end}`` object; ``key`` locates it when it is not a list item."""
        obj = self.mapping(value, row, key)
        inner = f"{row}.{key}" if row and key else key or row
        self.keys(obj, inner, ("start", "end"))
        start = self.req(obj, inner, "start", _clock)
        end = self.req(obj, inner, "end", _clock)
        with self.at(inner, names=_WINDOW_KEYS):
            return TimeWindow(start, end)

    def depots(self, data: Mapping[str, Any]) -> tuple[Depot, ...]:
        depots: list[Depot] = []
        first: dict[str, str] = {}
        for row, obj in self.items(data, None, "depots", "depot"):
            self.keys(obj, row, ("id", "lat", "lon", "opening"))
            depot_id = self.req(obj, row, "id", _json_text)
            if depot_id in first:
                self.fail(
                    f"duplicate depot id {depot_id!r} (first at {first[depot_id]})", row, "id"
                )
            first[depot_id] = row
            location = self.location(obj, row)
            opening = self.window(obj["opening"], row, "opening")
            with self.at(row, names={"id": "id"}):
                depots.append(Depot(depot_id, location, opening))
        return tuple(depots)

    def fleet(self, data: Mapping[str, Any], depot_ids: set[str], zone_ids: list[str]) -> Fleet:
        types: list[VehicleType] = []
        first: dict[str, str] = {}
        values = self.req(data, None, "vehicle_types", _json_list)
        for k, value in enumerate(values):
            row = f"vehicle_types[{k}]"
            vt = self.vehicle_type(self.mapping(value, row), row, depot_ids, zone_ids)
            if vt.id in first:
                self.fail(
                    f"duplicate vehicle type id {vt.id!r} (first at {first[vt.id]})", row, "id"
                )
            first[vt.id] = row
            types.append(vt)
        with self.at(None, "vehicle_types"):
            return Fleet(tuple(types))

    def vehicle_type(
        self, obj: Mapping[str, Any], row: str, depot_ids: set[str], zone_ids: list[str]
    ) -> VehicleType:
        self.keys(
            obj,
            row,
            ("id", "count", "capacity", "start_depot", "shift"),
            (
                "end_depot",
                "fixed_cost",
                "cost_per_km",
                "cost_per_hour",
                "max_duration_h",
                "max_stops",
                "speed_kmh",
                "co2_g_per_km",
                "skills",
                "zones",
                "carrier",
            ),
        )
        type_id = self.req(obj, row, "id", _json_text)
        capacity = self.mapping(obj["capacity"], row, "capacity")
        cap_row = f"{row}.capacity"
        self.keys(capacity, cap_row, ("weight_kg", "volume_l", "parcels"))
        start_depot = self.req(obj, row, "start_depot", _json_text)
        end_depot = self.opt(obj, row, "end_depot", _json_text, start_depot)
        for key, depot_id in (("start_depot", start_depot), ("end_depot", end_depot)):
            if depot_id not in depot_ids:
                known = ", ".join(sorted(depot_ids))
                self.fail(f"unknown depot {depot_id!r}; depots are {known}", row, key)
        zones = self.opt(obj, row, "zones", _json_skills, frozenset())
        for zone_id in sorted(zones):
            with self.at(row, "zones"):
                _check_known("zone", "zones", zone_id, zone_ids)
        with self.at(row, names=_VEHICLE_KEYS):
            return VehicleType(
                id=type_id,
                count=self.req(obj, row, "count", _json_count),
                capacity_weight=self.req(capacity, cap_row, "weight_kg", _json_kg),
                capacity_volume=self.req(capacity, cap_row, "volume_l", _json_litres),
                capacity_parcels=self.req(capacity, cap_row, "parcels", _json_count),
                start_depot=start_depot,
                end_depot=end_depot,
                shift=self.window(obj["shift"], row, "shift"),
                fixed_cost=self.opt(obj, row, "fixed_cost", _json_euros, 0),
                cost_per_km=self.opt(obj, row, "cost_per_km", _json_euros, 0),
                cost_per_hour=self.opt(obj, row, "cost_per_hour", _json_euros, 0),
                max_duration=self.opt(obj, row, "max_duration_h", _json_hours, None),
                max_stops=self.opt(obj, row, "max_stops", _json_positive_count, None),
                speed_kmh=self.opt(obj, row, "speed_kmh", _json_positive, 30),
                co2_per_km=self.opt(
                    obj, row, "co2_g_per_km", lambda v: _scaled(_json_number(v), 1), 0
                ),
                skills=self.opt(obj, row, "skills", _json_skills, frozenset()),
                zones=zones,
                carrier=self.opt(obj, row, "carrier", _json_text, None),
            )

    def zone(self, obj: Mapping[str, Any], row: str, depot_ids: list[str]) -> ServiceZone:
        """A service zone; its vehicle types are checked once the fleet is read."""
        self.keys(obj, row, ("id", "polygon"), ("vehicle_types", "depots"))
        zone_id = self.req(obj, row, "id", _json_text)
        ring = self.req(obj, row, "polygon", _json_ring)
        depots = self.opt(obj, row, "depots", _json_skills, frozenset())
        for depot_id in sorted(depots):
            with self.at(row, "depots"):
                _check_known("depot", "depots", depot_id, depot_ids)
        with self.at(row, names=_ZONE_KEYS):
            zone = ServiceZone(
                id=zone_id,
                polygon=ring,
                vehicle_types=self.opt(obj, row, "vehicle_types", _json_skills, frozenset()),
                depots=depots,
            )
        with self.at(row, "polygon"):
            _check_simple(zone.polygon)
        return zone

    def pickup_point(self, obj: Mapping[str, Any], row: str) -> PickupPoint:
        self.keys(
            obj,
            row,
            ("id", "lat", "lon", "opening"),
            (
                "kind",
                "capacity_parcels",
                "compartments",
                "occupied",
                "stop_time_s",
                "stop_min",
                "parcel_time_s",
                "max_parcel_weight_kg",
            ),
        )
        point_id = self.req(obj, row, "id", _json_text)
        location = self.location(obj, row)
        opening = self.windows(obj, row, "opening")
        compartments = self.size_counts(obj, row, "compartments")
        kind = self.opt(obj, row, "kind", _point_kind, None)
        if kind == "locker" and not compartments:
            self.fail("a locker needs compartments", row, "kind")
        if kind == "shop" and compartments:
            self.fail(
                "a shop has no compartments: give kind locker, or no compartments", row, "kind"
            )
        if "stop_time_s" in obj and "stop_min" in obj:
            self.fail("give stop_time_s or stop_min, not both", row, "stop_min")
        stop = self.opt(
            obj,
            row,
            "stop_min",
            lambda v: _scaled(_json_number(v), 60),
            self.opt(obj, row, "stop_time_s", lambda v: _scaled(_json_number(v), 1), 0),
        )
        with self.at(row, names=_POINT_KEYS):
            return PickupPoint(
                id=point_id,
                location=location,
                opening=opening,
                capacity=self.opt(obj, row, "capacity_parcels", _json_count, None),
                compartments=compartments,
                occupied=self.size_counts(obj, row, "occupied"),
                stop_time=stop,
                parcel_time=self.opt(
                    obj, row, "parcel_time_s", lambda v: _scaled(_json_number(v), 1), 0
                ),
                max_parcel_weight=self.opt(
                    obj,
                    row,
                    "max_parcel_weight_kg",
                    lambda v: _scaled(_json_number(v), 1000, positive=True),
                    None,
                ),
            )

    def windows(self, obj: Mapping[str, Any], row: str, key: str) -> tuple[TimeWindow, ...]:
        """One ``{start, end}`` object or a non-empty list of them."""
        value = obj[key]
        if not isinstance(value, list):
            return (self.window(value, row, key),)
        if not value:
            self.fail("must hold at least one window", row, key)
        return tuple(self.window(w, f"{row}.{key}[{k}]") for k, w in enumerate(value))

    def size_counts(self, obj: Mapping[str, Any], row: str, key: str) -> dict[str, int]:
        """An optional ``{"S": n, "M": n, "L": n}`` object (absent: empty)."""
        if obj.get(key) is None:
            return {}
        counts = self.mapping(obj[key], row, key)
        inner = f"{row}.{key}"
        out: dict[str, int] = {}
        for size in counts:
            if size == "note":
                continue
            if size not in SIZE_CLASSES:
                self.fail("unknown size class; expected S, M or L", inner, size)
            out[size] = self.req(counts, inner, size, _json_count)
        return out

    def box(self, obj: Mapping[str, Any], row: str) -> BoxType:
        self.keys(
            obj,
            row,
            ("id", "length_mm", "width_mm", "height_mm", "max_weight_kg", "cost"),
            ("size_class", "tare_kg"),
        )
        with self.at(row, names=_BOX_KEYS):
            return BoxType(
                id=self.req(obj, row, "id", _json_text),
                length=self.req(obj, row, "length_mm", _json_positive),
                width=self.req(obj, row, "width_mm", _json_positive),
                height=self.req(obj, row, "height_mm", _json_positive),
                max_weight=self.req(obj, row, "max_weight_kg", _json_kg),
                cost=self.req(obj, row, "cost", _json_euros),
                size_class=self.opt(obj, row, "size_class", _size_class, None),
                tare=self.opt(obj, row, "tare_kg", _json_kg, 0),
            )

    def order(self, obj: Mapping[str, Any], row: str, setup: _Setup) -> Order:
        self.keys(
            obj,
            row,
            ("id", "lat", "lon", "time_windows"),
            (
                "customer",
                "parcels",
                "items",
                "service_time_s",
                "service_min",
                "penalty",
                "skills",
                "vehicle_types",
                "release_time",
                "delivery_options",
            ),
        )
        order_id = self.req(obj, row, "id", _json_text)
        location = self.location(obj, row)
        fleet = setup.fleet
        items = self.order_items(obj, row, order_id, setup.boxes)
        if obj.get("parcels") is None and not items:
            self.fail("missing key: an order needs parcels or items", row, "parcels")
        parcel_rows = (
            []
            if items and obj.get("parcels") in (None, [])
            else self.items(obj, row, "parcels", "parcel")
        )
        parcels: list[Parcel] = []
        for prow, pobj in parcel_rows:
            parcel = self.parcel(pobj, prow, f"{order_id}-{len(parcels) + 1}")
            misfit = _parcel_misfit(parcel, fleet)
            if misfit is not None:
                self.fail(misfit[1], prow, "weight_kg" if misfit[0] == "weight" else "volume_l")
            parcels.append(parcel)
        windows = self.req(obj, row, "time_windows", _json_list)
        if not windows:
            self.fail("must hold at least one window", row, "time_windows")
        if "service_time_s" in obj and "service_min" in obj:
            self.fail("give service_time_s or service_min, not both", row, "service_min")
        service = self.opt(
            obj,
            row,
            "service_min",
            lambda v: _scaled(_json_number(v), 60),
            self.opt(obj, row, "service_time_s", lambda v: _scaled(_json_number(v), 1), 0),
        )
        with self.at(row, names=_ORDER_KEYS):
            return Order(
                id=order_id,
                customer=self.opt(obj, row, "customer", _json_text, order_id),
                location=location,
                parcels=tuple(parcels),
                time_windows=tuple(
                    self.window(w, f"{row}.time_windows[{k}]") for k, w in enumerate(windows)
                ),
                service_time=service,
                penalty=self.opt(obj, row, "penalty", _json_euros, None),
                skills=self.opt(obj, row, "skills", _json_skills, frozenset()),
                vehicle_types=self.vehicle_types(
                    self.opt(obj, row, "vehicle_types", _json_skills, frozenset()), fleet, row
                ),
                release_time=self.opt(obj, row, "release_time", _clock, 0),
                options=self.delivery_options(obj, row, [p.id for p in setup.pickup_points]),
                items=items,
            )

    def order_items(
        self, obj: Mapping[str, Any], row: str, order_id: str, boxes: Sequence[BoxType]
    ) -> tuple[Item, ...]:
        """The order's items to pack (absent: none); they need the batch's boxes."""
        if obj.get("items") is None:
            return ()
        if not boxes:
            self.fail(
                "items need a box catalogue: add a top-level boxes list "
                "(in the fleet file for a CSV batch)",
                row,
                "items",
            )
        parts: list[tuple[str, Item]] = []
        for irow, iobj in self.items(obj, row, "items", "item"):
            item = self.item(iobj, irow, f"{order_id}-item{len(parts) + 1}")
            misfit = _item_misfit(item, boxes)
            if misfit is not None:
                self.fail(misfit[1], irow, misfit[0])
            parts.append((irow, item))
        return self.unique(parts, "item")

    def item(self, obj: Mapping[str, Any], row: str, default_id: str) -> Item:
        self.keys(
            obj,
            row,
            ("length_mm", "width_mm", "height_mm", "weight_kg"),
            ("id", "quantity", "upright", "ships_alone"),
        )
        with self.at(row, names=_ITEM_KEYS):
            return Item(
                id=self.opt(obj, row, "id", _json_text, default_id),
                length=self.req(obj, row, "length_mm", _json_positive),
                width=self.req(obj, row, "width_mm", _json_positive),
                height=self.req(obj, row, "height_mm", _json_positive),
                weight=self.req(obj, row, "weight_kg", _json_kg),
                quantity=self.opt(obj, row, "quantity", _json_positive_count, 1),
                upright=self.opt(obj, row, "upright", _json_bool, False),
                ships_alone=self.opt(obj, row, "ships_alone", _json_bool, False),
            )

    def delivery_options(
        self, obj: Mapping[str, Any], row: str, point_ids: list[str]
    ) -> tuple[DeliveryOption, ...]:
        """The options the order accepts, in preference order (absent: home only)."""
        if obj.get("delivery_options") is None:
            return ()
        rows = self.items(obj, row, "delivery_options", "delivery option")
        options = [self.delivery_option(o, orow, k, point_ids) for k, (orow, o) in enumerate(rows)]
        duplicate = _duplicate_option(options)
        if duplicate is not None:
            later, first = duplicate
            self.fail(f"the same delivery option as {rows[first][0]}", rows[later][0], "type")
        return tuple(options)

    def delivery_option(
        self, obj: Mapping[str, Any], row: str, position: int, point_ids: list[str]
    ) -> DeliveryOption:
        """One option; ``rank`` defaults to its ``position`` in the list."""
        self.keys(obj, row, ("type",), ("rank", "cost", "pickup_point", "max_walk_m"))
        kind = self.req(obj, row, "type", _option_kind)
        point = self.opt(obj, row, "pickup_point", _json_text, None)
        walk = self.opt(obj, row, "max_walk_m", _json_positive, None)
        if kind is OptionKind.PICKUP_POINT:
            if point is None:
                self.fail(
                    "missing key: a pickup_point option names its pickup point", row, "pickup_point"
                )
            with self.at(row, "pickup_point"):
                _check_known("pickup point", "pickup_points", point, point_ids)
        elif point is not None:
            self.fail(
                f"only a pickup_point option names a pickup point, not {kind}", row, "pickup_point"
            )
        if kind is OptionKind.ANY_PICKUP_POINT:
            if walk is None:
                self.fail(
                    "missing key: an any_pickup_point option needs a walking limit",
                    row,
                    "max_walk_m",
                )
        elif walk is not None:
            self.fail(
                f"max_walk_m is only for an any_pickup_point option, not {kind}", row, "max_walk_m"
            )
        with self.at(row, names=_DELIVERY_OPTION_KEYS):
            return DeliveryOption(
                kind=kind,
                rank=self.opt(obj, row, "rank", _json_count, position),
                cost=self.opt(obj, row, "cost", _json_euros, 0),
                pickup_point=point,
                max_walk=walk,
            )

    def vehicle_types(self, names: frozenset[str], fleet: Fleet, row: str) -> frozenset[str]:
        """Refuse vehicle type ids the fleet does not have."""
        unknown = sorted(names - {vt.id for vt in fleet.types})
        if unknown:
            known = ", ".join(vt.id for vt in fleet.types)
            self.fail(
                f"unknown vehicle type {unknown[0]!r}; vehicle types are {known}",
                row,
                "vehicle_types",
            )
        return names

    def parcel(self, obj: Mapping[str, Any], row: str, default_id: str) -> Parcel:
        self.keys(obj, row, ("weight_kg", "volume_l"), ("id", "size"))
        names = {"id": "id", "weight": "weight_kg", "volume": "volume_l", "size": "size"}
        with self.at(row, names=names):
            return Parcel(
                id=self.opt(obj, row, "id", _json_text, default_id),
                weight=self.req(obj, row, "weight_kg", _json_kg),
                volume=self.req(obj, row, "volume_l", _json_litres),
                size=self.opt(obj, row, "size", _size_class, None),
            )


# ---------------------------------------------------------------------------
# CSV

CSV_REQUIRED = ("order_id", "lat", "lon", "weight_kg", "volume_l", "tw_start", "tw_end")
"""Columns a CSV orders file must have."""

CSV_OPTIONAL = (
    "customer",
    "parcels",
    "parcel_id",
    "tw2_start",
    "tw2_end",
    "service_min",
    "penalty",
    "skills",
    "vehicle_types",
    "release_time",
    "delivery_options",
    "max_walk_m",
    "note",
)
"""Columns a CSV orders file may have; ``note`` is ignored."""

_CSV_ORDER_LEVEL = (
    "customer",
    "lat",
    "lon",
    "tw_start",
    "tw_end",
    "tw2_start",
    "tw2_end",
    "service_min",
    "penalty",
    "skills",
    "vehicle_types",
    "release_time",
    "delivery_options",
    "max_walk_m",
)
"""Columns that must agree across the rows of one order in one-row-per-parcel files."""

_CSV_ORDER_NAMES = {
    "id": "order_id",
    "customer": "customer",
    "parcels": "parcel_id",
    "time_windows": "tw_start",
    "service_time": "service_min",
    "penalty": "penalty",
    "skills": "skills",
    "options": "delivery_options",
}

_CSV_OPTION_FORM = "home, pp:<pickup point id> or any, each optionally with @<euros>"


def _csv_option_specs(
    text: str, point_ids: Sequence[str]
) -> list[tuple[OptionKind, str | None, int]]:
    """``(kind, pickup point, cost)`` of each entry of a ``delivery_options`` cell.

    Entries are separated by semicolons, first choice first; empty entries
    are skipped.

    Raises
    ------
    ValueError
        For an entry that is not ``home``, ``pp:<id>`` or ``any`` with an
        optional ``@<euros>`` suffix, or that names an unknown pickup point.
    """
    specs: list[tuple[OptionKind, str | None, int]] = []
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        where, at, price = entry.partition("@")
        where = where.strip()
        try:
            cost = _scaled(_csv_number(price), 100) if at else 0
        except ValueError as exc:
            raise ValueError(f"option {entry!r}: cost {exc}") from None
        keyword, colon, point = where.partition(":")
        keyword = keyword.strip().lower()
        if keyword == "home" and not colon:
            specs.append((OptionKind.HOME, None, cost))
        elif keyword == "any" and not colon:
            specs.append((OptionKind.ANY_PICKUP_POINT, None, cost))
        elif keyword == "pp" and colon and point.strip():
            try:
                _check_known("pickup point", "pickup_points", point.strip(), point_ids)
            except ValueError as exc:
                raise ValueError(f"option {entry!r}: {exc}") from None
            specs.append((OptionKind.PICKUP_POINT, point.strip(), cost))
        else:
            raise ValueError(f"option {entry!r} must be {_CSV_OPTION_FORM}")
    return specs


@dataclass(slots=True)
class _CsvOrder:
    """One order being gathered from its rows."""

    line: int
    values: dict[str, Any]
    parcels: list[Parcel] = field(default_factory=list)
    parcel_lines: dict[str, int] = field(default_factory=dict)


class _CsvReader:
    """Reads a CSV orders file; rows are line numbers, the header being line 1."""

    def __init__(self, file: str, fleet: Fleet, pickup_points: Sequence[str] = ()) -> None:
        self.file = file
        self.fleet = fleet
        self.pickup_points = list(pickup_points)
        self.header: list[str] = []

    def fail(self, message: str, line: int | None, column: str | None = None) -> NoReturn:
        raise InputError(self.file, message, line, column)

    def orders(self, text: str) -> tuple[Order, ...]:
        """Every order in the file, in order of first appearance."""
        reader = csv.reader(io.StringIO(text))
        records = self._records(reader)
        try:
            _, header = next(records)
        except StopIteration:
            self.fail("file is empty", None)
        self.header = self._check_header(header)
        per_parcel = "parcel_id" in self.header
        gathered: dict[str, _CsvOrder] = {}
        for line, record in records:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(self.header):
                self.fail(f"has {len(record)} fields but the header has {len(self.header)}", line)
            self._row(line, dict(zip(self.header, record)), per_parcel, gathered)
        if not gathered:
            self.fail("no orders: the file holds only a header", None)
        return tuple(self._build(order_id, o) for order_id, o in gathered.items())

    def _records(self, reader: Any) -> Iterator[tuple[int, list[str]]]:
        """Records with the line each starts on."""
        line = 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.fail(f"cannot parse CSV: {exc}", line)
            yield line, record
            line = reader.line_num + 1

    def _check_header(self, header: list[str]) -> list[str]:
        names = [h.strip() for h in header]
        if len(names) == 1:
            for separator in (";", "\t"):
                if separator in names[0]:
                    self.fail(f"columns must be separated by commas, found {separator!r}", 1)
        seen: set[str] = set()
        for name in names:
            if name and name in seen:
                self.fail("column appears twice in the header", 1, name)
            seen.add(name)
        for name in CSV_REQUIRED:
            if name not in seen:
                self.fail("missing column", 1, name)
        if "parcel_id" in seen and "parcels" in seen:
            self.fail("give a parcels count or a parcel_id column, not both", 1, "parcels")
        unknown = [n for n in names if n not in CSV_REQUIRED and n not in CSV_OPTIONAL]
        if unknown:
            log.warning("%s: ignoring unknown columns %s", self.file, ", ".join(map(repr, unknown)))
        return names

    def _row(
        self, line: int, cells: Mapping[str, str], per_parcel: bool, gathered: dict[str, _CsvOrder]
    ) -> None:
        def cell(name: str) -> str:
            return cells.get(name, "").strip()

        def value(name: str, convert: Callable[[str], T]) -> T:
            text = cell(name)
            if not text:
                self.fail("missing value", line, name)
            with _located(self.file, line, name):
                return convert(text)

        order_id = value("order_id", str)
        values = self._order_values(line, cell, value, order_id)
        weight = value("weight_kg", lambda t: _scaled(_csv_number(t), 1000))
        volume = value("volume_l", lambda t: _scaled(_csv_number(t), 1000))
        existing = gathered.get(order_id)
        if per_parcel:
            parcel_id = value("parcel_id", str)
            parcels = [self._parcel(line, parcel_id, weight, volume)]
            if existing is None:
                existing = gathered[order_id] = _CsvOrder(line, values)
            else:
                for name in _CSV_ORDER_LEVEL:
                    if values[name] != existing.values[name]:
                        self.fail(
                            f"differs from line {existing.line} for the same order {order_id!r}",
                            line,
                            name,
                        )
            if parcel_id in existing.parcel_lines:
                first = existing.parcel_lines[parcel_id]
                self.fail(
                    f"duplicate parcel id {parcel_id!r} for order {order_id!r} "
                    f"(first on line {first})",
                    line,
                    "parcel_id",
                )
            existing.parcel_lines[parcel_id] = line
        else:
            if existing is not None:
                self.fail(
                    f"duplicate order id {order_id!r} (first on line {existing.line}); "
                    "for one row per parcel add a parcel_id column",
                    line,
                    "order_id",
                )
            count = 1
            if cell("parcels"):
                count = value("parcels", lambda t: _whole(_csv_number(t), minimum=1))
            parcels = [
                self._parcel(line, f"{order_id}-{k + 1}", w, v)
                for k, (w, v) in enumerate(zip(_split(weight, count), _split(volume, count)))
            ]
            existing = gathered[order_id] = _CsvOrder(line, values)
        existing.parcels.extend(parcels)

    def _order_values(
        self,
        line: int,
        cell: Callable[[str], str],
        value: Callable[[str, Callable[[str], Any]], Any],
        order_id: str,
    ) -> dict[str, Any]:
        """The parsed order-level columns of one row."""
        values: dict[str, Any] = {"customer": cell("customer") or order_id}
        for name in ("lat", "lon"):
            values[name] = float(value(name, _csv_number))
        with _located(self.file, line, None, _LOCATION_KEYS):
            Location(values["lat"], values["lon"])
        windows = [self._window(line, "tw_start", "tw_end", value)]
        values["tw_start"], values["tw_end"] = windows[0].start, windows[0].end
        if cell("tw2_start") or cell("tw2_end"):
            for name in ("tw2_start", "tw2_end"):
                if not cell(name):
                    self.fail("tw2_start and tw2_end go together", line, name)
            windows.append(self._window(line, "tw2_start", "tw2_end", value))
            values["tw2_start"], values["tw2_end"] = windows[1].start, windows[1].end
        else:
            values["tw2_start"] = values["tw2_end"] = None
        values["windows"] = tuple(windows)
        values["service_min"] = (
            value("service_min", lambda t: _scaled(_csv_number(t), 60))
            if cell("service_min")
            else 0
        )
        values["penalty"] = (
            value("penalty", lambda t: _scaled(_csv_number(t), 100)) if cell("penalty") else None
        )
        values["skills"] = frozenset(s.strip() for s in cell("skills").split(";") if s.strip())
        values["release_time"] = value("release_time", _clock) if cell("release_time") else 0
        values["vehicle_types"] = frozenset(
            s.strip() for s in cell("vehicle_types").split(";") if s.strip()
        )
        unknown = sorted(values["vehicle_types"] - {vt.id for vt in self.fleet.types})
        if unknown:
            known = ", ".join(vt.id for vt in self.fleet.types)
            self.fail(
                f"unknown vehicle type {unknown[0]!r}; vehicle types are {known}",
                line,
                "vehicle_types",
            )
        values["max_walk_m"] = (
            value("max_walk_m", lambda t: _scaled(_csv_number(t), 1, positive=True))
            if cell("max_walk_m")
            else None
        )
        values["delivery_options"] = self._options(line, cell, value, values["max_walk_m"])
        return values

    def _options(
        self,
        line: int,
        cell: Callable[[str], str],
        value: Callable[[str, Callable[[str], Any]], Any],
        max_walk: int | None,
    ) -> tuple[DeliveryOption, ...]:
        """The ``delivery_options`` column with ``max_walk_m`` for its ``any`` entry."""
        specs: list[tuple[OptionKind, str | None, int]] = []
        if cell("delivery_options"):
            specs = value("delivery_options", lambda t: _csv_option_specs(t, self.pickup_points))
        has_any = any(kind is OptionKind.ANY_PICKUP_POINT for kind, _, _ in specs)
        if has_any and max_walk is None:
            self.fail(
                "missing value: an 'any' delivery option needs max_walk_m", line, "max_walk_m"
            )
        if max_walk is not None and not has_any:
            self.fail("max_walk_m is only for an 'any' delivery option", line, "max_walk_m")
        with _located(self.file, line, "delivery_options"):
            options = tuple(
                DeliveryOption(
                    kind,
                    rank=rank,
                    cost=cost,
                    pickup_point=point,
                    max_walk=max_walk if kind is OptionKind.ANY_PICKUP_POINT else None,
                )
                for rank, (kind, point, cost) in enumerate(specs)
            )
        duplicate = _duplicate_option(options)
        if duplicate is not None:
            later, first = duplicate
            self.fail(
                f"option {later + 1} is the same delivery option as option {first + 1}",
                line,
                "delivery_options",
            )
        return options

    def _window(
        self,
        line: int,
        start: str,
        end: str,
        value: Callable[[str, Callable[[str], Any]], Any],
    ) -> TimeWindow:
        with _located(self.file, line, None, {"start": start, "end": end}):
            return TimeWindow(value(start, _clock), value(end, _clock))

    def _parcel(self, line: int, parcel_id: str, weight: int, volume: int) -> Parcel:
        with _located(self.file, line, "parcel_id"):
            parcel = Parcel(parcel_id, weight, volume)
        misfit = _parcel_misfit(parcel, self.fleet)
        if misfit is not None:
            self.fail(misfit[1], line, "weight_kg" if misfit[0] == "weight" else "volume_l")
        return parcel

    def _build(self, order_id: str, gathered: _CsvOrder) -> Order:
        values = gathered.values
        with _located(self.file, gathered.line, None, _CSV_ORDER_NAMES):
            return Order(
                id=order_id,
                customer=values["customer"],
                location=Location(values["lat"], values["lon"]),
                parcels=tuple(gathered.parcels),
                time_windows=values["windows"],
                service_time=values["service_min"],
                penalty=values["penalty"],
                skills=values["skills"],
                vehicle_types=values["vehicle_types"],
                release_time=values["release_time"],
                options=values["delivery_options"],
            )


def _split(total: int, count: int) -> list[int]:
    """``total`` in ``count`` integer shares, the remainder on the first."""
    share, rest = divmod(total, count)
    return [share + rest] + [share] * (count - 1)
