"""The two-sided sweep shared by midpoint and largest-gap routing.

Each sub-aisle's items are *split* in two groups: the front group is picked from the
block's front cross aisle, the back group from its back cross aisle, each with a
return visit. Only the extreme sub-aisles are traversed.

* Block entered on its front cross aisle (single block, or the farthest block):
  with one pick sub-aisle, return-visit it from the front. Otherwise traverse the
  first sub-aisle to the back, visit the back groups of the intermediate sub-aisles
  along the back cross aisle, traverse the last sub-aisle to the front and visit the
  front groups of the intermediate sub-aisles on the way back (Hall 1993).
* Block entered on its back cross aisle: visit the back groups of all sub-aisles but
  the last along the back cross aisle, traverse the last one to the front and visit
  the front groups on the way back. One traversal suffices because the block is
  entered and left on opposite cross aisles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from simulation.routing_policies.skeleton import Block, BlockSweep, Item, Walk, traverse, visit

Split = Callable[[Block, Sequence[Item]], tuple[Sequence[Item], Sequence[Item]]]
"""Split a sub-aisle's sorted items into (front group, back group)."""


def split_sweep(split: Split) -> BlockSweep:
    """The two-sided sweep (module docstring) for a given split rule."""

    def sweep(walk: Walk, block: Block, order: list[int]) -> None:
        if walk.z == block.front:
            if len(order) == 1:
                visit(walk, block, order[0], block.picks[order[0]], from_front=True)
                return
            traverse(walk, block, order[0])
            middle = order[1:-1]
        else:
            middle = order[:-1]
        groups = [split(block, block.picks[x]) for x in middle]
        for x, (_, back) in zip(middle, groups):
            if back:
                visit(walk, block, x, back, from_front=False)
        traverse(walk, block, order[-1])
        for x, (front, _) in zip(reversed(middle), reversed(groups)):
            if front:
                visit(walk, block, x, front, from_front=True)

    return sweep
