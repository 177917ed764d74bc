"""Seed batching (de Koster et al. 1999): grow a batch around its oldest order."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from simulation.batching.base import Batch, Cart, OnArrival, Order, Position


@dataclass(frozen=True, slots=True)
class _Footprint:
    """Aisles an order visits and the sum of its SKU positions."""

    aisles: frozenset[float]
    x: float
    y: float
    stops: int


@dataclass(frozen=True, slots=True)
class Seed(OnArrival):
    """Seed batching with the oldest order as seed, cumulative similarity.

    The oldest unbatched order seeds a cart. Orders that still fit are added
    one at a time, each time the one that adds the fewest aisles not yet in the
    cart; ties go to the order whose centre of gravity is nearest the cart's,
    then to the older order. The cart's aisles and centre grow with every
    order added ("cumulative" seed). Aisles are told apart by the ``x``
    coordinate of their centre line.

    Parameters
    ----------
    cart
        Cart capacity.
    position
        Where each SKU is stored.
    """

    cart: Cart
    position: Position

    def __call__(self, orders: Sequence[Order]) -> Iterator[Batch]:
        """Seeded batches; the n-th batch is seeded with the n-th oldest unbatched order."""
        remaining = [(order, self._footprint(order)) for order in orders]
        while remaining:
            seed, shape = remaining.pop(0)
            batch, units = [seed], seed.units
            aisles, x, y, stops = set(shape.aisles), shape.x, shape.y, shape.stops
            while (k := self._closest(remaining, units, len(batch), aisles, x, y, stops)) >= 0:
                order, shape = remaining.pop(k)
                batch.append(order)
                units += order.units
                aisles |= shape.aisles
                x, y, stops = x + shape.x, y + shape.y, stops + shape.stops
            yield Batch(tuple(batch))

    def _footprint(self, order: Order) -> _Footprint:
        points = [self.position(sku) for sku in sorted(order.skus)]
        return _Footprint(
            frozenset(p[0] for p in points),
            sum(p[0] for p in points),
            sum(p[1] for p in points),
            len(points),
        )

    def _closest(
        self,
        remaining: list[tuple[Order, _Footprint]],
        units: int,
        count: int,
        aisles: set[float],
        x: float,
        y: float,
        stops: int,
    ) -> int:
        """Index in ``remaining`` of the most similar order that fits, or -1."""
        cx, cy = x / stops, y / stops
        best, best_key = -1, (math.inf, math.inf)
        for k, (order, shape) in enumerate(remaining):
            if not self.cart.fits(units + order.units, count + 1):
                continue
            key = (
                len(shape.aisles - aisles),
                math.hypot(shape.x / shape.stops - cx, shape.y / shape.stops - cy),
            )
            if key < best_key:
                best, best_key = k, key
        return best
