"""Order batching policies, one per module, behind :class:`BatchingPolicy`.

=================  ==========================================================
``single``         :class:`~simulation.batching.single.SingleOrder`
``fcfs``           :class:`~simulation.batching.fcfs.FCFS`
``seed``           :class:`~simulation.batching.seed.Seed`
``savings``        :class:`~simulation.batching.savings.Savings`
``time_window``    :class:`~simulation.batching.time_window.TimeWindow`
``waves``          :class:`~simulation.batching.waves.Waves`
=================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Callable

from simulation.batching.base import (
    Batch,
    BatchingPolicy,
    Cart,
    Order,
    OrderLine,
    Position,
    TourLength,
)
from simulation.batching.fcfs import FCFS
from simulation.batching.savings import Savings
from simulation.batching.seed import Seed
from simulation.batching.single import SingleOrder
from simulation.batching.time_window import TimeWindow
from simulation.batching.waves import Waves
from simulation.config import BatchingConfig

__all__ = [
    "FCFS",
    "Batch",
    "BatchingPolicy",
    "Cart",
    "Order",
    "OrderLine",
    "Position",
    "Savings",
    "Seed",
    "SingleOrder",
    "TimeWindow",
    "TourLength",
    "Waves",
    "make_policy",
]


def make_policy(
    config: BatchingConfig, *, origin: float, tour_length: TourLength, position: Position
) -> BatchingPolicy:
    """The batching policy a scenario names.

    Parameters
    ----------
    config
        The scenario's batching section.
    origin
        Start of the first time window (the warehouse opening).
    tour_length
        Metres walked to visit a set of SKUs (used by ``savings``).
    position
        Where each SKU is stored (used by ``seed``).

    Returns
    -------
    BatchingPolicy
        The policy named by ``config.policy``.
    """
    cart = Cart(config.cart_items, config.cart_totes)
    builders: dict[str, Callable[[], BatchingPolicy]] = {
        "single": SingleOrder,
        "fcfs": lambda: FCFS(cart),
        "seed": lambda: Seed(cart, position),
        "savings": lambda: Savings(cart, tour_length),
        "time_window": lambda: TimeWindow(cart, config.time_window, origin),
        "waves": lambda: Waves(cart, tuple(config.wave_times)),
    }
    return builders[config.policy]()
