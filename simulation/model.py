"""The picking day as a SimPy model: :func:`simulate` one replication.

Orders arrive, wait for the batching policy to release them, are picked in
batches by pickers on shift, packed at packing stations, and put on the next
carrier truck. The day runs from midnight to ``closing``; an event due exactly
at ``closing`` is not part of the day.

Orders
------
Unless given, orders arrive as a non-homogeneous Poisson process: hour ``h``
of ``demand.hourly_rates`` (starting at ``demand.start``) brings
Poisson(rate) orders at uniformly random times within the hour. An order has
``1 + Poisson(lines_mean - 1)`` lines of different SKUs drawn by popularity,
one unit each. With ``demand.order_file`` set, the orders of that planner's
batch arrive at ``demand.start`` instead (:func:`orders_from_batch`). Orders
arriving before ``opening`` wait for it; orders arriving at or after
``closing`` are not part of the day.

Batching
--------
The batching policy says when an order is released for batching
(:meth:`~simulation.batching.BatchingPolicy.release_time`). Whenever a picker
is free and released orders wait, the policy batches all of them and the
picker takes the first batch (the one holding the oldest order); the others
stay waiting and are batched again, with later arrivals, by the next free
picker. So on-line FCFS with idle pickers picks single orders, and carts fill
up as pickers get busy.

Trucks
------
A packed order is one parcel. It goes on the first truck whose cut-off is at
or after its packing completion (its *ready time*), whatever the carrier,
unless the order names a carrier; a parcel that misses a truck rolls to the
next. An order is *due* for the first such truck with a cut-off at or after
its arrival (no lead time is allowed for: an order arriving a minute before
a cut-off is due for that truck); it *made it* when it went on that truck.

KPIs
----
:attr:`Replication.kpis` has these keys (floats; ``nan`` when undefined, for
instance a cycle time with no order packed):

=========================  ===================================================
``orders_arrived``         orders arrived before closing
``orders_picked``          orders whose tour ended before closing
``orders_packed``          orders packed before closing
``backlog``                ``orders_arrived - orders_packed``
``tours``                  tours completed
``orders_per_hour``        orders picked per hour of picker working hours
                           (clock hours in which some shift is on)
``lines_per_hour``         order lines picked per such hour
``picker_utilisation``     picker time on tours / picker time on shift less
                           breaks, within opening hours
``travel_per_order``       metres walked per order picked
``cycle_time_mean``        seconds from arrival to packed, mean over packed
``cycle_time_p95``         the same, 95th percentile
``cutoff_attainment``      share of the orders due for some truck that made it
``cutoff_attainment_<k>``  the same for truck ``k`` (1-based, cut-off order)
=========================  ===================================================
"""

from __future__ import annotations

import csv
import logging
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from optimizer.domain.batch import Batch as DeliveryBatch
from optimizer.domain.units import format_clock
from simulation.batching import make_policy
from simulation.batching.base import Order
from simulation.config import ScenarioConfig, Truck
from simulation.processes import picker, release_orders
from simulation.storage import Catalogue
from simulation.warehouse import Log, Site, TourRecord, Warehouse, next_truck

log = logging.getLogger(__name__)

STREAMS = ("arrivals", "content", "storage")
"""Random sources, each with its own stream spawned from the replication seed.

New sources are added at the end, so the existing streams stay the same.
"""

UTILISATION_STEP = 900
"""Seconds per sample of :attr:`Replication.utilisation`."""


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    """What became of an order that arrived before closing.

    Parameters
    ----------
    order_id
        The order; a packed order is one parcel.
    arrival
        Arrival time, seconds after midnight.
    lines
        Order lines.
    picked
        End of its picking tour; ``None`` when not picked by closing.
    ready
        Packing completion (the parcel's ready time); ``None`` when not
        packed by closing (backlog).
    truck
        1-based number, in cut-off order, of the truck that takes the parcel;
        ``None`` when not packed or every suitable truck had left.
    carrier, cutoff
        That truck's carrier and cut-off.
    due
        1-based number of the truck the order was due for (the first suitable
        truck with a cut-off at or after its arrival); ``None`` when none.
    """

    order_id: str
    arrival: float
    lines: int
    picked: float | None
    ready: float | None
    truck: int | None
    carrier: str | None
    cutoff: int | None
    due: int | None


