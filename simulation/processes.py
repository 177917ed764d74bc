"""SimPy processes of the picking day: release, pick, pack.

Each process is a short generator acting on a
:class:`~simulation.warehouse.Warehouse`, in the style of SimPy's car wash
example. The rules they follow live on the warehouse.

Pickers
-------
A picker is a process that works from the start to the end of its shift,
both clipped to the warehouse's opening hours. When free, it takes the batch
the batching policy puts first, unless the tour could not end before the
shift does: then the picker stops picking for the day (it does not look for
a shorter batch) but still counts as on shift. With nothing to pick, it
waits for the next release, its next break or the end of its shift. A break
starts at its scheduled time or, when a tour is under way then, as soon as
the tour ends; it always lasts its scheduled length.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Sequence

import simpy

from simulation.batching.base import Order
from simulation.config import Shift
from simulation.warehouse import Job, Warehouse

Process = Generator[simpy.Event, object, None]


def release_orders(wh: Warehouse, orders: Sequence[Order]) -> Process:
    """Release ``orders`` (oldest first) for batching when the policy allows.

    No order is released before the warehouse opens or after it closes.
    """
    opening = wh.config.opening

    def release_time(order: Order) -> float:
        return max(wh.policy.release_time(order.arrival), opening)

    for when, group in itertools.groupby(orders, key=release_time):
        if when >= wh.config.closing:
            return
        yield wh.env.timeout(when - wh.env.now)
        wh.release(group)


def picker(wh: Warehouse, name: str, shift: Shift) -> Process:
    """One picker working one shift: tours, breaks, idle waits."""
    env = wh.env
    start, end = max(shift.start, wh.config.opening), min(shift.end, wh.config.closing)
    breaks = sorted((max(b0, start), b1) for b0, b1 in shift.breaks if b1 > start and b0 < end)
    yield env.timeout(max(start - env.now, 0))
    while env.now < end:
        if breaks and env.now >= breaks[0][0]:
            begin, finish = breaks.pop(0)
            wh.log.breaks.append((name, env.now, env.now + finish - begin))
            yield env.timeout(finish - begin)
            continue
        job = wh.next_job()
        if job is None:
            until = min(end, breaks[0][0]) if breaks else end
            yield wh.released | env.timeout(until - env.now)
        elif env.now + job.duration > end:
            return
        else:
            yield from tour(wh, name, job)


def tour(wh: Warehouse, name: str, job: Job) -> Process:
    """Pick ``job``'s batch, then send each order to packing."""
    wh.start(name, job)
    yield wh.env.timeout(job.duration)
    for order in job.batch.orders:
        wh.log.picked[order.id] = wh.env.now
        wh.env.process(pack(wh, order))


def pack(wh: Warehouse, order: Order) -> Process:
    """Pack ``order`` at the first free station, then ship it."""
    with wh.stations.request() as request:
        yield request
        yield wh.env.timeout(wh.pack_time(order))
    wh.ship(order)
