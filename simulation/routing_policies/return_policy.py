"""Return routing.

Single block: visit the pick aisles from the nearer extreme to the other one along
the front cross aisle; enter each from the front, walk to its deepest pick and come
back (Hall 1993; de Koster et al. 2007).

Several blocks: the skeleton of :mod:`simulation.routing_policies.skeleton`, each
block treated as a single-block warehouse whose front is its front cross aisle. The
farthest block is entered on its front cross aisle and all its pick sub-aisles are
return-visited from there. A nearer block is entered on its back cross aisle: the
picker traverses the nearer extreme pick sub-aisle to the block's front cross aisle
and return-visits the remaining ones from there.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulation.layout import Layout, PickLocation
from simulation.routing_policies.base import Tour
from simulation.routing_policies.skeleton import Block, Walk, skeleton_tour, traverse, visit


def return_sweep(walk: Walk, block: Block, order: list[int]) -> None:
    """Return-visit the sub-aisles from the front, first crossing the block if needed."""
    rest = order
    if walk.z != block.front:
        traverse(walk, block, order[0])
        rest = order[1:]
    for x in rest:
        visit(walk, block, x, block.picks[x], from_front=True)


def return_route(layout: Layout, picks: Sequence[PickLocation]) -> Tour:
    """Route ``picks`` by the return policy (module docstring).

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
    return skeleton_tour(layout, picks, return_sweep, return_sweep)
