"""Cartonization model: items, box types and where each item sits in a box.

Lengths are millimetres, weights grams, money cents (see
:mod:`optimizer.domain.units`). A box's frame has its origin at the inner
bottom-left-back corner: ``x`` runs along its length, ``y`` along its width and
``z`` up along its height.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.domain.orders import check_id
from optimizer.domain.units import check_non_negative, check_positive

SIZE_CLASSES = ("S", "M", "L")
"""Locker compartment size classes a box type may belong to."""


def _check_flag(name: str, value: bool) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be a bool, got {value!r}")


@dataclass(frozen=True, slots=True)
class Item:
    """An order line to pack: ``quantity`` identical cuboids.

    Parameters
    ----------
    id
        Item identifier, unique within the order.
    length, width, height
        Outer dimensions in millimetres, each > 0. ``height`` is the vertical
        side when ``upright`` is set.
    weight
        Weight of one unit in grams.
    quantity
        Number of identical units, >= 1. Copies are numbered ``0 .. quantity-1``.
    upright
        "This side up": only the two rotations about the vertical axis are
        allowed, so ``height`` stays vertical. Otherwise all six axis-aligned
        rotations are allowed.
    ships_alone
        The unit ships in its own packaging ("ships in own container"): it is
        never put in a catalogue box and counts as one parcel per unit. Use it
        for items bigger or heavier than every box, which are otherwise an
        error.
    """

    id: str
    length: int
    width: int
    height: int
    weight: int
    quantity: int = 1
    upright: bool = False
    ships_alone: bool = False

    def __post_init__(self) -> None:
        check_id("id", self.id)
        check_positive("length", self.length)
        check_positive("width", self.width)
        check_positive("height", self.height)
        check_non_negative("weight", self.weight)
        check_positive("quantity", self.quantity)
        _check_flag("upright", self.upright)
        _check_flag("ships_alone", self.ships_alone)

    @property
    def volume(self) -> int:
        """Volume of one unit in cubic millimetres."""
        return self.length * self.width * self.height

    def rotations(self) -> tuple[tuple[int, int, int], ...]:
        """Distinct allowed ``(along x, along y, along z)`` extents of one unit.

        Returns
        -------
        tuple of (int, int, int)
            Six permutations of the sides (two if ``upright``), duplicates
            removed, in a fixed order.
        """
        a, b, c = self.length, self.width, self.height
        if self.upright:
            candidates = [(a, b, c), (b, a, c)]
        else:
            candidates = [(a, b, c), (b, a, c), (a, c, b), (c, a, b), (b, c, a), (c, b, a)]
        return tuple(dict.fromkeys(candidates))


@dataclass(frozen=True, slots=True)
class BoxType:
    """A carton in the catalogue; any number of each may be used.

    Parameters
    ----------
    id
        Box type identifier, unique within the catalogue.
    length, width, height
        Inner dimensions in millimetres, each > 0.
    max_weight
        Maximum weight of the *contents* in grams (tare not included), > 0.
    cost
        Cost of one box in cents.
    size_class
        Locker compartment class the closed box fits, ``"S"``, ``"M"``,
        ``"L"``, or ``None`` when it fits no compartment (or it does not matter).
    tare
        Weight of the empty box in grams; reported in the shipping weight,
        not counted against ``max_weight``.
    """

    id: str
    length: int
    width: int
    height: int
    max_weight: int
    cost: int
    size_class: str | None = None
    tare: int = 0

    def __post_init__(self) -> None:
        check_id("id", self.id)
        check_positive("length", self.length)
        check_positive("width", self.width)
        check_positive("height", self.height)
        check_positive("max_weight", self.max_weight)
        check_non_negative("cost", self.cost)
        if self.size_class is not None and self.size_class not in SIZE_CLASSES:
            raise ValueError(
                f"size_class must be one of {SIZE_CLASSES} or None, got {self.size_class!r}"
            )
        check_non_negative("tare", self.tare)

    @property
    def volume(self) -> int:
        """Inner volume in cubic millimetres."""
        return self.length * self.width * self.height


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one unit of an item sits in its box, and how it is turned.

    Parameters
    ----------
    item
        Id of the :class:`Item`.
    copy
        Which unit of the item, ``0 .. quantity-1``.
    x, y, z
        Position of the unit's minimum corner in the box frame, millimetres.
    length, width, height
        Extents of the placed unit along ``x``, ``y`` and ``z``: a permutation
        of the item's sides.
    """

    item: str
    copy: int
    x: int
    y: int
    z: int
    length: int
    width: int
    height: int

    def __post_init__(self) -> None:
        check_id("item", self.item)
        check_non_negative("copy", self.copy)
        check_non_negative("x", self.x)
        check_non_negative("y", self.y)
        check_non_negative("z", self.z)
        check_positive("length", self.length)
        check_positive("width", self.width)
        check_positive("height", self.height)

    @property
    def volume(self) -> int:
        """Volume of the placed unit in cubic millimetres."""
        return self.length * self.width * self.height


@dataclass(frozen=True, slots=True)
class PackedBox:
    """One box of the catalogue and the units placed in it.

    Parameters
    ----------
    box
        The box type used.
    placements
        The units inside (at least one).
    """

    box: BoxType
    placements: tuple[Placement, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.box, BoxType):
            raise ValueError(f"box must be a BoxType, got {self.box!r}")
        if not self.placements:
            raise ValueError("placements must not be empty")

    @property
    def fill_rate(self) -> float:
        """Volume of the units divided by the box's inner volume."""
        return sum(p.volume for p in self.placements) / self.box.volume


@dataclass(frozen=True, slots=True)
class Packing:
    """How an order ships: boxes with placed units, and units in own packaging.

    Parameters
    ----------
    boxes
        The boxes used.
    own_packaging
        ``(item id, copy)`` of each unit that ships in its own packaging
        (items flagged ``ships_alone``), one parcel each.
    """

    boxes: tuple[PackedBox, ...]
    own_packaging: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        if not all(isinstance(b, PackedBox) for b in self.boxes):
            raise ValueError("boxes must be PackedBox instances")
        for unit in self.own_packaging:
            if len(unit) != 2 or not isinstance(unit[0], str) or not isinstance(unit[1], int):
                raise ValueError(f"own_packaging entries must be (item id, copy), got {unit!r}")

    @property
    def cost(self) -> int:
        """Total cost of the boxes in cents (own packaging costs nothing here)."""
        return sum(b.box.cost for b in self.boxes)

    @property
    def parcels(self) -> int:
        """Number of parcels: boxes plus units shipped in their own packaging."""
        return len(self.boxes) + len(self.own_packaging)

    @property
    def units(self) -> int:
        """Number of units shipped, boxed or not."""
        return sum(len(b.placements) for b in self.boxes) + len(self.own_packaging)

    @property
    def parcels_saved(self) -> int:
        """Parcels saved versus shipping every unit in a parcel of its own."""
        return self.units - self.parcels

    @property
    def fill_rate(self) -> float:
        """Volume of all boxed units over the boxes' total inner volume (0 if none)."""
        box_volume = sum(b.box.volume for b in self.boxes)
        if box_volume == 0:
            return 0.0
        return sum(p.volume for b in self.boxes for p in b.placements) / box_volume