@dataclass(frozen=True, slots=True)
class Replication:
    """Outputs of one simulated day.

    Parameters
    ----------
    scenario
        Scenario name.
    seed
        Replication seed.
    kpis
        Headline figures under stable keys (see the module docstring).
    truck_attainment
        Cut-off attainment per truck, by :func:`truck_label`.
    utilisation
        ``(time, share)`` samples: the share of rostered picker time (on
        shift, breaks included, so breaks show as dips) spent on tours in
        ``[time, time + UTILISATION_STEP)``; ``nan`` when nobody is on shift.
        The KPI ``picker_utilisation`` leaves breaks out instead.
    orders
        Every order arrived before closing, in arrival order.
    tours
        Every tour started, in start order.
    """

    scenario: str
    seed: int
    kpis: Mapping[str, float]
    truck_attainment: Mapping[str, float]
    utilisation: tuple[tuple[float, float], ...]
    orders: tuple[OrderOutcome, ...]
    tours: tuple[TourRecord, ...]

    @property
    def parcels(self) -> tuple[OrderOutcome, ...]:
        """The packed orders, in order of ready time."""
        packed = (o for o in self.orders if o.ready is not None)
        return tuple(sorted(packed, key=lambda o: o.ready or 0.0))

    @property
    def cycle_times(self) -> tuple[float, ...]:
        """Seconds from arrival to packed, per packed order, in order of ready time."""
        return tuple((o.ready or 0.0) - o.arrival for o in self.parcels)


def streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent random generators, one per source in :data:`STREAMS`.

    Parameters
    ----------
    seed
        Replication seed (>= 0).

    Returns
    -------
    dict
        Source name -> generator; the same seed gives the same generators.
    """
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}


def generate_orders(
    config: ScenarioConfig,
    catalogue: Catalogue,
    arrivals: np.random.Generator,
    content: np.random.Generator,
) -> tuple[Order, ...]:
    """Orders of one day from the scenario's demand profile.

    Parameters
    ----------
    config
        The scenario (``demand`` section).
    catalogue
        SKUs and their popularity.
    arrivals
        Stream for arrival times.
    content
        Stream for order lines.

    Returns
    -------
    tuple of Order
        Orders ``O00001, O00002, ...`` in arrival order.
    """
    demand = config.demand
    counts = arrivals.poisson(np.asarray(demand.hourly_rates, dtype=float))
    hours = np.repeat(np.arange(len(counts)), counts)
    times = np.sort(demand.start + 3600.0 * (hours + arrivals.random(len(hours))))
    extra = content.poisson(demand.lines_mean - 1.0, size=len(times))
    return tuple(
        Order(f"O{k + 1:05d}", float(t), catalogue.draw_lines(content, 1 + int(n)))
        for k, (t, n) in enumerate(zip(times, extra))
    )


def orders_from_batch(
    batch: DeliveryBatch, rng: np.random.Generator, config: ScenarioConfig
) -> tuple[Order, ...]:
    """Orders to pick for a planner's delivery batch.

    Each delivery order becomes one order, with its id, arriving at
    ``demand.start``, with one line per parcel; the lines' SKUs are different
    and drawn by popularity.

    Parameters
    ----------
    batch
        The delivery batch (:func:`optimizer.formats.batch.read_batch`).
    rng
        Stream for the SKUs.
    config
        The scenario (catalogue and ``demand.start``).

    Returns
    -------
    tuple of Order
        In the batch's order.

    Raises
    ------
    ValueError
        When an order has more parcels than there are SKUs.
    """
    catalogue = _catalogue(config)
    orders = []
    for order in batch.orders:
        if order.parcel_count > len(catalogue):
            raise ValueError(
                f"order {order.id!r}: {order.parcel_count} parcels exceed "
                f"storage.skus ({len(catalogue)})"
            )
        lines = catalogue.draw_lines(rng, order.parcel_count)
        orders.append(Order(order.id, float(config.demand.start), lines))
    return tuple(orders)


def simulate(
    config: ScenarioConfig, seed: int, orders: Sequence[Order] | None = None
) -> Replication:
    """Simulate one day of the scenario.

    Parameters
    ----------
    config
        The scenario.
    seed
        Replication seed (>= 0). Each random source draws from its own
        stream (:data:`STREAMS`), so scenarios run with the same seed see
        the same orders and storage (common random numbers).
    orders
        Orders to pick instead of the scenario's demand (for instance from
        :func:`orders_from_batch`); ids unique, SKUs in the catalogue.

    Returns
    -------
    Replication
        KPIs, time series and per-parcel ready times.

    Raises
    ------
    ValueError
        On a bad seed or order.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    rng = streams(seed)
    catalogue = _catalogue(config)
    if orders is None:
        orders = _demand(config, catalogue, rng)
    day = _check_orders(orders, len(catalogue))
    site = Site.build(config, rng["storage"])
    policy = make_policy(
        config.batching,
        origin=config.opening,
        tour_length=site.tour_length,
        position=site.position,
    )
    env = simpy.Environment()
    wh = Warehouse(env, config, site, policy)
    env.process(release_orders(wh, day))
    for s, shift in enumerate(config.pickers.shifts, start=1):
        for k in range(1, config.pickers.count + 1):
            env.process(picker(wh, f"{s}-{k}", shift))
    env.run(until=config.closing)
    log.debug("%s seed %d: %d pick sets routed", config.name, seed, site.routed)
    return _replication(config, seed, day, wh)


