"""Clarke-Wright savings batching, C&W(i): savings computed once per pair."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from simulation.batching.base import Batch, Cart, OnArrival, Order, TourLength


@dataclass(frozen=True, slots=True)
class Savings(OnArrival):
    """Clarke-Wright savings batching.

    Every order starts on a cart of its own. For each pair of orders the
    saving ``d(i) + d(j) - d(i + j)`` is computed once with ``tour_length``
    (the tour length of the scenario's routing policy, cached by the model),
    and pairs are taken in decreasing saving order: the carts holding ``i``
    and ``j`` are merged when they are different and their union fits. Pairs
    with a zero or negative saving are still merged when they fit, as a
    merged cart saves a tour's set-up time. Ties are taken oldest pair first.

    The pairwise step costs ``O(n**2)`` tour evaluations, so the orders are
    batched in consecutive groups of at most ``max_orders``, oldest first.

    Parameters
    ----------
    cart
        Cart capacity.
    tour_length
        Metres walked to visit a set of SKUs.
    max_orders
        Largest group of orders batched together.

    Raises
    ------
    ValueError
        When ``max_orders`` is below 2.
    """

    cart: Cart
    tour_length: TourLength
    max_orders: int = 50

    def __post_init__(self) -> None:
        if isinstance(self.max_orders, bool) or not isinstance(self.max_orders, int):
            raise ValueError(f"max_orders must be an integer, got {self.max_orders!r}")
        if self.max_orders < 2:
            raise ValueError(f"max_orders must be >= 2, got {self.max_orders}")

    def __call__(self, orders: Sequence[Order]) -> Iterator[Batch]:
        """Batches of each group, ordered by their oldest order."""
        for start in range(0, len(orders), self.max_orders):
            yield from self._group(orders[start : start + self.max_orders])

    def _group(self, orders: Sequence[Order]) -> list[Batch]:
        alone = [self.tour_length(order.skus) for order in orders]

        def saving(i: int, j: int) -> float:
            # Rounded so that float noise does not decide between equal savings.
            return round(alone[i] + alone[j] - self.tour_length(orders[i].skus | orders[j].skus), 6)

        pairs = sorted(
            (-saving(i, j), i, j)
            for i in range(len(orders))
            for j in range(i + 1, len(orders))
            if self.cart.fits(orders[i].units + orders[j].units, 2)
        )
        cart_of = list(range(len(orders)))
        members = {k: [k] for k in range(len(orders))}
        for _, i, j in pairs:
            a, b = cart_of[i], cart_of[j]
            if a == b:
                continue
            merged = members[a] + members[b]
            if self.cart.fits(sum(orders[k].units for k in merged), len(merged)):
                members[min(a, b)] = sorted(merged)
                del members[max(a, b)]
                for k in merged:
                    cart_of[k] = min(a, b)
        return [Batch(tuple(orders[k] for k in ks)) for _, ks in sorted(members.items())]
