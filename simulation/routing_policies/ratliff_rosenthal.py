"""Ratliff & Rosenthal's dynamic programme for one block (doi:10.1287/opre.31.3.507).

The tour subgraph is built aisle by aisle (see :mod:`~simulation.routing_policies.exact`
for the graph, the six sub-aisle edge patterns and why only pick aisles and the depot
aisle are visited). Between stages a partial subgraph is summarised by its
*equivalence class*: the degree of the aisle's back end ``a`` and front end ``b``
(``U`` odd, ``E`` even and non-zero, ``0`` zero) and the number of its connected
components. Seven classes occur; the seventh, a finished tour ``(0, 0, 1C)``, only
arises after the last considered aisle, where it is read off directly:

=========  =========================================================
``UU1``    ``(U, U, 1C)``: both ends odd, one component
``E01``    ``(E, 0, 1C)``: back end used, front end unused
``ZE1``    ``(0, E, 1C)``: front end used, back end unused
``EE1``    ``(E, E, 1C)``
``EE2``    ``(E, E, 2C)``: two components, one at each end
``EMPTY``  ``(0, 0, 0C)``: nothing built yet
=========  =========================================================

Vertical table (class before the aisle's edges x pattern -> class after), written
out from the parity/connectivity logic: one pass flips both parities and joins the
ends; two passes join them; a pattern from one end only uses that end (a new
component when the end was unused while the other one is used); ``BOTH_ENDS`` uses
both ends without joining them.

Horizontal table (class after aisle ``j`` -> copies on the (front, back) cross aisle
towards the next aisle, class there). Copies must make every degree even, so an odd
end takes one copy and an even end none or two; dropping both copies of a component
would close it before the last aisle. A depot on an end with degree 0 must take two
copies there (a new component). After the last aisle the tour is complete exactly
in the classes ``E01``, ``ZE1`` and ``EE1`` (with the depot's end used).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simulation.layout import Layout, PickLocation
from simulation.routing_policies.base import Tour, check_picks, empty_tour
from simulation.routing_policies.exact import (
    BOTH_ENDS,
    FROM_BACK,
    FROM_FRONT,
    NONE,
    ONE_PASS,
    TWO_PASSES,
    build_tour,
    prepare,
)

UU1, E01, ZE1, EE1, EE2, EMPTY = range(6)
CLASS_NAMES = ("(U,U,1C)", "(E,0,1C)", "(0,E,1C)", "(E,E,1C)", "(E,E,2C)", "(0,0,0C)")


def _row(none: int, one: int, two: int, front: int, back: int, both: int) -> tuple[int, ...]:
    row = [0] * 6
    row[NONE], row[ONE_PASS], row[TWO_PASSES] = none, one, two
    row[FROM_FRONT], row[FROM_BACK], row[BOTH_ENDS] = front, back, both
    return tuple(row)


VERTICAL: tuple[tuple[int, ...], ...] = (
    # class        none   one   two   front back  both
    _row(UU1, EE1, UU1, UU1, UU1, UU1),  # UU1
    _row(E01, UU1, EE1, EE2, E01, EE2),  # E01: back end used
    _row(ZE1, UU1, EE1, ZE1, EE2, EE2),  # ZE1: front end used
    _row(EE1, UU1, EE1, EE1, EE1, EE1),  # EE1
    _row(EE2, UU1, EE1, EE2, EE2, EE2),  # EE2
    _row(EMPTY, UU1, EE1, ZE1, E01, EE2),  # EMPTY
)
"""``VERTICAL[class][pattern]``: the class after adding the aisle's edges."""

Copies = tuple[int, int]
"""Copies of the next cross-aisle edge on the (front, back) cross aisle."""

HORIZONTAL: tuple[tuple[tuple[Copies, int], ...], ...] = (
    (((1, 1), UU1),),  # UU1
    (((0, 2), E01),),  # E01
    (((2, 0), ZE1),),  # ZE1
    (((0, 2), E01), ((2, 0), ZE1), ((2, 2), EE1)),  # EE1
    (((2, 2), EE2),),  # EE2
    (),  # EMPTY: nothing to carry on
)
"""``HORIZONTAL[class]``: ``(copies, next class)`` towards the next aisle."""