def write_ready_times(path: str | os.PathLike[str], replication: Replication) -> None:
    """Write the parcels' ready times as CSV for the routing side.

    Columns ``order_id,ready_time,truck,carrier,cutoff``; times ``HH:MM:SS``
    after midnight, ready times rounded up to the second. A parcel that
    missed every truck has empty ``truck``, ``carrier`` and ``cutoff``.
    Orders that arrived but were not packed by closing are listed last with
    an empty ``ready_time``: the routing side must not load them today.

    Parameters
    ----------
    path
        File to write.
    replication
        A result of :func:`simulate`.
    """
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["order_id", "ready_time", "truck", "carrier", "cutoff"])
        for p in replication.parcels:
            writer.writerow(
                [
                    p.order_id,
                    format_clock(math.ceil(p.ready or 0.0)),
                    "" if p.truck is None else p.truck,
                    p.carrier or "",
                    "" if p.cutoff is None else format_clock(p.cutoff),
                ]
            )
        for o in replication.orders:
            if o.ready is None:
                writer.writerow([o.order_id, "", "", "", ""])


def truck_label(number: int, truck: Truck) -> str:
    """Label of truck ``number`` (1-based) in :attr:`Replication.truck_attainment`."""
    return f"{number} {truck.carrier}"


# -- inputs ------------------------------------------------------------------------------


def _catalogue(config: ScenarioConfig) -> Catalogue:
    return Catalogue.zipf(config.storage.skus, config.storage.demand_skew)


def _demand(
    config: ScenarioConfig, catalogue: Catalogue, rng: Mapping[str, np.random.Generator]
) -> tuple[Order, ...]:
    if config.demand.order_file is None:
        return generate_orders(config, catalogue, rng["arrivals"], rng["content"])
    from optimizer.formats.batch import read_batch

    return orders_from_batch(read_batch(config.demand.order_file), rng["content"], config)


def _check_orders(orders: Iterable[Order], skus: int) -> list[Order]:
    """Orders sorted by arrival (stable), after checking ids and SKUs."""
    day = sorted(orders, key=lambda o: o.arrival)
    ids = Counter(o.id for o in day)
    duplicate = next((i for i, n in ids.items() if n > 1), None)
    if duplicate is not None:
        raise ValueError(f"orders: duplicate id {duplicate!r}")
    for order in day:
        if not isinstance(order, Order):
            raise ValueError(f"orders must be simulation Orders, got {type(order).__name__}")
        if any(line.sku >= skus for line in order.lines):
            raise ValueError(f"order {order.id!r}: SKU beyond storage.skus ({skus})")
    return day


# -- outputs -----------------------------------------------------------------------------


