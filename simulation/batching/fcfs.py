"""First come, first served batching."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from simulation.batching.base import Batch, Cart, OnArrival, Order


def fcfs_batches(orders: Sequence[Order], cart: Cart) -> Iterator[Batch]:
    """Fill carts in the given order; open a new cart when the next order does not fit.

    Parameters
    ----------
    orders
        Orders, oldest first.
    cart
        Cart capacity.

    Yields
    ------
    Batch
        Consecutive runs of ``orders``. An order larger than a cart gets a cart
        of its own.
    """
    current: list[Order] = []
    units = 0
    for order in orders:
        if current and not cart.fits(units + order.units, len(current) + 1):
            yield Batch(tuple(current))
            current, units = [], 0
        current.append(order)
        units += order.units
    if current:
        yield Batch(tuple(current))


@dataclass(frozen=True, slots=True)
class FCFS(OnArrival):
    """First come, first served: carts filled in arrival order.

    Parameters
    ----------
    cart
        Cart capacity.
    """

    cart: Cart

    def __call__(self, orders: Sequence[Order]) -> Iterator[Batch]:
        """Batches of consecutive orders; see :func:`fcfs_batches`."""
        return fcfs_batches(orders, self.cart)
