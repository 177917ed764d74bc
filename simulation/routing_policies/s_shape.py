"""S-shape (traversal) routing.

Single block: go to the nearer extreme pick aisle and traverse the pick aisles
one after the other, alternately front to back and back to front, skipping aisles
without picks. When the number of pick aisles is odd the last one is not traversed:
it is entered from the front, walked to its deepest pick and left the way it was
entered, so the tour ends on the front cross aisle (the variant of the research
note's closed form, §3).

Several blocks (Roodbergen & de Koster 2001a): the skeleton of
:mod:`simulation.routing_policies.skeleton`; in every block the pick sub-aisles are
traversed in S-pattern from the nearer extreme until one remains, which is
traversed when the picker is on the block's back cross aisle and return-visited
when on its front one, so every block is left on its front cross aisle.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulation.layout import Layout, PickLocation
from simulation.routing_policies.base import Tour
from simulation.routing_policies.skeleton import Block, Walk, skeleton_tour, traverse, visit


def s_shape_sweep(walk: Walk, block: Block, order: list[int]) -> None:
    """Traverse the sub-aisles in ``order``; return-visit the last one from the front."""
    last = len(order) - 1
    for k, x in enumerate(order):
        if k == last and walk.z == block.front:
            visit(walk, block, x, block.picks[x], from_front=True)
        else:
            traverse(walk, block, x)


def s_shape(layout: Layout, picks: Sequence[PickLocation]) -> Tour:
    """Route ``picks`` by the S-shape policy (module docstring).

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
    return skeleton_tour(layout, picks, s_shape_sweep, s_shape_sweep)
