"""Combined routing (Roodbergen & de Koster 2001a).

The pick sub-aisles of a block are visited one after the other from the nearer
extreme, each exactly once, and each is either *traversed* (to the other cross
aisle) or *return-visited* from the cross aisle the picker is on. The choice is made
by a two-state dynamic programme over the sub-aisles (state: the cross aisle the
picker stands on), starting where the block is entered and forced to end on the
block's front cross aisle; the horizontal travel is the same for every choice, so
the programme is exact within this route class. Blocks are chained by the skeleton
of :mod:`simulation.routing_policies.skeleton`. Never longer than S-shape or
return routing, which are members of the class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simulation.layout import Layout, PickLocation
from simulation.routing_policies.base import Tour
from simulation.routing_policies.skeleton import Block, Walk, skeleton_tour, traverse, visit

_FRONT, _BACK = 0, 1


def combined_sweep(walk: Walk, block: Block, order: list[int]) -> None:
    """Traverse or return-visit each sub-aisle, whichever is cheapest overall."""
    length = block.hi - block.lo
    best = [math.inf, math.inf]
    best[_FRONT if walk.z == block.front else _BACK] = 0.0
    choices: list[tuple[tuple[int, bool], tuple[int, bool]]] = []
    for x in order:
        items = block.picks[x]
        back_trip = (2 * (items[-1][0] - block.lo), 2 * (block.hi - items[0][0]))
        new = [math.inf, math.inf]
        came: list[tuple[int, bool]] = [(-1, False), (-1, False)]
        for side in (_FRONT, _BACK):
            cost = best[side]
            if cost == math.inf:
                continue
            if cost + length < new[1 - side]:
                new[1 - side], came[1 - side] = cost + length, (side, True)
            if cost + back_trip[side] < new[side]:
                new[side], came[side] = cost + back_trip[side], (side, False)
        choices.append((came[0], came[1]))
        best = new
    plan: list[bool] = []
    side = _FRONT
    for came_by in reversed(choices):
        side, crossed = came_by[side]
        plan.append(crossed)
    plan.reverse()
    for x, crossed in zip(order, plan):
        if crossed:
            traverse(walk, block, x)
        else:
            visit(walk, block, x, block.picks[x], from_front=walk.z == block.front)


def combined(layout: Layout, picks: Sequence[PickLocation]) -> Tour:
    """Route ``picks`` by the combined policy (module docstring).

    Parameters
    ----------
    layout
        The warehouse.
    picks
        Pick locations; duplicates allowed, empty gives a zero tour.

    Returns
    -------
    Tour
        The tour and its walk.

    Raises
    ------
    ValueError
        When a pick lies outside the layout's blocks.
    """
    return skeleton_tour(layout, picks, combined_sweep, combined_sweep)
