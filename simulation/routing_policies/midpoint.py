"""Midpoint routing (Hall 1993).

A sub-aisle's items up to its midpoint (half way between its two cross aisles,
measured from the depot side) are picked from the front cross aisle, the others
from the back cross aisle; see :mod:`simulation.routing_policies.split` for the
sweep and :mod:`simulation.routing_policies.skeleton` for how blocks are chained.
With one pick aisle in a single block it is a return visit.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulation.layout import Layout, PickLocation
from simulation.routing_policies.base import Tour
from simulation.routing_policies.skeleton import Block, Item, skeleton_tour
from simulation.routing_policies.split import split_sweep


def midpoint_split(block: Block, items: Sequence[Item]) -> tuple[Sequence[Item], Sequence[Item]]:
    """Items at or below the sub-aisle's midpoint, and those above it."""
    mid = (block.lo + block.hi) / 2
    k = 0
    while k < len(items) and items[k][0] <= mid:
        k += 1
    return items[:k], items[k:]


_SWEEP = split_sweep(midpoint_split)


def midpoint(layout: Layout, picks: Sequence[PickLocation]) -> Tour:
    """Route ``picks`` by the midpoint policy (module docstring).

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
    return skeleton_tour(layout, picks, _SWEEP, _SWEEP)
