"""What every routing policy returns, and the checks they share."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from simulation.layout import AislePoint, Layout, PickLocation


@dataclass(frozen=True, slots=True)
class Tour:
    """A closed picking tour from the depot back to the depot.

    Parameters
    ----------
    length
        Distance walked, in the layout's unit.
    sequence
        The picks in the order they are picked; each given pick appears once
        (duplicates in the pick list appear as often as they were given).
    order
        Indices into the given pick list, in the order picked.
    path
        The walk: the depot, every turning point on a cross aisle and every pick,
        ending at the depot. Consecutive points are joined by straight moves
        along one aisle or one cross aisle, so ``layout.path_length(path)``
        equals ``length``. An empty tour's path is just the depot.

    Raises
    ------
    ValueError
        When ``length`` is negative or not finite, or ``sequence`` and ``order``
        differ in length.
    """

    length: float
    sequence: tuple[PickLocation, ...]
    order: tuple[int, ...]
    path: tuple[AislePoint, ...]

    def __post_init__(self) -> None:
        if not math.isfinite(self.length) or self.length < 0:
            raise ValueError(f"length must be a finite number >= 0, got {self.length!r}")
        if len(self.sequence) != len(self.order):
            raise ValueError("sequence and order must have the same length")


class RoutingPolicy(Protocol):
    """A picker routing policy: a pure function of the layout and the picks."""

    def __call__(self, layout: Layout, picks: Sequence[PickLocation]) -> Tour:
        """Route one tour from the layout's depot through ``picks`` and back."""
        ...


def check_picks(layout: Layout, picks: Sequence[PickLocation]) -> None:
    """Raise ``ValueError`` unless every pick lies inside a block of ``layout``."""
    for k, pick in enumerate(picks):
        try:
            layout.check_pick(pick)
        except ValueError as exc:
            raise ValueError(f"picks[{k}]: {exc}") from None


def empty_tour(layout: Layout) -> Tour:
    """The tour of an empty pick list: stay at the depot."""
    return Tour(0.0, (), (), (layout.depot,))