def _replication(
    config: ScenarioConfig, seed: int, orders: Sequence[Order], wh: Warehouse
) -> Replication:
    record = wh.log
    outcomes = tuple(
        _outcome(config.trucks, order, record) for order in orders if order.arrival < config.closing
    )
    packed = [o for o in outcomes if o.ready is not None]
    cycle_times = [(o.ready or 0.0) - o.arrival for o in packed]
    done = [t for t in record.tours if t.orders[0] in record.picked]
    windows = _shift_windows(config)
    busy = [(t.start, t.end) for t in record.tours]
    off = _breaks_on_shift(record.breaks, windows)
    on_duty = sum(b - a for a, b in windows.values()) - sum(b - a for _, a, b in off)
    hours = _union_length(windows.values()) / 3600
    due = Counter(o.due for o in outcomes if o.due is not None)
    made = Counter(o.due for o in outcomes if o.due is not None and o.truck == o.due)
    attainment = [_ratio(made[k], due[k]) for k in range(1, len(config.trucks) + 1)]
    kpis: dict[str, float] = {
        "orders_arrived": float(len(outcomes)),
        "orders_picked": float(len(record.picked)),
        "orders_packed": float(len(packed)),
        "backlog": float(len(outcomes) - len(packed)),
        "tours": float(len(done)),
        "orders_per_hour": _ratio(len(record.picked), hours),
        "lines_per_hour": _ratio(sum(t.lines for t in done), hours),
        "picker_utilisation": _ratio(_overlap(busy, config.opening, config.closing), on_duty),
        "travel_per_order": _ratio(sum(t.metres for t in done), len(record.picked)),
        "cycle_time_mean": float(np.mean(cycle_times)) if cycle_times else math.nan,
        "cycle_time_p95": float(np.percentile(cycle_times, 95)) if cycle_times else math.nan,
        "cutoff_attainment": _ratio(sum(made.values()), sum(due.values())),
    }
    kpis.update({f"cutoff_attainment_{k}": a for k, a in enumerate(attainment, start=1)})
    return Replication(
        scenario=config.name,
        seed=seed,
        kpis=kpis,
        truck_attainment={
            truck_label(k, t): a for k, (t, a) in enumerate(zip(config.trucks, attainment), 1)
        },
        utilisation=_utilisation(config, windows, busy),
        orders=outcomes,
        tours=tuple(record.tours),
    )


def _outcome(trucks: Sequence[Truck], order: Order, record: Log) -> OrderOutcome:
    due = next_truck(trucks, order.arrival, order.carrier)
    k = record.truck.get(order.id)
    return OrderOutcome(
        order_id=order.id,
        arrival=order.arrival,
        lines=len(order.lines),
        picked=record.picked.get(order.id),
        ready=record.ready.get(order.id),
        truck=None if k is None else k + 1,
        carrier=None if k is None else trucks[k].carrier,
        cutoff=None if k is None else trucks[k].cutoff,
        due=None if due is None else due + 1,
    )


def _shift_windows(config: ScenarioConfig) -> dict[str, tuple[float, float]]:
    """Each picker's working window: its shift clipped to the opening hours."""
    windows: dict[str, tuple[float, float]] = {}
    for s, shift in enumerate(config.pickers.shifts, start=1):
        start, end = max(shift.start, config.opening), min(shift.end, config.closing)
        for k in range(1, config.pickers.count + 1):
            windows[f"{s}-{k}"] = (start, max(start, end))
    return windows


def _breaks_on_shift(
    breaks: Iterable[tuple[str, float, float]], windows: Mapping[str, tuple[float, float]]
) -> list[tuple[str, float, float]]:
    """Breaks taken, clipped to the picker's working window."""
    clipped = []
    for name, a, b in breaks:
        start, end = windows[name]
        if min(b, end) > max(a, start):
            clipped.append((name, max(a, start), min(b, end)))
    return clipped


def _utilisation(
    config: ScenarioConfig,
    windows: Mapping[str, tuple[float, float]],
    busy: Sequence[tuple[float, float]],
) -> tuple[tuple[float, float], ...]:
    # Rostered time, breaks included: a bin where most pickers are on break
    # shows a dip, not the busy share of the few minutes left on duty.
    samples = []
    for t in range(config.opening, config.closing, UTILISATION_STEP):
        end = min(t + UTILISATION_STEP, config.closing)
        rostered = _overlap(windows.values(), t, end)
        samples.append((float(t), _ratio(_overlap(busy, t, end), rostered)))
    return tuple(samples)


def _overlap(intervals: Iterable[tuple[float, float]], start: float, end: float) -> float:
    """Total length of ``intervals`` inside ``[start, end]`` (overlaps counted twice)."""
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in intervals)


def _union_length(intervals: Iterable[tuple[float, float]]) -> float:
    total, reach = 0.0, -math.inf
    for a, b in sorted(intervals):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.nan
