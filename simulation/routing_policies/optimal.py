"""Optimal routing: a shortest tour through the picks.

One block: Ratliff & Rosenthal's programme
(:mod:`~simulation.routing_policies.ratliff_rosenthal`). Two or more blocks: the
frontier programme (:mod:`~simulation.routing_policies.frontier_dp`), which is exact
for any number of cross aisles and agrees with Ratliff & Rosenthal on one block.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulation.layout import Layout, PickLocation
from simulation.routing_policies.base import Tour
from simulation.routing_policies.frontier_dp import frontier_dp
from simulation.routing_policies.ratliff_rosenthal import ratliff_rosenthal


def optimal(layout: Layout, picks: Sequence[PickLocation]) -> Tour:
    """A shortest tour from the depot through ``picks`` and back.

    Parameters
    ----------
    layout
        The warehouse, any number of blocks.
    picks
        Pick locations; duplicates allowed, empty gives a zero tour.

    Returns
    -------
    Tour
        A shortest tour; ``sequence`` is its picking order, ``path`` its walk.

    Raises
    ------
    ValueError
        When a pick lies outside the layout's blocks.
    """
    if layout.blocks == 1:
        return ratliff_rosenthal(layout, picks)
    return frontier_dp(layout, picks)
