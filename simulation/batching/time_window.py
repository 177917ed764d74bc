"""Fixed time-window batching: release orders every ``window`` seconds."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from simulation.batching.base import Batch, Cart, Order
from simulation.batching.fcfs import fcfs_batches


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Collect orders for ``window`` seconds, then batch them first come, first served.

    Windows start at ``origin`` and follow one another: an order arriving in
    ``(origin + (k - 1) * window, origin + k * window]`` is released at
    ``origin + k * window``.

    Parameters
    ----------
    cart
        Cart capacity.
    window
        Window length in seconds (> 0).
    origin
        Start of the first window (the warehouse opening).

    Raises
    ------
    ValueError
        When ``window`` is not positive.
    """

    cart: Cart
    window: float
    origin: float = 0.0

    def __post_init__(self) -> None:
        if not self.window > 0:
            raise ValueError(f"window must be > 0, got {self.window!r}")

    def release_time(self, arrival: float) -> float:
        """End of the window in which ``arrival`` falls (never before ``origin``)."""
        windows = max(0, math.ceil((arrival - self.origin) / self.window))
        return self.origin + windows * self.window

    def __call__(self, orders: Sequence[Order]) -> Iterator[Batch]:
        """Released orders in first come, first served carts."""
        return fcfs_batches(orders, self.cart)
