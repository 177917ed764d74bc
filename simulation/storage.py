"""SKU catalogue and storage assignment (slotting).

Pure functions: every random choice uses the ``numpy.random.Generator``
passed in.

Demand
------
SKU ``k`` (0-based popularity rank) has a share of order lines proportional
to ``1 / (k + 1) ** demand_skew`` (Zipf-like; ``0`` is uniform demand).

Assignment
----------
``random``
    Each SKU gets a location drawn uniformly from all locations.
``abc``
    Class-based storage. SKUs are split by popularity rank into classes A,
    B, C with the shares ``abc_shares``; locations are ranked by walking
    distance from the depot (ties broken at random). Class A SKUs take
    random locations among the nearest ``share_A`` of all locations, class B
    random free locations among the nearest ``share_A + share_B``, and class
    C random free locations among all of them. With as many SKUs as
    locations this is the textbook A/B/C zoning; with fewer SKUs the free
    locations of a zone stay open to the next class.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from simulation.batching.base import OrderLine
from simulation.config import POLICIES_STORAGE, StorageConfig

L = TypeVar("L")


@dataclass(frozen=True, slots=True)
class Catalogue:
    """SKUs and their demand.

    Parameters
    ----------
    demand
        Share of order lines of each SKU, most popular first (sums to 1).

    Raises
    ------
    ValueError
        When ``demand`` is empty, negative, or does not sum to 1.
    """

    demand: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "demand", tuple(float(p) for p in self.demand))
        if not self.demand:
            raise ValueError("demand must hold at least one SKU")
        if min(self.demand) < 0 or abs(sum(self.demand) - 1) > 1e-9:
            raise ValueError("demand must be shares >= 0 summing to 1")

    @classmethod
    def zipf(cls, skus: int, skew: float) -> Catalogue:
        """A catalogue of ``skus`` SKUs with Zipf-like demand of exponent ``skew``.

        Parameters
        ----------
        skus
            Number of SKUs (> 0).
        skew
            Exponent (>= 0); ``0`` gives every SKU the same demand.

        Returns
        -------
        Catalogue
            SKU ``k`` has demand proportional to ``1 / (k + 1) ** skew``.
        """
        if isinstance(skus, bool) or not isinstance(skus, int) or skus < 1:
            raise ValueError(f"skus must be an integer >= 1, got {skus!r}")
        if not skew >= 0:
            raise ValueError(f"skew must be >= 0, got {skew!r}")
        weights = 1.0 / np.arange(1, skus + 1, dtype=float) ** skew
        return cls(tuple(weights / weights.sum()))

    def __len__(self) -> int:
        return len(self.demand)

    def draw_lines(self, rng: np.random.Generator, count: int) -> tuple[OrderLine, ...]:
        """Order lines for ``count`` different SKUs, drawn by popularity.

        Parameters
        ----------
        rng
            Source of randomness.
        count
            Lines wanted (>= 1); capped at the number of SKUs.

        Returns
        -------
        tuple of OrderLine
            One unit of each SKU drawn, without repeats.
        """
        count = min(max(count, 1), len(self))
        skus = rng.choice(len(self), size=count, replace=False, p=self.demand)
        return tuple(OrderLine(int(sku)) for sku in skus)


def class_sizes(skus: int, shares: Sequence[float]) -> tuple[int, ...]:
    """Number of SKUs in each class when ``skus`` SKUs are split by ``shares``.

    Class boundaries are the cumulative shares rounded half up, so the sizes
    add up to ``skus``.
    """
    bounds = [0, *(_half_up(c * skus) for c in np.cumsum(shares)[:-1]), skus]
    return tuple(b - a for a, b in zip(bounds, bounds[1:]))


def random_storage(skus: int, locations: Sequence[L], rng: np.random.Generator) -> dict[int, L]:
    """Each SKU on a location drawn uniformly at random, one SKU per location.

    Parameters
    ----------
    skus
        Number of SKUs.
    locations
        Storage locations (at least ``skus``).
    rng
        Source of randomness.

    Returns
    -------
    dict
        SKU index -> location.
    """
    _check_room(skus, locations)
    chosen = rng.permutation(len(locations))[:skus]
    return {sku: locations[int(k)] for sku, k in enumerate(chosen)}


def abc_storage(
    skus: int,
    locations: Sequence[L],
    rng: np.random.Generator,
    shares: Sequence[float] = (0.2, 0.3, 0.5),
) -> dict[int, L]:
    """Class-based storage: popular SKUs on the locations nearest the depot.

    Parameters
    ----------
    skus
        Number of SKUs; SKU ``0`` is the most popular.
    locations
        Storage locations ranked nearest the depot first (at least ``skus``).
    rng
        Source of randomness (placement inside a class).
    shares
        Shares of SKUs in each class, most popular class first; the same
        shares of locations form the zones. Summing to 1.

    Returns
    -------
    dict
        SKU index -> location.
    """
    _check_room(skus, locations)
    mapping: dict[int, L] = {}
    free: list[int] = []  # indices of locations not yet taken, in zones opened so far
    zone_end, first_sku = 0, 0
    for cumulative, size in zip(np.cumsum(shares), class_sizes(skus, shares)):
        new_end = max(_half_up(cumulative * len(locations)), first_sku + size)
        free.extend(range(zone_end, new_end))
        zone_end = new_end
        picked = rng.choice(len(free), size=size, replace=False).tolist()
        for sku, k in zip(range(first_sku, first_sku + size), picked):
            mapping[sku] = locations[free[k]]
        taken = set(picked)
        free = [loc for k, loc in enumerate(free) if k not in taken]
        first_sku += size
    return mapping


def rank_by_distance(
    locations: Sequence[L], distance: Callable[[L], float], rng: np.random.Generator
) -> list[L]:
    """Locations nearest first; locations at the same distance in random order.

    Parameters
    ----------
    locations
        Storage locations.
    distance
        Walking distance of a location from the depot.
    rng
        Source of randomness for breaking ties.

    Returns
    -------
    list
        The locations, nearest the depot first.
    """
    order = rng.permutation(len(locations))
    ranked = sorted(order.tolist(), key=lambda k: distance(locations[k]))  # stable
    return [locations[k] for k in ranked]


def assign_storage(
    config: StorageConfig,
    locations: Sequence[L],
    distance: Callable[[L], float],
    rng: np.random.Generator,
) -> Mapping[int, L]:
    """Slot the scenario's SKUs with its storage policy.

    Parameters
    ----------
    config
        The scenario's storage section (``skus``, ``policy``, ``abc_shares``).
    locations
        All storage locations.
    distance
        Walking distance of a location from the depot (used by ``abc``).
    rng
        Source of randomness.

    Returns
    -------
    Mapping
        SKU index -> location.
    """
    if config.policy not in POLICIES_STORAGE:
        raise ValueError(f"storage.policy must be one of {', '.join(POLICIES_STORAGE)}")
    if config.policy == "abc":
        ranked = rank_by_distance(locations, distance, rng)
        return abc_storage(config.skus, ranked, rng, config.abc_shares)
    return random_storage(config.skus, locations, rng)


def _half_up(x: float) -> int:
    return math.floor(x + 0.5 + 1e-9)


def _check_room(skus: int, locations: Sequence[object]) -> None:
    if isinstance(skus, bool) or not isinstance(skus, int) or skus < 1:
        raise ValueError(f"skus must be an integer >= 1, got {skus!r}")
    if skus > len(locations):
        raise ValueError(f"skus ({skus}) exceeds the number of locations ({len(locations)})")
