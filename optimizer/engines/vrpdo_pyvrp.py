"""PyVRP adapter for the VRP with delivery options.

One PyVRP client per option, each on its own PyVRP location; a customer's
options form a required, mutually exclusive client group (a customer with a
single option is a plain required client). Arcs between two options at the
same physical location cost 0 and take no time; an arc leaving a location
for another one carries the location's stop time, so consecutive parcels at
a locker share one stop. Option prices (the caller's Lagrangian terms for
the quota and shared capacities) are paid through the group prizes: a
client's prize is its group's highest price minus its own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from optimizer.vrpdo import VrpdoModel

logger = logging.getLogger(__name__)


def solve(
    model: VrpdoModel,
    prices: Sequence[int],
    *,
    time_limit: float,
    seed: int = 0,
    options: Sequence[int] | None = None,
    initial: Sequence[Sequence[int]] | None = None,
) -> list[list[int]] | None:
    """Solve with PyVRP; return feasible routes of option ids, or ``None``.

    Parameters
    ----------
    model
        The integer model.
    prices
        Non-negative extra cost per option (engine units).
    time_limit
        Seconds.
    seed
        Random seed.
    options
        Only these options may be used (default all); each customer needs one.
    initial
        Routes of option ids to start from (ignored if they use other options).
    """
    m = model
    allowed = list(range(len(m.option_location))) if options is None else list(options)
    index = {o: k for k, o in enumerate(allowed)}
    loc = np.array([0] + [m.option_location[o] for o in allowed])
    cost = np.asarray(m.cost, dtype=np.int64)[np.ix_(loc, loc)]
    travel = np.asarray(m.travel, dtype=np.int64)[np.ix_(loc, loc)]
    stop = np.asarray(m.stop, dtype=np.int64)[loc]
    duration = travel + stop[:, None]
    same = loc[:, None] == loc[None, :]
    cost[same] = 0
    duration[same] = 0
    for k, o in enumerate(allowed):
        cost[:, k + 1] += m.option_cost[o]

    by_customer: dict[int, list[int]] = {}
    for k, o in enumerate(allowed):
        by_customer.setdefault(m.option_customer[o], []).append(k)
    clients: list[pyvrp.Client] = [None] * len(allowed)  # type: ignore[list-item]
    groups: list[pyvrp.ClientGroup] = []
    for c, members in sorted(by_customer.items()):
        several = len(members) > 1
        top = max(prices[allowed[k]] for k in members)
        for k in members:
            o = allowed[k]
            lo = m.option_location[o]
            clients[k] = pyvrp.Client(
                location=k + 1,
                delivery=[m.demand[c]],
                service_duration=m.option_time[o],
                tw_early=m.ready[lo],
                tw_late=m.latest[lo],
                prize=top - prices[o] if several else 0,
                required=not several,
                group=len(groups) if several else None,
            )
        if several:
            groups.append(pyvrp.ClientGroup(members, required=True))
    n_vehicles = max(m.vehicles, len(by_customer))
    data = pyvrp.ProblemData(
        [pyvrp.Location(0, 0) for _ in range(len(allowed) + 1)],
        clients,
        [pyvrp.Depot(0, tw_early=0, tw_late=m.latest[0])],
        [
            pyvrp.VehicleType(
                num_available=n_vehicles, capacity=[m.capacity], tw_early=0, tw_late=m.latest[0]
            )
        ],
        [cost],
        [duration],
        groups,
    )
    start = None
    if initial and all(o in index for r in initial for o in r):
        routes = [[index[o] for o in r] for r in initial if r]
        try:
            start = pyvrp.Solution(data, routes)
        except (RuntimeError, ValueError):
            start = None
    result = pyvrp.solve(
        data, MaxRuntime(time_limit), seed=seed, display=False, initial_solution=start
    )
    if not result.best.is_feasible():
        logger.info("PyVRP found no feasible solution in %.1f s", time_limit)
        return None
    return [
        [allowed[a.idx] for a in route if a.type == pyvrp.ActivityType.CLIENT]
        for route in result.best.routes()
    ]
