"""Orders, batches and the batching policy interface.

A batching policy groups orders into *batches*, one picking tour each. It is a
pure callable (no SimPy): the model hands it the orders waiting to be picked,
oldest first, and takes the first batch it yields. Each policy lives in its own
module of :mod:`simulation.batching`.

Capacity
--------
A cart carries at most ``items`` units and ``totes`` orders (one order per
tote). Orders are never split: an order with more units than a cart holds is
picked alone on its own cart (an oversize cart or pallet), and the units
limit is waived for that tour only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line of an order: a quantity of one SKU.

    Parameters
    ----------
    sku
        SKU index in the catalogue (``0`` is the most popular).
    quantity
        Units to pick.

    Raises
    ------
    ValueError
        When ``sku`` is negative or ``quantity`` is not positive.
    """

    sku: int
    quantity: int = 1

    def __post_init__(self) -> None:
        _check_int("sku", self.sku, 0)
        _check_int("quantity", self.quantity, 1)


@dataclass(frozen=True, slots=True)
class Order:
    """A customer order to pick, pack and ship as one parcel.

    Parameters
    ----------
    id
        Order identifier, unique within a run.
    arrival
        Arrival time, seconds after midnight.
    lines
        Order lines (at least one).
    carrier
        Carrier whose truck must take the parcel; ``None`` means any truck.

    Raises
    ------
    ValueError
        When a field is invalid, naming the field.
    """

    id: str
    arrival: float
    lines: tuple[OrderLine, ...]
    carrier: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"id must be a non-empty string, got {self.id!r}")
        if isinstance(self.arrival, bool) or not isinstance(self.arrival, (int, float)):
            raise ValueError(f"arrival must be a number, got {self.arrival!r}")
        if not self.arrival >= 0:
            raise ValueError(f"arrival must be >= 0, got {self.arrival!r}")
        object.__setattr__(self, "lines", tuple(self.lines))
        if not self.lines:
            raise ValueError(f"order {self.id!r}: lines must hold at least one line")
        if self.carrier is not None and (not isinstance(self.carrier, str) or not self.carrier):
            raise ValueError(f"carrier must be a non-empty string or None, got {self.carrier!r}")

    @property
    def units(self) -> int:
        """Units to pick over all lines."""
        return sum(line.quantity for line in self.lines)

    @property
    def skus(self) -> frozenset[int]:
        """The SKUs of the order."""
        return frozenset(line.sku for line in self.lines)


@dataclass(frozen=True, slots=True)
class Batch:
    """Orders picked together in one tour.

    Parameters
    ----------
    orders
        The orders, oldest first (at least one).

    Raises
    ------
    ValueError
        When ``orders`` is empty.
    """

    orders: tuple[Order, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "orders", tuple(self.orders))
        if not self.orders:
            raise ValueError("orders must hold at least one order")

    @property
    def units(self) -> int:
        """Units to pick over all orders."""
        return sum(order.units for order in self.orders)

    @property
    def skus(self) -> frozenset[int]:
        """The SKUs to pick, each once however many orders hold it."""
        return frozenset().union(*(order.skus for order in self.orders))

    @property
    def ids(self) -> tuple[str, ...]:
        """Order ids, in batch order."""
        return tuple(order.id for order in self.orders)


@dataclass(frozen=True, slots=True)
class Cart:
    """What one picking tour can carry.

    Parameters
    ----------
    items
        Units a cart holds.
    totes
        Totes on a cart; each order takes one.

    Raises
    ------
    ValueError
        When a field is not a positive integer.
    """

    items: int
    totes: int

    def __post_init__(self) -> None:
        _check_int("items", self.items, 1)
        _check_int("totes", self.totes, 1)

    def fits(self, units: int, orders: int) -> bool:
        """Whether ``orders`` orders with ``units`` units in total fit on one cart."""
        return units <= self.items and orders <= self.totes


TourLength = Callable[[Iterable[int]], float]
"""Metres walked to pick the given SKUs, from the depot and back."""

Position = Callable[[int], tuple[float, float]]
"""Where a SKU is stored: ``(x, y)`` in metres, ``x`` the centre line of its aisle."""


class BatchingPolicy(Protocol):
    """When waiting orders may be batched, and how they are grouped.

    A policy is a pure object: it holds no SimPy state and no randomness.
    """

    def release_time(self, arrival: float) -> float:
        """Time at which an order arriving at ``arrival`` may be batched.

        ``math.inf`` means never (the order stays in the backlog).
        """
        ...

    def __call__(self, orders: Sequence[Order]) -> Iterator[Batch]:
        """Group released orders (oldest first) into batches.

        Yields batches in the order to pick them; the first holds the oldest
        order. Every order is in exactly one batch. Policies may be lazy: the
        model takes only the first batch each time a picker is free.
        """
        ...


class OnArrival:
    """Mix-in for policies that may batch an order as soon as it arrives."""

    __slots__ = ()

    def release_time(self, arrival: float) -> float:
        """Return ``arrival``: the order is available at once."""
        return arrival
