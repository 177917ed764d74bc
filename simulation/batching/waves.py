"""Scheduled waves: release all waiting orders at fixed times."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from simulation.batching.base import Batch, Cart, Order
from simulation.batching.fcfs import fcfs_batches


@dataclass(frozen=True, slots=True)
class Waves:
    """Release the orders that arrived since the last wave at each wave time.

    Within a wave, orders are batched first come, first served. An order
    arriving after the last wave is never released and ends the day in the
    backlog.

    Parameters
    ----------
    cart
        Cart capacity.
    times
        Wave release times, seconds after midnight (at least one).

    Raises
    ------
    ValueError
        When ``times`` is empty.
    """

    cart: Cart
    times: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "times", tuple(sorted(self.times)))
        if not self.times:
            raise ValueError("times must hold at least one wave time")

    def release_time(self, arrival: float) -> float:
        """First wave at or after ``arrival``; ``math.inf`` after the last wave."""
        k = bisect.bisect_left(self.times, arrival)
        return self.times[k] if k < len(self.times) else math.inf

    def __call__(self, orders: Sequence[Order]) -> Iterator[Batch]:
        """Released orders in first come, first served carts."""
        return fcfs_batches(orders, self.cart)