DEPOT_FRONT: dict[int, tuple[tuple[Copies, int], ...]] = {
    E01: (((2, 2), EE2),),
    EMPTY: (((2, 0), ZE1),),
}
"""Replacements of :data:`HORIZONTAL` at a depot on an unused front end."""

DEPOT_BACK: dict[int, tuple[tuple[Copies, int], ...]] = {
    ZE1: (((2, 2), EE2),),
    EMPTY: (((0, 2), E01),),
}
"""Replacements of :data:`HORIZONTAL` at a depot on an unused back end."""

FINAL: dict[int, tuple[int, ...]] = {-1: (E01, ZE1, EE1), 0: (ZE1, EE1), 1: (E01, EE1)}
"""Complete-tour classes after the last aisle: any, depot at its front, at its back."""


def ratliff_rosenthal(layout: Layout, picks: Sequence[PickLocation]) -> Tour:
    """An optimal tour in a single-block layout.

    Parameters
    ----------
    layout
        A single-block warehouse (two cross aisles); the depot may be on either.
    picks
        Pick locations; duplicates allowed, empty gives a zero tour.

    Returns
    -------
    Tour
        A shortest tour; ``sequence`` is its picking order, ``path`` its walk.

    Raises
    ------
    ValueError
        When the layout has more than one block or a pick lies outside it.
    """
    if layout.blocks != 1:
        raise ValueError(f"layout must have one block, got {layout.blocks}")
    check_picks(layout, picks)
    if not picks:
        return empty_tour(layout)
    prep = prepare(layout, picks)
    aisles = prep.aisles
    last = len(aisles) - 1
    depot_table = DEPOT_FRONT if layout.depot_cross_aisle == 0 else DEPOT_BACK
    inf = math.inf
    cost = [inf] * 6
    cost[EMPTY] = 0.0
    back_vertical: list[list[tuple[int, int]]] = []
    back_horizontal: list[list[tuple[int, Copies]]] = []
    for t, j in enumerate(aisles):
        new = [inf] * 6
        came = [(-1, -1)] * 6
        options = prep.options[t][0]
        for cls in range(6):
            c = cost[cls]
            if c == inf:
                continue
            row = VERTICAL[cls]
            for option, extra in options:
                nxt = row[option]
                if c + extra < new[nxt]:
                    new[nxt] = c + extra
                    came[nxt] = (cls, option)
        back_vertical.append(came)
        cost = new
        if t == last:
            break
        step = layout.aisle_spacing * (aisles[t + 1] - j)
        new = [inf] * 6
        came_h: list[tuple[int, Copies]] = [(-1, (0, 0))] * 6
        for cls in range(6):
            c = cost[cls]
            if c == inf:
                continue
            moves = HORIZONTAL[cls]
            if j == layout.depot_aisle:
                moves = depot_table.get(cls, moves)
            for copies, nxt in moves:
                total = c + step * (copies[0] + copies[1])
                if total < new[nxt]:
                    new[nxt] = total
                    came_h[nxt] = (cls, copies)
        back_horizontal.append(came_h)
        cost = new
    final = FINAL[layout.depot_cross_aisle if aisles[last] == layout.depot_aisle else -1]
    cls = min(final, key=lambda k: cost[k])
    if cost[cls] == inf:
        raise AssertionError("no tour found")
    length = cost[cls]
    vertical: list[tuple[int]] = []
    horizontal: list[Copies] = []
    for t in range(last, -1, -1):
        cls, option = back_vertical[t][cls]
        vertical.append((option,))
        if t:
            cls, copies = back_horizontal[t - 1][cls]
            horizontal.append(copies)
    vertical.reverse()
    horizontal.reverse()
    return build_tour(layout, picks, prep, vertical, horizontal, length)
