"""Shared parts of the exact routing algorithms: sub-aisle options and tour recovery.

Both exact algorithms (:mod:`~simulation.routing_policies.ratliff_rosenthal` for one
block and :mod:`~simulation.routing_policies.frontier_dp` for any number) build the
tour as a multigraph on the warehouse graph: the vertices are the aisle/cross-aisle
corners and the picks, the edges are aisle segments and cross-aisle segments, each
used zero, one or two times. A multigraph is a tour exactly when it is connected,
every degree is even, and it touches the depot and every pick.

Only the aisles holding a pick, plus the depot's aisle, need to be considered. All
edges at any other aisle ``j`` can be moved onto a neighbouring aisle (contracting
the cross-aisle edges between the two): moving left changes the length by
``aisle_spacing * (copies right of j - copies left of j)``, moving right by the
opposite, so one of the two never lengthens the tour and keeps it a connected
Eulerian multigraph through the same picks. An optimal tour therefore exists that
runs straight through every other aisle.
The cross-aisle edges between two consecutive considered aisles ``j < j'`` cost
``aisle_spacing * (j' - j)`` per copy.

Within one *sub-aisle* (the part of an aisle inside one block) an optimal tour uses
one of six edge patterns (Ratliff & Rosenthal 1983):

==============  ===================================================================
``NONE``        no edge (only when the sub-aisle holds no pick)
``ONE_PASS``    one copy of the whole sub-aisle: joins its two ends, odd degrees
``TWO_PASSES``  two copies of the whole sub-aisle: joins its two ends
``FROM_FRONT``  two copies from the front end up to the farthest pick
``FROM_BACK``   two copies from the back end down to the nearest pick
``BOTH_ENDS``   two copies from each end, leaving the largest gap between two
                consecutive picks unwalked; the two ends stay apart
==============  ===================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simulation.layout import AislePoint, Layout, PickLocation
from simulation.routing_policies.base import Tour

NONE, ONE_PASS, TWO_PASSES, FROM_FRONT, FROM_BACK, BOTH_ENDS = range(6)
OPTION_NAMES = ("none", "one pass", "two passes", "from front", "from back", "both ends")

Item = tuple[float, int]
"""A pick: height and index into the pick list."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """Picks grouped by aisle and block, with the cost of every sub-aisle option.

    Parameters
    ----------
    aisles
        The aisles to consider, ascending: those holding a pick, and the depot's.
    items
        Sorted items per ``(aisle, block)``.
    options
        For each considered aisle and each of its blocks, the feasible
        ``(option, cost)`` pairs.
    cuts
        For ``BOTH_ENDS``, the number of items picked from the front end, per
        ``(aisle, block)``.
    """

    aisles: tuple[int, ...]
    items: dict[tuple[int, int], list[Item]]
    options: tuple[tuple[tuple[tuple[int, float], ...], ...], ...]
    cuts: dict[tuple[int, int], int]


def prepare(layout: Layout, picks: Sequence[PickLocation]) -> Prepared:
    """Group ``picks`` (already checked) and price every sub-aisle option."""
    cross = layout.cross_aisles
    blocks = len(cross) - 1
    items: dict[tuple[int, int], list[Item]] = {}
    for idx, p in enumerate(picks):
        items.setdefault((p.aisle, layout.block_of(p.y)), []).append((p.y, idx))
    aisles = tuple(sorted({a for a, _ in items} | {layout.depot_aisle}))
    cuts: dict[tuple[int, int], int] = {}
    options = []
    for j in aisles:
        per_block: list[tuple[tuple[int, float], ...]] = []
        for b in range(blocks):
            lo, hi = cross[b], cross[b + 1]
            length = hi - lo
            group = items.get((j, b))
            if group is None:
                per_block.append(((NONE, 0.0), (ONE_PASS, length), (TWO_PASSES, 2 * length)))
                continue
            group.sort()
            opts = [
                (ONE_PASS, length),
                (TWO_PASSES, 2 * length),
                (FROM_FRONT, 2 * (group[-1][0] - lo)),
                (FROM_BACK, 2 * (hi - group[0][0])),
            ]
            gap, cut = 0.0, 0
            for k in range(1, len(group)):
                if group[k][0] - group[k - 1][0] > gap:
                    gap, cut = group[k][0] - group[k - 1][0], k
            if cut:
                opts.append((BOTH_ENDS, 2 * (length - gap)))
                cuts[(j, b)] = cut
            per_block.append(tuple(opts))
        options.append(tuple(per_block))
    return Prepared(aisles, items, tuple(options), cuts)


def build_tour(
    layout: Layout,
    picks: Sequence[PickLocation],
    prep: Prepared,
    vertical: Sequence[Sequence[int]],
    horizontal: Sequence[Sequence[int]],
    length: float,
) -> Tour:
    """Turn the chosen edge patterns into a tour by an Euler circuit from the depot.

    Parameters
    ----------
    layout, picks, prep
        The instance.
    vertical
        For each considered aisle, the option chosen in each block.
    horizontal
        For each pair of consecutive considered aisles, the copies of the edge on
        each cross aisle.
    length
        The tour length found by the dynamic programme.

    Returns
    -------
    Tour
        Picks in the order of first visit along the circuit; ``path`` is the circuit.
    """
    ncross = len(layout.cross_aisles)
    base = layout.aisles * ncross
    ends: list[tuple[int, int]] = []

    def chain(nodes: list[int], copies: int) -> None:
        for a, b in zip(nodes, nodes[1:]):
            ends.extend([(a, b)] * copies)

    for t, j in enumerate(prep.aisles):
        for b, option in enumerate(vertical[t]):
            ids = [base + idx for _, idx in prep.items.get((j, b), ())]
            lo, hi = j * ncross + b, j * ncross + b + 1
            if option == ONE_PASS:
                chain([lo, *ids, hi], 1)
            elif option == TWO_PASSES:
                chain([lo, *ids, hi], 2)
            elif option == FROM_FRONT:
                chain([lo, *ids], 2)
            elif option == FROM_BACK:
                chain([*ids, hi], 2)
            elif option == BOTH_ENDS:
                cut = prep.cuts[(j, b)]
                chain([lo, *ids[:cut]], 2)
                chain([*ids[cut:], hi], 2)
        if t + 1 < len(prep.aisles):
            k = prep.aisles[t + 1]
            for z, copies in enumerate(horizontal[t]):
                ends.extend([(j * ncross + z, k * ncross + z)] * copies)
    start = layout.depot_aisle * ncross + layout.depot_cross_aisle
    circuit = euler_circuit(ends, start)
    path: list[AislePoint] = []
    order: list[int] = []
    seen: set[int] = set()
    for v in circuit:
        if v >= base:
            idx = v - base
            path.append(AislePoint(picks[idx].aisle, picks[idx].y))
            if idx not in seen:
                seen.add(idx)
                order.append(idx)
        else:
            j, z = divmod(v, ncross)
            path.append(AislePoint(j, layout.cross_aisles[z]))
    if len(order) != len(picks):
        raise AssertionError("the tour misses a pick")
    return Tour(length, tuple(picks[k] for k in order), tuple(order), tuple(path))


def euler_circuit(ends: Sequence[tuple[int, int]], start: int) -> list[int]:
    """Vertices of an Euler circuit through all edges ``ends`` from ``start``.

    Raises
    ------
    AssertionError
        When the edges do not form one connected Eulerian multigraph with ``start``.
    """
    adjacency: dict[int, list[tuple[int, int]]] = {}
    for e, (a, b) in enumerate(ends):
        adjacency.setdefault(a, []).append((e, b))
        adjacency.setdefault(b, []).append((e, a))
    used = bytearray(len(ends))
    pointer: dict[int, int] = {}
    stack = [start]
    circuit: list[int] = []
    while stack:
        v = stack[-1]
        out = adjacency.get(v, [])
        i = pointer.get(v, 0)
        while i < len(out) and used[out[i][0]]:
            i += 1
        pointer[v] = i
        if i == len(out):
            circuit.append(stack.pop())
        else:
            e, w = out[i]
            used[e] = 1
            stack.append(w)
    if len(circuit) != len(ends) + 1 or circuit[0] != start:
        raise AssertionError("the tour graph is not one Eulerian circuit through the depot")
    circuit.reverse()
    return circuit
