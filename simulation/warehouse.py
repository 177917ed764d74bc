"""The :class:`Warehouse`: resources and shared state of one simulated day.

The processes of :mod:`simulation.processes` act on one ``Warehouse``; it holds
the SimPy environment, the packing stations, the pool of orders waiting to
be picked, and the log the KPIs are computed from. Its methods are the
warehouse's rules (which batch is next, how long a tour takes, which truck
takes a parcel); they hold no ``yield``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import simpy

from simulation.batching.base import Batch, BatchingPolicy, Order
from simulation.config import ScenarioConfig, Truck
from simulation.layout import SIDES, Layout, PickLocation
from simulation.picking import route
from simulation.storage import assign_storage


class Site:
    """The physical warehouse: layout, where each SKU is stored, how pickers walk.

    Parameters
    ----------
    layout
        Aisles, cross aisles and depot.
    locate
        SKU -> pick location.
    routing
        Picker routing policy name (:data:`simulation.picking.POLICIES`).
    """

    def __init__(self, layout: Layout, locate: Mapping[int, PickLocation], routing: str) -> None:
        self.layout = layout
        self.locate = locate
        self.routing = routing
        self._lengths: dict[frozenset[PickLocation], float] = {}

    @classmethod
    def build(cls, config: ScenarioConfig, rng: np.random.Generator) -> Site:
        """The scenario's layout with its SKUs slotted by its storage policy.

        Parameters
        ----------
        config
            The scenario (``layout``, ``storage``, ``routing``).
        rng
            Stream for the storage assignment.

        Returns
        -------
        Site
            Both sides of an aisle slot are storage locations that share
            one pick location.
        """
        c = config.layout
        layout = Layout.rectangular(
            aisles=c.aisles,
            locations_per_aisle=c.locations_per_aisle,
            location_length=c.location_length,
            aisle_spacing=c.aisle_spacing,
            front_gap=c.front_gap,
            blocks=c.blocks,
            depot_aisle=c.depot_aisle,
        )
        slots = [
            layout.slot_location(aisle, slot, side)
            for aisle in range(layout.aisles)
            for slot in range(layout.locations_per_aisle)
            for side in SIDES
        ]
        depot = layout.depot
        locate = assign_storage(config.storage, slots, lambda loc: layout.distance(depot, loc), rng)
        return cls(layout, locate, config.routing)

    def picks(self, skus: Iterable[int]) -> frozenset[PickLocation]:
        """The pick locations of ``skus`` (SKUs on both sides of a slot share one)."""
        return frozenset(self.locate[sku] for sku in skus)

    def tour_length(self, skus: Iterable[int]) -> float:
        """Metres walked to pick ``skus``, cached by set of pick locations."""
        picks = self.picks(skus)
        metres = self._lengths.get(picks)
        if metres is None:
            tour = route(self.layout, sorted(picks, key=lambda p: (p.aisle, p.y)), self.routing)
            metres = self._lengths[picks] = tour.length
        return metres

    def position(self, sku: int) -> tuple[float, float]:
        """``(x, y)`` in metres of ``sku``'s pick location, ``x`` its aisle's centre line."""
        loc = self.locate[sku]
        return loc.aisle * self.layout.aisle_spacing, loc.y

    @property
    def routed(self) -> int:
        """Distinct sets of pick locations routed so far."""
        return len(self._lengths)


@dataclass(frozen=True, slots=True)
class Job:
    """A batch a picker could start now.

    Parameters
    ----------
    batch
        Orders to pick.
    metres
        Tour length.
    stops
        Pick locations visited.
    duration
        Tour time in seconds: set-up, walking, stops and units.
    """

    batch: Batch
    metres: float
    stops: int
    duration: float


@dataclass(frozen=True, slots=True)
class TourRecord:
    """A tour a picker started.

    Parameters
    ----------
    picker
        Picker name, ``"<shift>-<k>"`` (both 1-based).
    start, end
        Seconds after midnight.
    metres
        Tour length.
    orders
        Order ids on the cart.
    stops
        Pick locations visited.
    lines
        Order lines picked.
    units
        Units picked.
    """

    picker: str
    start: float
    end: float
    metres: float
    orders: tuple[str, ...]
    stops: int
    lines: int
    units: int


@dataclass
class Log:
    """What happened, as the processes report it."""

    tours: list[TourRecord] = field(default_factory=list)
    breaks: list[tuple[str, float, float]] = field(default_factory=list)
    picked: dict[str, float] = field(default_factory=dict)
    ready: dict[str, float] = field(default_factory=dict)
    truck: dict[str, int | None] = field(default_factory=dict)


class Warehouse:
    """Resources and state of one simulated day.

    Parameters
    ----------
    env
        The SimPy environment.
    config
        The scenario.
    site
        Layout, slotting and picker routing.
    policy
        How waiting orders are batched.

    Attributes
    ----------
    stations
        Packing stations, a :class:`simpy.Resource` with one slot per station.
    waiting
        Released orders not yet on a cart, oldest first.
    released
        Event triggered the next time orders are released; idle pickers wait
        on it.
    log
        Tours, breaks and order times, for the KPIs.
    """

    def __init__(
        self,
        env: simpy.Environment,
        config: ScenarioConfig,
        site: Site,
        policy: BatchingPolicy,
    ) -> None:
        self.env = env
        self.config = config
        self.site = site
        self.policy = policy
        self.stations = simpy.Resource(env, capacity=config.packing.stations)
        self.waiting: list[Order] = []
        self.released: simpy.Event = env.event()
        self.log = Log()

    def release(self, orders: Iterable[Order]) -> None:
        """Make ``orders`` available for batching and wake idle pickers."""
        self.waiting.extend(orders)
        self.released.succeed()
        self.released = self.env.event()

    def next_job(self) -> Job | None:
        """The batch the policy would pick next, or ``None`` when nothing waits."""
        if not self.waiting:
            return None
        batch = next(iter(self.policy(self.waiting)))
        metres = self.site.tour_length(batch.skus)
        stops = len(self.site.picks(batch.skus))
        p = self.config.pickers
        walk = metres / p.walk_speed
        duration = p.setup_time + walk + stops * p.time_per_stop + batch.units * p.time_per_pick
        return Job(batch, metres, stops, duration)

    def start(self, picker: str, job: Job) -> None:
        """Take ``job``'s orders off the waiting pool and log the tour."""
        taken = set(job.batch.ids)
        self.waiting = [order for order in self.waiting if order.id not in taken]
        now, batch = self.env.now, job.batch
        lines = sum(len(order.lines) for order in batch.orders)
        self.log.tours.append(
            TourRecord(
                picker,
                now,
                now + job.duration,
                job.metres,
                batch.ids,
                job.stops,
                lines,
                batch.units,
            )
        )

    def pack_time(self, order: Order) -> float:
        """Seconds to pack ``order`` at a station."""
        packing = self.config.packing
        return packing.time_per_order + order.units * packing.time_per_item

    def ship(self, order: Order) -> None:
        """Record ``order`` as ready now and put it on the next truck that takes it."""
        now = self.env.now
        self.log.ready[order.id] = now
        self.log.truck[order.id] = next_truck(self.config.trucks, now, order.carrier)


def next_truck(trucks: Iterable[Truck], time: float, carrier: str | None = None) -> int | None:
    """Index of the first truck leaving at or after ``time`` that takes ``carrier``.

    Parameters
    ----------
    trucks
        Trucks in cut-off order.
    time
        When the parcel is ready (or, for the due truck, when the order arrived).
    carrier
        The carrier the order names; ``None`` means any truck.

    Returns
    -------
    int or None
        0-based index into ``trucks``; ``None`` when every suitable truck has left.
    """
    for k, truck in enumerate(trucks):
        if truck.cutoff >= time and (carrier is None or truck.carrier == carrier):
            return k
    return None
