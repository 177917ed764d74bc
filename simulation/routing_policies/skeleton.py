"""The block-by-block skeleton shared by the heuristic routing policies.

The heuristics follow Roodbergen & de Koster (2001a, doi:10.1080/00207540110028128)
for layouts with any number of blocks; with one block they reduce to the classic
single-block policies (Hall 1993). Coordinates are first *normalised* so that the
depot lies on the front cross aisle and nearer to the left-most pick aisle than to
the right-most one (the layout is mirrored top/bottom and left/right as needed). A
depot on a middle cross aisle first walks down (or up) its aisle to the nearer end
cross aisle and starts from there; the walk back is added at the end.

Skeleton (blocks numbered from the depot side, block 0 nearest):

1. ``L`` is the left-most aisle holding a pick, ``f`` the farthest block holding one.
2. Walk along the front cross aisle to aisle ``L`` and up it to the front cross aisle
   of block ``f``, picking the items of aisle ``L`` in blocks ``0 .. f-1`` on the way.
3. Block ``f`` is served by the policy's *front-entry* sweep, which starts on the
   block's front cross aisle and must end there.
4. For each block ``b = f-1 .. 0``: the picker stands on the block's back cross aisle.
   A block without remaining picks is crossed through the current aisle; otherwise
   the policy's *back-entry* sweep serves it and ends on its front cross aisle.
5. Walk back to the depot along the front cross aisle.

In both sweeps the pick sub-aisles of the block are taken in order starting from the
extreme (left-most or right-most) nearer to the picker. Every move of the walk runs
straight along one aisle or one cross aisle, so the tour length is measured on the
walk itself with :meth:`simulation.layout.Layout.path_length`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from simulation.layout import AislePoint, Layout, PickLocation
from simulation.routing_policies.base import Tour, check_picks, empty_tour

Item = tuple[float, int]
"""A pick in normalised coordinates: height and index into the pick list."""


@dataclass(frozen=True, slots=True)
class Block:
    """One block in normalised coordinates.

    Parameters
    ----------
    front
        Index of its front cross aisle (its back one is ``front + 1``).
    lo, hi
        Heights of its front and back cross aisles.
    picks
        Items of each aisle inside the block, sorted by height.
    """

    front: int
    lo: float
    hi: float
    picks: Mapping[int, list[Item]]


class Walk:
    """A walk being built in normalised coordinates.

    Points are ``(aisle, height, tag)``; ``tag >= 0`` is a pick index, ``tag < 0``
    marks a turning point on cross aisle ``-tag - 1``.
    """

    __slots__ = ("cross", "points", "x", "z")

    def __init__(self, cross: Sequence[float], x: int, z: int) -> None:
        self.cross = cross
        self.points: list[tuple[int, float, int]] = [(x, cross[z], -z - 1)]
        self.x = x
        self.z: int | None = z

    def go(self, x: int, z: int) -> None:
        """Move to aisle ``x`` on cross aisle ``z`` (straight along one line)."""
        if x == self.x and z == self.z:
            return
        if x != self.x and z != self.z:
            raise AssertionError("a move must run along one aisle or one cross aisle")
        self.points.append((x, self.cross[z], -z - 1))
        self.x, self.z = x, z

    def pick(self, x: int, item: Item) -> None:
        """Pick ``item`` in the current aisle ``x``."""
        if x != self.x:
            raise AssertionError("picks are reached along the current aisle")
        self.points.append((x, item[0], item[1]))
        self.z = None


BlockSweep = Callable[[Walk, Block, list[int]], None]
"""Serve a block's pick sub-aisles, given in order, ending on its front cross aisle."""


def traverse(walk: Walk, block: Block, x: int) -> None:
    """Walk through sub-aisle ``x`` of ``block`` to its other cross aisle."""
    upward = walk.z == block.front
    walk.go(x, block.front if upward else block.front + 1)
    items = block.picks[x]
    for item in items if upward else reversed(items):
        walk.pick(x, item)
    walk.go(x, block.front + 1 if upward else block.front)


def visit(walk: Walk, block: Block, x: int, items: Sequence[Item], from_front: bool) -> None:
    """Enter sub-aisle ``x`` from one cross aisle, pick ``items`` and come back."""
    side = block.front if from_front else block.front + 1
    walk.go(x, side)
    for item in items if from_front else reversed(items):
        walk.pick(x, item)
    walk.go(x, side)


