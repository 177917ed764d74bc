"""Single-order picking: one order per tour."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from simulation.batching.base import Batch, OnArrival, Order


@dataclass(frozen=True, slots=True)
class SingleOrder(OnArrival):
    """Every order is picked in a tour of its own (discrete order picking)."""

    def __call__(self, orders: Sequence[Order]) -> Iterator[Batch]:
        """One batch per order, in the given order."""
        return (Batch((order,)) for order in orders)
