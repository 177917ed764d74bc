"""Exact routing for any number of cross aisles: a frontier dynamic programme.

This generalises Ratliff & Rosenthal's programme to ``k`` cross aisles, in the spirit
of Roodbergen & de Koster (2001b) for two blocks and Pansart, Catusse & Cambazard
(2018) for more. The tour subgraph (see :mod:`~simulation.routing_policies.exact`)
is built aisle by aisle; its *frontier* is the ``k`` corners of the current aisle.
A state records, for each frontier corner, its degree so far (0 unused, 1 odd,
2 even and non-zero) and a label naming its connected component; labels are
renumbered in order of first appearance, so equal states are equal tuples. Every
component must keep a corner on the frontier until the last aisle, and every
component has an even number of odd corners.

One aisle is processed in ``k`` steps: its ``k - 1`` sub-aisles one at a time (each
with the six edge patterns, which join or use corners and flip parities), then the
cross-aisle edges towards the next aisle, whose copies are forced odd at odd corners
and are none or two at even ones (two at an unused depot corner, which starts a new
component); a component left without copies would close early and is discarded.
After the last aisle a state is a tour when all degrees are even, one component
remains and the depot corner is used. With two cross aisles the reachable states are
exactly Ratliff & Rosenthal's equivalence classes; with three there are 23 between
aisles. State transitions depend only on the state, so they are computed once and
cached.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from itertools import product

from simulation.layout import Layout, PickLocation
from simulation.routing_policies.base import Tour, check_picks, empty_tour
from simulation.routing_policies.exact import (
    BOTH_ENDS,
    FROM_BACK,
    FROM_FRONT,
    ONE_PASS,
    TWO_PASSES,
    build_tour,
    prepare,
)

State = tuple[int, ...]
"""``(degree_0, label_0, degree_1, label_1, ...)`` over the frontier corners."""


def _canonical(degrees: Sequence[int], labels: Sequence[int]) -> State:
    names: dict[int, int] = {}
    out: list[int] = []
    for d, label in zip(degrees, labels):
        if d == 0:
            out += (0, 0)
        else:
            out += (d, names.setdefault(label, len(names) + 1))
    return tuple(out)


def _use(degrees: list[int], labels: list[int], v: int, flip: bool, fresh: int) -> None:
    if degrees[v] == 0:
        degrees[v], labels[v] = (1 if flip else 2), fresh
    elif flip:
        degrees[v] = 3 - degrees[v]


@cache
def vertical_step(state: State, block: int, option: int) -> State:
    """The state after adding ``option``'s edges in sub-aisle ``block``."""
    degrees, labels = list(state[0::2]), list(state[1::2])
    fresh = max(labels) + 1
    lo, hi = block, block + 1
    if option in (ONE_PASS, TWO_PASSES):
        flip = option == ONE_PASS
        _use(degrees, labels, lo, flip, fresh)
        _use(degrees, labels, hi, flip, fresh)
        old, new = labels[hi], labels[lo]
        labels = [new if label == old else label for label in labels]
    elif option == FROM_FRONT:
        _use(degrees, labels, lo, False, fresh)
    elif option == FROM_BACK:
        _use(degrees, labels, hi, False, fresh)
    elif option == BOTH_ENDS:
        _use(degrees, labels, lo, False, fresh)
        _use(degrees, labels, hi, False, fresh + 1)
    return _canonical(degrees, labels)


@cache
def horizontal_step(state: State, depot: int) -> tuple[tuple[State, tuple[int, ...]], ...]:
    """Successor states and cross-aisle copies towards the next aisle.

    ``depot`` is the frontier index of the depot corner when the depot is on this
    aisle, else ``-1``.
    """
    degrees, labels = state[0::2], state[1::2]
    choices: list[tuple[int, ...]] = []
    for v, d in enumerate(degrees):
        if d == 1:
            choices.append((1,))
        elif d == 2:
            choices.append((0, 2))
        else:
            choices.append((2,) if v == depot else (0,))
    alive = {label for d, label in zip(degrees, labels) if d}
    fresh = max(labels) + 1
    out = []
    for copies in product(*choices):
        if not any(copies):
            continue
        if {label for c, d, label in zip(copies, degrees, labels) if c and d} != alive:
            continue  # a component would close before the last aisle
        new_labels = [
            (label if d else fresh) if c else 0 for c, d, label in zip(copies, degrees, labels)
        ]
        out.append((_canonical(copies, new_labels), copies))
    return tuple(out)


@cache
def is_tour(state: State, depot: int) -> bool:
    """Whether a state after the last aisle is a finished tour."""
    degrees, labels = state[0::2], state[1::2]
    if any(d == 1 for d in degrees) or (depot >= 0 and degrees[depot] == 0):
        return False
    return len({label for d, label in zip(degrees, labels) if d}) == 1


def frontier_dp(layout: Layout, picks: Sequence[PickLocation]) -> Tour:
    """An optimal tour in a layout with any number of blocks.

    Parameters
    ----------
    layout
        The warehouse; the depot may be on any cross aisle.
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
    check_picks(layout, picks)
    if not picks:
        return empty_tour(layout)
    prep = prepare(layout, picks)
    aisles = prep.aisles
    ncross = len(layout.cross_aisles)
    last = len(aisles) - 1
    layer: dict[State, float] = {(0,) * (2 * ncross): 0.0}
    # One dict per step: state -> (previous state, pattern or cross-aisle copies).
    back_vertical: list[dict[State, tuple[State, int]]] = []
    back_horizontal: list[dict[State, tuple[State, tuple[int, ...]]]] = []
    depot = -1
    for t, j in enumerate(aisles):
        for b, options in enumerate(prep.options[t]):
            new: dict[State, float] = {}
            came: dict[State, tuple[State, int]] = {}
            for state, cost in layer.items():
                for option, extra in options:
                    nxt = vertical_step(state, b, option)
                    total = cost + extra
                    if total < new.get(nxt, math.inf):
                        new[nxt] = total
                        came[nxt] = (state, option)
            back_vertical.append(came)
            layer = new
        depot = layout.depot_cross_aisle if j == layout.depot_aisle else -1
        if t == last:
            break
        step = layout.aisle_spacing * (aisles[t + 1] - j)
        new = {}
        came_h: dict[State, tuple[State, tuple[int, ...]]] = {}
        for state, cost in layer.items():
            for nxt, copies in horizontal_step(state, depot):
                total = cost + step * sum(copies)
                if total < new.get(nxt, math.inf):
                    new[nxt] = total
                    came_h[nxt] = (state, copies)
        back_horizontal.append(came_h)
        layer = new
    finals = [state for state in layer if is_tour(state, depot)]
    if not finals:
        raise AssertionError("no tour found")
    state = min(finals, key=layer.__getitem__)
    length = layer[state]
    blocks = ncross - 1
    vertical: list[tuple[int, ...]] = []
    horizontal: list[tuple[int, ...]] = []
    for t in range(last, -1, -1):
        if t < last:
            state, copies = back_horizontal[t][state]
            horizontal.append(copies)
        patterns: list[int] = []
        for b in range(blocks - 1, -1, -1):
            state, pattern = back_vertical[t * blocks + b][state]
            patterns.append(pattern)
        vertical.append(tuple(reversed(patterns)))
    vertical.reverse()
    horizontal.reverse()
    return build_tour(layout, picks, prep, vertical, horizontal, length)