@dataclass(frozen=True, slots=True)
class _Frame:
    """How original coordinates map to normalised ones and back."""

    flip_x: bool
    flip_y: bool
    aisles: int
    cross: tuple[float, ...]

    def x(self, aisle: int) -> int:
        return self.aisles - 1 - aisle if self.flip_x else aisle

    def z(self, index: int) -> int:
        return len(self.cross) - 1 - index if self.flip_y else index


def _frame(layout: Layout, picks: Sequence[PickLocation]) -> _Frame:
    cross = layout.cross_aisles
    zd = layout.depot_cross_aisle
    top = cross[-1]
    flip_y = zd == len(cross) - 1 or (0 < zd < len(cross) - 1 and top - cross[zd] < cross[zd])
    left = min(p.aisle for p in picks)
    right = max(p.aisle for p in picks)
    flip_x = abs(layout.depot_aisle - right) < abs(layout.depot_aisle - left)
    return _Frame(flip_x, flip_y, layout.aisles, cross)


def skeleton_tour(
    layout: Layout,
    picks: Sequence[PickLocation],
    front_entry: BlockSweep,
    back_entry: BlockSweep,
) -> Tour:
    """Route ``picks`` along the block-by-block skeleton (module docstring).

    Parameters
    ----------
    layout
        The warehouse.
    picks
        Pick locations; duplicates allowed.
    front_entry
        Sweep for the farthest block, entered on its front cross aisle.
    back_entry
        Sweep for the nearer blocks, entered on their back cross aisle.

    Returns
    -------
    Tour
        The tour, measured on its walk.

    Raises
    ------
    ValueError
        When a pick lies outside the layout's blocks.
    """
    check_picks(layout, picks)
    if not picks:
        return empty_tour(layout)
    frame = _frame(layout, picks)
    cross = layout.cross_aisles
    top = cross[-1]
    ncross = tuple(top - c for c in reversed(cross)) if frame.flip_y else cross
    nblocks = len(cross) - 1
    groups: dict[tuple[int, int], list[Item]] = {}
    for idx, p in enumerate(picks):
        b = layout.block_of(p.y)
        key = (frame.x(p.aisle), nblocks - 1 - b if frame.flip_y else b)
        groups.setdefault(key, []).append((top - p.y if frame.flip_y else p.y, idx))
    per_block: list[dict[int, list[Item]]] = [{} for _ in range(nblocks)]
    for (x, b), items in groups.items():
        items.sort()
        per_block[b][x] = items

    depot_x = frame.x(layout.depot_aisle)
    walk = Walk(ncross, depot_x, 0)
    left = min(x for x, _ in groups)
    far = max(b for _, b in groups)
    walk.go(left, 0)
    for b in range(far):
        for item in per_block[b].get(left, ()):
            walk.pick(left, item)
    walk.go(left, far)
    for b in range(far, -1, -1):
        block = Block(b, ncross[b], ncross[b + 1], per_block[b])
        aisles = sorted(x for x in per_block[b] if b == far or x != left)
        if not aisles:
            walk.go(walk.x, b)
            continue
        near_first = abs(walk.x - aisles[0]) <= abs(walk.x - aisles[-1])
        (front_entry if b == far else back_entry)(
            walk, block, aisles if near_first else aisles[::-1]
        )
        if walk.z != b:
            raise AssertionError("a sweep must end on its block's front cross aisle")
    walk.go(depot_x, 0)
    return _finish(layout, picks, frame, walk)


def _finish(layout: Layout, picks: Sequence[PickLocation], frame: _Frame, walk: Walk) -> Tour:
    depot = layout.depot
    path: list[AislePoint] = [depot]
    order: list[int] = []
    for x, _, tag in walk.points:
        aisle = frame.x(x)
        if tag >= 0:
            pick = picks[tag]
            path.append(AislePoint(pick.aisle, pick.y))
            order.append(tag)
        else:
            point = AislePoint(aisle, frame.cross[frame.z(-tag - 1)])
            if point != path[-1]:
                path.append(point)
    if path[-1] != depot:
        path.append(depot)
    return Tour(
        length=layout.path_length(path),
        sequence=tuple(picks[k] for k in order),
        order=tuple(order),
        path=tuple(path),
    )
