"""Cartonization: pack an order's items into the cheapest set of catalogue boxes.

The verb is :func:`cartonize`; :func:`check_packing` verifies any packing (ours,
another packer's, or one edited by hand) without sharing code with the packer.

The packer is an extreme-point first-fit heuristic (Crainic, Perboli & Tadei,
*Extreme point-based heuristics for three-dimensional bin packing*, INFORMS J.
Computing 20(3), 2008) inside a variable-sized bin-packing loop:

1. expand items into units (one per ``quantity``); units flagged ``ships_alone``
   go to their own packaging;
2. for each item ordering (:class:`SortKey`, e.g. by volume, by longest side)
   and each box-choice rule, open boxes one at a time: fill one box of *every*
   type with the remaining units (extreme-point first fit, all allowed
   rotations) and keep the type the rule prefers (best packed volume per cent,
   or the cheapest single box holding everything left, or the most volume);
3. improve: move each box's contents into the cheapest type that takes them all,
   then merge two boxes into one box costing no more than both (fewer parcels);
4. keep the candidate with the lowest total cost, then fewest boxes, then
   least box volume (highest fill).

Support: by default a unit may rest partly on nothing (the box is closed and
void fill is used), as in most cartonization engines. Set
``CartonizationParams.min_support_percent`` to require that share of every
unit's base to rest on the floor or on tops of units below; pass the same value
to :func:`check_packing`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from optimizer.domain.packing import BoxType, Item, PackedBox, Packing, Placement

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_ORDERINGS",
    "CartonizationParams",
    "PackingReport",
    "SortKey",
    "by_base_area",
    "by_longest_side",
    "by_volume",
    "by_weight",
    "cartonize",
    "check_packing",
    "volume_lower_bound",
]


class SortKey(Protocol):
    """Item ordering: units are packed in *decreasing* order of this key."""

    def __call__(self, item: Item) -> tuple[int, ...]: ...


def by_volume(item: Item) -> tuple[int, ...]:
    """Volume, then longest side (first-fit decreasing by volume)."""
    return (item.volume, max(item.length, item.width, item.height))


def by_longest_side(item: Item) -> tuple[int, ...]:
    """Longest side, then volume."""
    return (max(item.length, item.width, item.height), item.volume)


def by_base_area(item: Item) -> tuple[int, ...]:
    """Largest face area, then volume: flat items first."""
    sides = sorted((item.length, item.width, item.height))
    return (sides[1] * sides[2], item.volume)


def by_weight(item: Item) -> tuple[int, ...]:
    """Weight, then volume: heavy items first (they end up low in the box)."""
    return (item.weight, item.volume)


DEFAULT_ORDERINGS: tuple[SortKey, ...] = (by_volume, by_longest_side, by_base_area, by_weight)


@dataclass(frozen=True, slots=True)
class CartonizationParams:
    """Settings of :func:`cartonize`.

    Parameters
    ----------
    orderings
        Item orderings to try (at least one); the best result over all is kept.
    min_support_percent
        Share of every unit's base, 0-100, that must rest on the box floor or on
        the tops of units below it. 0 (default) requires no support.
    """

    orderings: tuple[SortKey, ...] = field(default=DEFAULT_ORDERINGS)
    min_support_percent: int = 0

    def __post_init__(self) -> None:
        if not self.orderings:
            raise ValueError("orderings must not be empty")
        if not all(callable(key) for key in self.orderings):
            raise ValueError("orderings must be callables")
        pct = self.min_support_percent
        if isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= 100:
            raise ValueError(f"min_support_percent must be an int in 0..100, got {pct!r}")


# --------------------------------------------------------------------------- packer

Cuboid = tuple[int, int, int, int, int, int]  # x0, y0, z0, x1, y1, z1


@dataclass(frozen=True, slots=True)
class _Unit:
    index: int
    item: Item
    copy: int
    rotations: tuple[tuple[int, int, int], ...]


def _fits_empty(unit: _Unit, box: BoxType) -> bool:
    if unit.item.weight > box.max_weight:
        return False
    return any(a <= box.length and b <= box.width and c <= box.height for a, b, c in unit.rotations)


def _supported_area(base: Cuboid, placed: list[Cuboid]) -> int:
    x0, y0, z, x1, y1, _ = base
    area = 0
    for bx0, by0, _, bx1, by1, bz1 in placed:
        if bz1 == z:
            dx = min(x1, bx1) - max(x0, bx0)
            dy = min(y1, by1) - max(y0, by0)
            if dx > 0 and dy > 0:
                area += dx * dy
    return area


def _project(point: tuple[int, int, int], axis: int, placed: list[Cuboid]) -> tuple[int, int, int]:
    """Slide ``point`` towards 0 along ``axis`` until it meets a unit or the wall."""
    others = [a for a in range(3) if a != axis]
    stop = 0
    for box in placed:
        top = box[axis + 3]
        if top <= point[axis] and top > stop:
            if all(box[a] <= point[a] < box[a + 3] for a in others):
                stop = top
    moved = list(point)
    moved[axis] = stop
    return (moved[0], moved[1], moved[2])


def _fill(
    box: BoxType, units: Sequence[_Unit], min_support_percent: int
) -> list[tuple[_Unit, Cuboid]]:
    """Extreme-point first fit of ``units`` (in order) into one empty ``box``."""
    length, width, height = box.length, box.width, box.height
    placed: list[Cuboid] = []
    result: list[tuple[_Unit, Cuboid]] = []
    points: set[tuple[int, int, int]] = {(0, 0, 0)}
    weight = 0
    free = box.volume
    for unit in units:
        item = unit.item
        if weight + item.weight > box.max_weight or item.volume > free:
            continue
        rotations = [
            r for r in unit.rotations if r[0] <= length and r[1] <= width and r[2] <= height
        ]
        if not rotations:
            continue
        spot: Cuboid | None = None
        for x, y, z in sorted(points, key=lambda p: (p[2], p[1], p[0])):
            for dx, dy, dz in rotations:
                x1, y1, z1 = x + dx, y + dy, z + dz
                if x1 > length or y1 > width or z1 > height:
                    continue
                if any(
                    x < bx1 and bx0 < x1 and y < by1 and by0 < y1 and z < bz1 and bz0 < z1
                    for bx0, by0, bz0, bx1, by1, bz1 in placed
                ):
                    continue
                candidate = (x, y, z, x1, y1, z1)
                if (
                    min_support_percent
                    and z > 0
                    and 100 * _supported_area(candidate, placed) < min_support_percent * dx * dy
                ):
                    continue
                spot = candidate
                break
            if spot is not None:
                break
        if spot is None:
            continue
        placed.append(spot)
        result.append((unit, spot))
        weight += item.weight
        free -= item.volume
        x0, y0, z0, x1, y1, z1 = spot
        points.discard((x0, y0, z0))
        for corner, axes in (
            ((x1, y0, z0), (1, 2)),
            ((x0, y1, z0), (0, 2)),
            ((x0, y0, z1), (0, 1)),
        ):
            for axis in axes:
                points.add(_project(corner, axis, placed))
        points = {
            p
            for p in points
            if p[0] < length
            and p[1] < width
            and p[2] < height
            and not (x0 <= p[0] < x1 and y0 <= p[1] < y1 and z0 <= p[2] < z1)
        }
    return result


Fill = list[tuple[_Unit, Cuboid]]
Rule = Callable[[list[tuple[BoxType, Fill]], int], tuple[BoxType, Fill]]


def _packed_volume(fill: Fill) -> int:
    return sum(u.item.volume for u, _ in fill)


def _rule_rate(options: list[tuple[BoxType, Fill]], remaining: int) -> tuple[BoxType, Fill]:
    """Most packed volume per cent; ties: more units, then the smaller box."""
    return max(
        options,
        key=lambda o: (_packed_volume(o[1]) / max(o[0].cost, 1), len(o[1]), -o[0].volume),
    )


def _rule_finish(options: list[tuple[BoxType, Fill]], remaining: int) -> tuple[BoxType, Fill]:
    """Cheapest box holding every remaining unit, else :func:`_rule_rate`."""
    complete = [o for o in options if len(o[1]) == remaining]
    if complete:
        return min(complete, key=lambda o: (o[0].cost, o[0].volume))
    return _rule_rate(options, remaining)


def _rule_most(options: list[tuple[BoxType, Fill]], remaining: int) -> tuple[BoxType, Fill]:
    """Most packed volume (fewest boxes); ties: cheaper, then smaller."""
    return max(options, key=lambda o: (_packed_volume(o[1]), -o[0].cost, -o[0].volume))


_RULES: tuple[Rule, ...] = (_rule_rate, _rule_finish, _rule_most)


class _Packer:
    """One cartonize call: the catalogue, the settings and a memo of box fills."""

    def __init__(self, catalogue: Sequence[BoxType], params: CartonizationParams) -> None:
        self.types = sorted(catalogue, key=lambda t: (t.cost, t.volume, t.id))
        self.params = params
        self.memo: dict[tuple[str, tuple[int, ...]], Fill] = {}

    def fill(self, box: BoxType, units: Sequence[_Unit]) -> Fill:
        key = (box.id, tuple(u.index for u in units))
        if key not in self.memo:
            self.memo[key] = _fill(box, units, self.params.min_support_percent)
        return self.memo[key]

    def greedy(self, order: list[_Unit], rule: Rule) -> list[tuple[BoxType, Fill]]:
        remaining = list(order)
        boxes: list[tuple[BoxType, Fill]] = []
        while remaining:
            options = [(t, f) for t in self.types if (f := self.fill(t, remaining))]
            chosen, fill = rule(options, len(remaining))
            boxes.append((chosen, fill))
            taken = {u.index for u, _ in fill}
            remaining = [u for u in remaining if u.index not in taken]
        return boxes

    def repack(
        self, units: set[int], orders: list[list[_Unit]], below: int
    ) -> tuple[BoxType, Fill] | None:
        """Cheapest single box cheaper than ``below`` holding all ``units``, if found."""
        for box in self.types:
            if box.cost >= below:
                return None
            for order in orders:
                fill = self.fill(box, [u for u in order if u.index in units])
                if len(fill) == len(units):
                    return box, fill
        return None

    def improve(
        self, boxes: list[tuple[BoxType, Fill]], orders: list[list[_Unit]]
    ) -> list[tuple[BoxType, Fill]]:
        """Downsize each box, then merge pairs of boxes into one cheaper box."""
        result = []
        for box, fill in boxes:
            inside = {u.index for u, _ in fill}
            cheaper = self.repack(inside, orders, box.cost)
            result.append(cheaper or (box, fill))
        merged = True
        while merged and len(result) > 1:
            merged = False
            for i in range(len(result)):
                for j in range(i + 1, len(result)):
                    (a, fa), (b, fb) = result[i], result[j]
                    units = {u.index for u, _ in fa} | {u.index for u, _ in fb}
                    one = self.repack(units, orders, a.cost + b.cost + 1)
                    if one is not None:
                        result[i] = one
                        del result[j]
                        merged = True
                        break
                if merged:
                    break
        return result


def _ordered(units: list[_Unit], key: SortKey) -> list[_Unit]:
    """Units in decreasing ``key`` order; ties keep the input order."""
    return sorted(units, key=lambda u: key(u.item), reverse=True)


def _objective(boxes: list[tuple[BoxType, Fill]]) -> tuple[int, int, int]:
    return (sum(b.cost for b, _ in boxes), len(boxes), sum(b.volume for b, _ in boxes))


def _check_inputs(items: Sequence[Item], catalogue: Sequence[BoxType]) -> None:
    if not catalogue:
        raise ValueError("catalogue must not be empty")
    for name, ids in (("items", [i.id for i in items]), ("catalogue", [b.id for b in catalogue])):
        dup = [k for k, n in Counter(ids).items() if n > 1]
        if dup:
            raise ValueError(f"{name} ids must be unique, {dup[0]!r} repeats")


def cartonize(
    items: Sequence[Item],
    catalogue: Sequence[BoxType],
    params: CartonizationParams | None = None,
) -> Packing:
    """Pack items into catalogue boxes at the least total box cost.

    Parameters
    ----------
    items
        The order's items (ids unique). Units of items flagged ``ships_alone``
        are not boxed: they are listed in ``Packing.own_packaging``.
    catalogue
        Available box types (at least one, ids unique), unlimited stock.
    params
        Orderings and support requirement; defaults to
        :class:`CartonizationParams()`.

    Returns
    -------
    Packing
        Every unit exactly once, in a box or in own packaging. Objective:
        least total box cost, then fewest boxes, then least box volume.

    Raises
    ------
    ValueError
        If the catalogue is empty, ids repeat, or an item not flagged
        ``ships_alone`` is larger (in every allowed rotation) or heavier than
        every box type; the message names the item.
    """
    params = params or CartonizationParams()
    _check_inputs(items, catalogue)
    units: list[_Unit] = []
    own: list[tuple[str, int]] = []
    for item in items:
        if item.ships_alone:
            own.extend((item.id, c) for c in range(item.quantity))
            continue
        rotations = item.rotations()
        for copy in range(item.quantity):
            units.append(_Unit(len(units), item, copy, rotations))
        if not any(_fits_empty(units[-1], box) for box in catalogue):
            raise ValueError(
                f"item {item.id!r} is larger or heavier than every box type; "
                "flag it ships_alone to ship it in its own packaging"
            )
    if not units:
        return Packing((), tuple(own))

    packer = _Packer(catalogue, params)
    orders = [_ordered(units, key) for key in params.orderings]
    best: list[tuple[BoxType, Fill]] | None = None
    for order in orders:
        for rule in _RULES:
            boxes = packer.improve(packer.greedy(order, rule), orders)
            if best is None or _objective(boxes) < _objective(best):
                best = boxes
    assert best is not None
    logger.debug("cartonize: %d units, %d box fills evaluated", len(units), len(packer.memo))
    packed = tuple(
        PackedBox(
            box,
            tuple(
                Placement(u.item.id, u.copy, x0, y0, z0, x1 - x0, y1 - y0, z1 - z0)
                for u, (x0, y0, z0, x1, y1, z1) in sorted(fill, key=lambda f: f[1][2::-1])
            ),
        )
        for box, fill in best
    )
    return Packing(packed, tuple(own))


def volume_lower_bound(items: Sequence[Item], catalogue: Sequence[BoxType]) -> int:
    """Fewest boxes any packing of the boxed units can use.

    Parameters
    ----------
    items
        The order's items; ``ships_alone`` items are ignored.
    catalogue
        Available box types (at least one).

    Returns
    -------
    int
        ``max(ceil(unit volume / largest box volume), ceil(unit weight /
        largest max_weight))``, and at least 1 when any unit is boxed.
    """
    if not catalogue:
        raise ValueError("catalogue must not be empty")
    boxed = [i for i in items if not i.ships_alone]
    if not boxed:
        return 0
    volume = sum(i.volume * i.quantity for i in boxed)
    weight = sum(i.weight * i.quantity for i in boxed)
    by_volume_ = -(-volume // max(b.volume for b in catalogue))
    by_weight_ = -(-weight // max(b.max_weight for b in catalogue))
    return max(1, by_volume_, by_weight_)


# --------------------------------------------------------------------------- checker


@dataclass(frozen=True, slots=True)
class PackingReport:
    """What :func:`check_packing` found.

    Parameters
    ----------
    violations
        One short message per broken rule; empty when the packing is valid.
    fill_rates
        Per box, volume of its units over its inner volume.
    fill_rate
        All boxed units' volume over all boxes' inner volume (0.0 if no box).
    boxes
        Number of boxes.
    cost
        Total box cost in cents.
    parcels_saved
        Units minus parcels (boxes + units in own packaging).
    """

    violations: tuple[str, ...]
    fill_rates: tuple[float, ...]
    fill_rate: float
    boxes: int
    cost: int
    parcels_saved: int

    @property
    def ok(self) -> bool:
        """True when there is no violation."""
        return not self.violations


def check_packing(
    items: Sequence[Item],
    catalogue: Sequence[BoxType],
    packing: Packing,
    min_support_percent: int = 0,
) -> PackingReport:
    """Verify a packing without any packer code.

    Checks that every unit of every item appears exactly once (boxed, or in own
    packaging only if flagged ``ships_alone``), that each box is a catalogue
    type, each unit lies fully inside its box in an allowed rotation, no two
    units in a box overlap (touching is fine), contents weigh at most the box's
    ``max_weight``, and, if ``min_support_percent`` > 0, that share of each
    raised unit's base rests on units below.

    Parameters
    ----------
    items
        The order's items.
    catalogue
        The box types the packing may use.
    packing
        The packing to check.
    min_support_percent
        Required supported share of each unit's base, 0-100.

    Returns
    -------
    PackingReport
        Violations, fill rates, boxes, cost and parcels saved.
    """
    by_id = {i.id: i for i in items}
    violations: list[str] = []
    seen: Counter[tuple[str, int]] = Counter()

    def unit_ok(item_id: str, copy: int, where: str) -> Item | None:
        item = by_id.get(item_id)
        if item is None:
            violations.append(f"{where}: unknown item {item_id!r}")
            return None
        if copy >= item.quantity:
            violations.append(f"{where}: item {item_id!r} copy {copy} >= quantity {item.quantity}")
            return None
        seen[(item_id, copy)] += 1
        return item

    for item_id, copy in packing.own_packaging:
        item = unit_ok(item_id, copy, "own packaging")
        if item is not None and not item.ships_alone:
            violations.append(f"own packaging: item {item_id!r} is not flagged ships_alone")

    fill_rates: list[float] = []
    total_item_volume = total_box_volume = 0
    for n, packed in enumerate(packing.boxes):
        box = packed.box
        where = f"box {n} ({box.id})"
        if box not in catalogue:
            violations.append(f"{where}: box type not in the catalogue")
        weight = volume = 0
        cuboids: list[tuple[str, tuple[int, int, int], tuple[int, int, int]]] = []
        for p in packed.placements:
            label = f"{p.item}#{p.copy}"
            item = unit_ok(p.item, p.copy, where)
            volume += p.length * p.width * p.height
            low = (p.x, p.y, p.z)
            high = (p.x + p.length, p.y + p.width, p.z + p.height)
            cuboids.append((label, low, high))
            if high[0] > box.length or high[1] > box.width or high[2] > box.height:
                violations.append(f"{where}: {label} sticks out of the box")
            if item is None:
                continue
            weight += item.weight
            if item.ships_alone:
                violations.append(f"{where}: {label} is flagged ships_alone")
            if sorted((p.length, p.width, p.height)) != sorted(
                (item.length, item.width, item.height)
            ):
                violations.append(f"{where}: {label} extents are not the item's sides")
            elif item.upright and p.height != item.height:
                violations.append(f"{where}: {label} is upright but turned on its side")
        if weight > box.max_weight:
            violations.append(f"{where}: contents weigh {weight} g > max_weight {box.max_weight}")
        for i, (label_a, lo_a, hi_a) in enumerate(cuboids):
            for label_b, lo_b, hi_b in cuboids[i + 1 :]:
                if all(lo_a[k] < hi_b[k] and lo_b[k] < hi_a[k] for k in range(3)):
                    violations.append(f"{where}: {label_a} overlaps {label_b}")
        if min_support_percent:
            for label, lo, hi in cuboids:
                if lo[2] == 0:
                    continue
                area = (hi[0] - lo[0]) * (hi[1] - lo[1])
                under = 0
                for _, lo_b, hi_b in cuboids:
                    if hi_b[2] == lo[2]:
                        dx = min(hi[0], hi_b[0]) - max(lo[0], lo_b[0])
                        dy = min(hi[1], hi_b[1]) - max(lo[1], lo_b[1])
                        under += max(dx, 0) * max(dy, 0)
                if 100 * under < min_support_percent * area:
                    violations.append(f"{where}: {label} is supported on {under}/{area} mm2")
        fill_rates.append(volume / box.volume)
        total_item_volume += volume
        total_box_volume += box.volume

    for item in items:
        for copy in range(item.quantity):
            times = seen[(item.id, copy)]
            if times == 0:
                violations.append(f"item {item.id!r} copy {copy} is missing")
            elif times > 1:
                violations.append(f"item {item.id!r} copy {copy} appears {times} times")

    units = sum(len(b.placements) for b in packing.boxes) + len(packing.own_packaging)
    return PackingReport(
        violations=tuple(violations),
        fill_rates=tuple(fill_rates),
        fill_rate=total_item_volume / total_box_volume if total_box_volume else 0.0,
        boxes=len(packing.boxes),
        cost=sum(b.box.cost for b in packing.boxes),
        parcels_saved=units - len(packing.boxes) - len(packing.own_packaging),
    )
