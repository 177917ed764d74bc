"""Largest-gap routing (Hall 1993; multi-block as Roodbergen & de Koster 2001a).

A sub-aisle's gaps are the distances front cross aisle -> first item, between
consecutive items, and last item -> back cross aisle. The items before the largest
gap are picked from the front cross aisle, those after it from the back cross
aisle, so the largest gap is never walked; see
:mod:`simulation.routing_policies.split` for the sweep. Its in-aisle travel is never
longer than midpoint routing's, whose split is one of the candidates; the whole tour
can be, though, when a sub-aisle whose items all go to one side changes where the
picker leaves a block (several blocks) or how far the picker walks past the depot
(a depot between the extreme pick aisles).
"""

from __future__ import annotations

from collections.abc import Sequence

from simulation.layout import Layout, PickLocation
from simulation.routing_policies.base import Tour
from simulation.routing_policies.skeleton import Block, Item, skeleton_tour
from simulation.routing_policies.split import split_sweep


def largest_gap_split(block: Block, items: Sequence[Item]) -> tuple[Sequence[Item], Sequence[Item]]:
    """Items before and after the sub-aisle's largest gap (the first one on ties)."""
    best, cut = items[0][0] - block.lo, 0
    for k in range(1, len(items)):
        gap = items[k][0] - items[k - 1][0]
        if gap > best:
            best, cut = gap, k
    if block.hi - items[-1][0] > best:
        cut = len(items)
    return items[:cut], items[cut:]


_SWEEP = split_sweep(largest_gap_split)


def largest_gap(layout: Layout, picks: Sequence[PickLocation]) -> Tour:
    """Route ``picks`` by the largest-gap policy (module docstring).

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
