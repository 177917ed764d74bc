"""Warehouse layout geometry: parallel aisles, cross aisles, storage slots, a depot.

Coordinates
-----------
Picking aisles are numbered ``0 .. aisles - 1`` from left to right; their centre
lines are ``aisle_spacing`` apart. A position is an aisle index and a height ``y``
measured upward from the centre line of the front (bottom) cross aisle, which is
at ``y = 0``. Cross aisles run at right angles to the picking aisles at the
heights ``cross_aisles`` (ascending, the first is 0). Two cross aisles make a
single block; three make two blocks separated by a middle cross aisle; more
cross aisles make more blocks. Storage locations line both sides of every aisle
and are picked from the aisle's centre line, so the side never changes a
distance. Lengths are in whatever unit the layout is given in (metres in the
simulator, unit cells in the SPRP benchmark).

Distance convention
-------------------
The picker walks along aisle and cross-aisle centre lines only and may turn back
anywhere inside an aisle. The distance between ``a = (i, y1)`` and ``b = (j, y2)``
is

* ``|y1 - y2|`` when ``i == j``: the aisle continues straight through any cross
  aisle between the two points;
* ``aisle_spacing * |i - j| + min over cross aisles z of (|y1 - y_z| + |y2 - y_z|)``
  when ``i != j``: change aisle along one cross aisle.

This is exactly the convention of the Heßler & Irnich SPRP benchmark
(``shared/benchmarks/picker_routing/README.md``), single- and two-block.

Storage slots (:meth:`Layout.rectangular`)
------------------------------------------
Each aisle side holds ``locations_per_aisle`` locations of length
``location_length``. Within a block, the first location starts ``front_gap``
beyond the block's front cross-aisle centre line and the last one ends
``front_gap`` before its back cross-aisle centre line; a location is picked at its
centre. Slot ``k`` (0-based) is the ``k``-th location from the front. So a block of
``n`` locations is ``2 * front_gap + n * location_length`` long between cross-aisle
centre lines. Two blocks split the locations, the front block taking
``ceil(n / 2)``. With ``location_length = 1`` and ``front_gap = 0.5`` this is the
SPRP geometry (cell-to-cell 1, cross aisle to first cell 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np

Side = Literal["left", "right"]
SIDES: tuple[Side, ...] = ("left", "right")


def _check_index(name: str, value: int, upper: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < 0 or (upper is not None and value >= upper):
        bound = f"[0, {upper - 1}]" if upper is not None else ">= 0"
        raise ValueError(f"{name} must be in {bound}, got {value}")


def _check_number(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")


def _check_positive(name: str, value: float) -> None:
    _check_number(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class AislePoint:
    """A point on an aisle's centre line, possibly where it meets a cross aisle.

    Parameters
    ----------
    aisle
        Aisle index, 0-based from the left.
    y
        Height above the front cross aisle's centre line.

    Raises
    ------
    ValueError
        When ``aisle`` is not an integer >= 0 or ``y`` is not a finite number.
    """

    aisle: int
    y: float

    def __post_init__(self) -> None:
        _check_index("aisle", self.aisle)
        _check_number("y", self.y)


@dataclass(frozen=True, slots=True)
class PickLocation:
    """Where an item is picked: an aisle and a height strictly inside a block.

    A layout checks that ``y`` lies strictly between two of its cross aisles
    (:meth:`Layout.check_pick`); the routing policies do so for every pick.

    Parameters
    ----------
    aisle
        Aisle index, 0-based from the left.
    y
        Height above the front cross aisle's centre line.

    Raises
    ------
    ValueError
        When ``aisle`` is not an integer >= 0 or ``y`` is not a finite number.
    """

    aisle: int
    y: float

    def __post_init__(self) -> None:
        _check_index("aisle", self.aisle)
        _check_number("y", self.y)


Position: TypeAlias = AislePoint | PickLocation
"""Anything with an ``aisle`` and a ``y``."""


def aisle_distance(
    cross_aisles: Sequence[float], spacing: float, i: int, y1: float, j: int, y2: float
) -> float:
    """Walking distance between ``(i, y1)`` and ``(j, y2)``; see the module docstring.

    Parameters
    ----------
    cross_aisles
        Heights of the cross aisles.
    spacing
        Aisle centre-to-centre distance.
    i, y1, j, y2
        Aisle indices and heights of the two points.

    Returns
    -------
    float
        The shortest walking distance.
    """
    if i == j:
        return abs(y1 - y2)
    lo, hi = (y1, y2) if y1 <= y2 else (y2, y1)
    best = math.inf
    for z in cross_aisles:
        if lo <= z <= hi:
            best = hi - lo
            break
        detour = (lo - z) * 2 + (hi - lo) if z < lo else (z - hi) * 2 + (hi - lo)
        if detour < best:
            best = detour
    return spacing * abs(i - j) + best


@dataclass(frozen=True, slots=True)
class Layout:
    """A rectangular warehouse of parallel aisles and cross aisles.

    See the module docstring for coordinates and the distance convention.

    Parameters
    ----------
    aisles
        Number of parallel picking aisles.
    aisle_spacing
        Centre-to-centre distance between neighbouring aisles.
    cross_aisles
        Heights of the cross-aisle centre lines, strictly ascending, the first 0.
        Two give a single block, three two blocks.
    depot_aisle
        Aisle at which the depot (I/O point) meets its cross aisle.
    depot_cross_aisle
        Index into ``cross_aisles`` of the depot's cross aisle.
    slots
        Heights of the storage slots along every aisle (both sides share them),
        strictly ascending, each strictly inside a block. Empty when the layout
        only serves routing.
    stations
        Packing-station positions, each on an aisle's centre line inside the
        warehouse (usually on a cross aisle).

    Raises
    ------
    ValueError
        Naming the field that is out of range.
    """

    aisles: int
    aisle_spacing: float
    cross_aisles: tuple[float, ...]
    depot_aisle: int = 0
    depot_cross_aisle: int = 0
    slots: tuple[float, ...] = ()
    stations: tuple[AislePoint, ...] = ()

    def __post_init__(self) -> None:
        _check_index("aisles", self.aisles)
        if self.aisles < 1:
            raise ValueError("aisles must be >= 1, got 0")
        _check_positive("aisle_spacing", self.aisle_spacing)
        cross = self.cross_aisles
        if not isinstance(cross, tuple) or len(cross) < 2:
            raise ValueError(f"cross_aisles must be a tuple of >= 2 heights, got {cross!r}")
        for k, z in enumerate(cross):
            _check_number(f"cross_aisles[{k}]", z)
        if cross[0] != 0:
            raise ValueError(f"cross_aisles[0] must be 0, got {cross[0]!r}")
        if any(b <= a for a, b in zip(cross, cross[1:])):
            raise ValueError(f"cross_aisles must be strictly ascending, got {cross!r}")
        _check_index("depot_aisle", self.depot_aisle, self.aisles)
        _check_index("depot_cross_aisle", self.depot_cross_aisle, len(cross))
        if not isinstance(self.slots, tuple):
            raise ValueError(f"slots must be a tuple, got {type(self.slots).__name__}")
        for k, y in enumerate(self.slots):
            _check_number(f"slots[{k}]", y)
            if not 0 < y < cross[-1] or y in cross:
                raise ValueError(f"slots[{k}] must lie strictly inside a block, got {y!r}")
        if any(b <= a for a, b in zip(self.slots, self.slots[1:])):
            raise ValueError("slots must be strictly ascending")
        for k, point in enumerate(self.stations):
            if not isinstance(point, AislePoint):
                raise ValueError(f"stations[{k}] must be an AislePoint, got {point!r}")
            if point.aisle >= self.aisles or not 0 <= point.y <= cross[-1]:
                raise ValueError(f"stations[{k}] lies outside the warehouse: {point!r}")

    # ------------------------------------------------------------------ builders

    @classmethod
    def rectangular(
        cls,
        aisles: int,
        locations_per_aisle: int,
        location_length: float,
        aisle_spacing: float,
        front_gap: float,
        blocks: int = 1,
        depot_aisle: int = 0,
        depot: Literal["front", "back"] = "front",
        stations: Iterable[AislePoint] = (),
    ) -> Layout:
        """Build a layout of equal aisles lined with equal storage locations.

        Parameters
        ----------
        aisles
            Number of parallel picking aisles.
        locations_per_aisle
            Storage locations along each side of an aisle (both blocks together).
        location_length
            Aisle length taken by one location.
        aisle_spacing
            Centre-to-centre distance between neighbouring aisles.
        front_gap
            Distance from a cross aisle's centre line to the edge of the nearest
            location (locations are picked at their centre).
        blocks
            1 (front and back cross aisles) or 2 (plus a middle cross aisle; the
            front block takes ``ceil(locations_per_aisle / 2)`` locations).
        depot_aisle
            Aisle at whose end the depot sits.
        depot
            ``"front"`` (first cross aisle) or ``"back"`` (last cross aisle).
        stations
            Packing-station positions, see :class:`Layout`.

        Returns
        -------
        Layout
            With ``slots`` set: slot ``k`` is the ``k``-th location from the front.

        Raises
        ------
        ValueError
            Naming the argument that is out of range.
        """
        _check_index("locations_per_aisle", locations_per_aisle)
        if locations_per_aisle < 1:
            raise ValueError("locations_per_aisle must be >= 1, got 0")
        _check_positive("location_length", location_length)
        _check_number("front_gap", front_gap)
        if front_gap < 0:
            raise ValueError(f"front_gap must be >= 0, got {front_gap!r}")
        if blocks not in (1, 2):
            raise ValueError(f"blocks must be 1 or 2, got {blocks!r}")
        if depot not in ("front", "back"):
            raise ValueError(f"depot must be 'front' or 'back', got {depot!r}")
        if blocks == 2 and locations_per_aisle < 2:
            raise ValueError("locations_per_aisle must be >= 2 for two blocks")
        sizes = (
            [locations_per_aisle]
            if blocks == 1
            else [(locations_per_aisle + 1) // 2, locations_per_aisle // 2]
        )
        cross = [0.0]
        slots: list[float] = []
        for size in sizes:
            start = cross[-1] + front_gap
            slots.extend(start + (k + 0.5) * location_length for k in range(size))
            cross.append(start + size * location_length + front_gap)
        return cls(
            aisles=aisles,
            aisle_spacing=aisle_spacing,
            cross_aisles=tuple(cross),
            depot_aisle=depot_aisle,
            depot_cross_aisle=0 if depot == "front" else len(cross) - 1,
            slots=tuple(slots),
            stations=tuple(stations),
        )

    # ---------------------------------------------------------------- properties

    @property
    def blocks(self) -> int:
        """Number of blocks (cross aisles minus one)."""
        return len(self.cross_aisles) - 1

    @property
    def depth(self) -> float:
        """Height of the back cross aisle: the length of every aisle."""
        return self.cross_aisles[-1]

    @property
    def depot(self) -> AislePoint:
        """The depot, where tours start and end."""
        return AislePoint(self.depot_aisle, self.cross_aisles[self.depot_cross_aisle])

    @property
    def locations_per_aisle(self) -> int:
        """Storage slots along each side of an aisle."""
        return len(self.slots)

    # ------------------------------------------------------------------- queries

    def block_of(self, y: float) -> int:
        """Index of the block holding height ``y`` (strictly inside it).

        Raises
        ------
        ValueError
            When ``y`` lies on a cross aisle or outside the warehouse.
        """
        cross = self.cross_aisles
        if not 0 < y < cross[-1]:
            raise ValueError(f"y must lie strictly between 0 and {cross[-1]!r}, got {y!r}")
        for b in range(len(cross) - 1):
            if y < cross[b + 1]:
                if y == cross[b]:
                    break
                return b
        raise ValueError(f"y must not lie on a cross aisle, got {y!r}")

    def check_pick(self, pick: PickLocation) -> None:
        """Raise ``ValueError`` unless ``pick`` lies inside a block of this layout."""
        if not isinstance(pick, PickLocation):
            raise ValueError(f"picks must be PickLocation, got {pick!r}")
        if pick.aisle >= self.aisles:
            raise ValueError(f"pick aisle must be in [0, {self.aisles - 1}], got {pick.aisle}")
        self.block_of(pick.y)

    def slot_location(self, aisle: int, slot: int, side: Side = "left") -> PickLocation:
        """The pick location of a storage slot.

        Parameters
        ----------
        aisle
            Aisle index.
        slot
            Slot index along the aisle, 0 nearest the front.
        side
            ``"left"`` or ``"right"``; both sides share the pick location.

        Raises
        ------
        ValueError
            When an index is out of range or ``side`` is unknown.
        """
        _check_index("aisle", aisle, self.aisles)
        _check_index("slot", slot, len(self.slots))
        if side not in SIDES:
            raise ValueError(f"side must be 'left' or 'right', got {side!r}")
        return PickLocation(aisle, self.slots[slot])

    def distance(self, a: Position, b: Position) -> float:
        """Walking distance between two points (module docstring convention)."""
        return aisle_distance(self.cross_aisles, self.aisle_spacing, a.aisle, a.y, b.aisle, b.y)

    def path_length(self, points: Iterable[Position]) -> float:
        """Sum of :meth:`distance` between consecutive points."""
        total = 0.0
        prev: Position | None = None
        for point in points:
            if prev is not None:
                total += self.distance(prev, point)
            prev = point
        return total

    def shortest_path_matrix(self, points: Sequence[Position]) -> np.ndarray:
        """Distances between all pairs of ``points``.

        Returns
        -------
        numpy.ndarray
            A symmetric ``(n, n)`` float array with a zero diagonal.
        """
        n = len(points)
        matrix = np.zeros((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                matrix[i, j] = matrix[j, i] = self.distance(points[i], points[j])
        return matrix
