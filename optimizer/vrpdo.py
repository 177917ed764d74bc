"""Vehicle routing with delivery options (VRPDO): model, checker and solver.

Each customer has one to three delivery options: a private location or a
shared one (parcel locker, shop) with a time window and a preference level.
A solution picks one option per customer and builds routes from one depot
under vehicle capacity, time windows, shared-location capacities (in parcels)
and a service-quality quota: at least 80 % of the customers served with their
first choice (``priority`` 0) and at least 90 % with ``priority`` 0 or 1.

Time semantics (``shared/benchmarks/vrpdo/README.md``): a vehicle leaves the
depot at 0, waits at a location until its ``ready`` time, must *start* there
by its latest time, spends the location's stop time once per stop plus each
option's per-parcel time (consecutive deliveries at one location are one
stop) and must be back at the depot by the horizon. Two conventions:

* ``"dumez"``: travel time = cost = real Euclidean distance; checked in
  double precision (tolerance 1e-6);
* ``"tilk"``: travel time = cost = ``ceil(10 * euclid)``; every window and
  service time times 10. The Mainz readme gives latest times ``DUE + 5``
  (private) and ``DUE + 2`` (shared); read as a latest *start*, that rule let
  our solutions beat two proven optima (U_25small_8, U_25small_9), so it is
  looser than the model behind them. The +5 / +2 equal the per-parcel times,
  so we read it as "parcel handling ends by DUE + handling", i.e. service
  starts by ``DUE``: the latest start is ``DUE * 10``. All 240 stored Tilk
  solutions pass or fail the same way under either reading, and a plan that
  meets the stricter rule meets the looser one too.

Solver (:func:`solve_vrpdo`): a Lagrangian loop around PyVRP.

1. The integer model (:func:`integer_model`) gives PyVRP one client per
   *option*, each on its own PyVRP location; the options of one customer form
   a required, mutually exclusive client group. Distances between options at
   one physical location are 0 and the location's stop time sits on the arcs
   *leaving* it for another location, so consecutive deliveries at a locker
   share one stop (waiting happens before the stop time, as in the checker;
   the engine also asks later parcels of a stop to start by the latest time,
   which is only conservative). Dumez distances are scaled by 1000, travel
   times rounded up, so a route feasible for the engine is feasible in
   double precision.
2. Shared-location capacities and the quota are assignment constraints PyVRP
   cannot express. They are priced: an option costs ``lambda0`` if it is not
   a first choice, ``lambda1`` more if it is a third choice, and ``mu[l]`` if
   it uses shared location ``l``; the price is paid through the group's
   prizes. After each short PyVRP run (warm-started from the previous one)
   the multipliers follow the subgradient (deficit or excess times a
   decaying step).
3. Every run's routes are repaired when they break only the assignment
   constraints (:func:`repair`: cheapest option change that reduces the
   violation, reinserted at its best feasible position), and the cheapest
   checked result is kept. The best assignment is then re-optimised as a
   plain VRPTW with the options fixed.
4. If nothing feasible was found, every customer gets its own route and the
   repair fixes the assignment, so a feasible answer always comes back when
   one exists with single-customer routes; the result is always verified by
   :func:`check_vrpdo`.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

CONVENTIONS = ("dumez", "tilk")
FIRST_CHOICE_SHARE = (4, 5)
"""At least 4/5 of the customers served with a priority-0 option."""
SECOND_CHOICE_SHARE = (9, 10)
"""At least 9/10 of the customers served with a priority-0 or -1 option."""
DUMEZ_SCALE = 1000
"""Engine units per Dumez distance/time unit."""
TILK_SCALE = 10
"""Tilk times and distances are multiplied by 10 (as in the Mainz readme)."""
_TOL = 1e-6

DEPOT, SHARED, PRIVATE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class VrpdoLocation:
    """A depot, shared or private location, in instance units.

    Parameters
    ----------
    x, y
        Coordinates.
    kind
        0 depot, 1 shared location (locker, shop), 2 private location.
    ready, due
        Time window (opening hours of a shared location).
    service
        Stop time, spent once per stop.
    capacity
        Parcels a shared location takes; ``None`` otherwise.
    """

    x: float
    y: float
    kind: int
    ready: int
    due: int
    service: int
    capacity: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in (DEPOT, SHARED, PRIVATE):
            raise ValueError(f"kind: expected 0, 1 or 2, got {self.kind}")
        if self.ready > self.due:
            raise ValueError(f"ready: {self.ready} after due {self.due}")
        if self.service < 0:
            raise ValueError(f"service: must not be negative, got {self.service}")
        if (self.capacity is not None) != (self.kind == SHARED):
            raise ValueError("capacity: required for shared locations only")
        if self.capacity is not None and self.capacity <= 0:
            raise ValueError(f"capacity: must be positive, got {self.capacity}")


@dataclass(frozen=True, slots=True)
class VrpdoOption:
    """One way to serve a customer.

    Parameters
    ----------
    location
        Location id (not the depot).
    customer
        Customer id.
    priority
        Preference level, 0 = first choice.
    service
        Per-parcel handling time, instance units.
    cost
        Option cost (0 in the benchmark files; added to the route cost).
    """

    location: int
    customer: int
    priority: int
    service: int
    cost: int = 0

    def __post_init__(self) -> None:
        if self.location <= 0:
            raise ValueError(f"location: must be a non-depot id, got {self.location}")
        if self.customer < 0:
            raise ValueError(f"customer: must not be negative, got {self.customer}")
        if self.priority < 0:
            raise ValueError(f"priority: must not be negative, got {self.priority}")
        if self.service < 0:
            raise ValueError(f"service: must not be negative, got {self.service}")


@dataclass(frozen=True, slots=True)
class VrpdoInstance:
    """A VRPDO instance; ids are the positions in the tuples.

    Parameters
    ----------
    name
        Instance name.
    convention
        ``"dumez"`` or ``"tilk"`` (see the module docstring).
    vehicles
        Fleet size in the file (informative: not binding, see the README).
    capacity
        Vehicle capacity in demand units.
    demands
        Demand per customer.
    locations
        Location 0 is the depot; its window is the planning horizon.
    options
        Delivery options.
    """

    name: str
    convention: str
    vehicles: int
    capacity: int
    demands: tuple[int, ...]
    locations: tuple[VrpdoLocation, ...]
    options: tuple[VrpdoOption, ...]

    def __post_init__(self) -> None:
        if self.convention not in CONVENTIONS:
            raise ValueError(f"convention: expected one of {CONVENTIONS}, got {self.convention!r}")
        if self.capacity <= 0:
            raise ValueError(f"capacity: must be positive, got {self.capacity}")
        if not self.locations or self.locations[0].kind != DEPOT:
            raise ValueError("locations: location 0 must be the depot")
        if any(loc.kind == DEPOT for loc in self.locations[1:]):
            raise ValueError("locations: only location 0 may be a depot")
        if any(d < 0 for d in self.demands):
            raise ValueError("demands: must not be negative")
        served = set()
        for k, o in enumerate(self.options):
            if o.location >= len(self.locations):
                raise ValueError(f"options[{k}].location: no such location {o.location}")
            if o.customer >= len(self.demands):
                raise ValueError(f"options[{k}].customer: no such customer {o.customer}")
            served.add(o.customer)
        if len(served) != len(self.demands):
            raise ValueError("options: every customer needs at least one option")

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return len(self.demands)

    def options_of(self, customer: int) -> list[int]:
        """Option ids of one customer."""
        return [k for k, o in enumerate(self.options) if o.customer == customer]

    def quota(self) -> tuple[int, int]:
        """Minimum customers served at priority 0, and at priority 0 or 1."""
        n = self.n_customers
        return _ceil_share(n, FIRST_CHOICE_SHARE), _ceil_share(n, SECOND_CHOICE_SHARE)

    # --- times and distances in the instance's convention -------------------------------

    def travel(self, a: int, b: int) -> float:
        """Travel time = cost between two locations, in convention units."""
        la, lb = self.locations[a], self.locations[b]
        d = math.hypot(la.x - lb.x, la.y - lb.y)
        return math.ceil(TILK_SCALE * d) if self.convention == "tilk" else d

    def ready(self, loc: int) -> float:
        """Earliest start at a location, convention units."""
        r = self.locations[loc].ready
        return r * TILK_SCALE if self.convention == "tilk" else r

    def latest(self, loc: int) -> float:
        """Latest start at a location (depot: latest return), convention units."""
        location = self.locations[loc]
        if self.convention == "tilk":
            return location.due * TILK_SCALE
        return location.due

    def stop_time(self, loc: int) -> float:
        """Time spent once per stop at a location, convention units."""
        s = self.locations[loc].service
        return s * TILK_SCALE if self.convention == "tilk" else s

    def parcel_time(self, option: int) -> float:
        """Per-parcel handling time of an option, convention units."""
        s = self.options[option].service
        return s * TILK_SCALE if self.convention == "tilk" else s


@dataclass(frozen=True, slots=True)
class VrpdoSolution:
    """Routes as sequences of option ids (depot left out).

    Parameters
    ----------
    routes
        One tuple of option ids per vehicle used; empty routes are dropped.
    """

    routes: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if any(not r for r in self.routes):
            raise ValueError("routes: empty route")


@dataclass(frozen=True, slots=True)
class VrpdoReport:
    """What :func:`check_vrpdo` found.

    Attributes
    ----------
    feasible
        No violation.
    cost
        Total travel cost plus option costs, in the instance's convention
        (Dumez: real distance; Tilk: integer, ×10).
    vehicles
        Routes used.
    violations
        One short sentence per broken rule.
    late
        Stops and returns that were late.
    first_share, second_share
        Share of customers served at priority 0, and at priority ≤ 1.
    """

    feasible: bool
    cost: float
    vehicles: int
    violations: tuple[str, ...]
    late: int
    first_share: float
    second_share: float


@dataclass(frozen=True, slots=True)
class VrpdoParams:
    """Parameters of :func:`solve_vrpdo`.

    Parameters
    ----------
    time_limit
        Wall-clock seconds for the whole solve.
    seed
        Random seed; the same seed and time budget give comparable runs.
    """

    time_limit: float = 30.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.time_limit > 0:
            raise ValueError(f"time_limit: must be positive, got {self.time_limit}")


def _ceil_share(n: int, share: tuple[int, int]) -> int:
    return -(-n * share[0] // share[1])


# --- checker ---------------------------------------------------------------------------


def check_vrpdo(instance: VrpdoInstance, solution: VrpdoSolution) -> VrpdoReport:
    """Check a solution against every VRPDO rule, without any solver.

    Parameters
    ----------
    instance
        The instance.
    solution
        Routes of option ids.

    Returns
    -------
    VrpdoReport
        Cost in the instance's convention, and every violation: customers
        missing or served twice, unknown options, vehicle capacity, late
        stops and returns, shared-location capacity, and the 80 %/90 %
        preference quota.
    """
    inst = instance
    violations: list[str] = []
    served: dict[int, int] = {}
    parcels: dict[int, int] = {}
    cost = 0.0
    late = 0
    tol = 0 if inst.convention == "tilk" else _TOL
    for r, route in enumerate(solution.routes):
        if any(not 0 <= o < len(inst.options) for o in route):
            violations.append(f"route {r}: unknown option")
            continue
        load = sum(inst.demands[inst.options[o].customer] for o in route)
        if load > inst.capacity:
            violations.append(f"route {r}: load {load} over capacity {inst.capacity}")
        t: float = 0
        prev = 0
        for o in route:
            option = inst.options[o]
            served[option.customer] = served.get(option.customer, 0) + 1
            loc = option.location
            if inst.locations[loc].kind == SHARED:
                parcels[loc] = parcels.get(loc, 0) + 1
            cost += option.cost
            if loc != prev:
                travel = inst.travel(prev, loc)
                cost += travel
                t = max(t + travel, inst.ready(loc))
                if t > inst.latest(loc) + tol:
                    late += 1
                    violations.append(
                        f"route {r}: starts at location {loc} at {t:g}, "
                        f"after its latest {inst.latest(loc):g}"
                    )
                t += inst.stop_time(loc)
            t += inst.parcel_time(o)
            prev = loc
        back = inst.travel(prev, 0)
        cost += back
        t += back
        if t > inst.latest(0) + tol:
            late += 1
            violations.append(f"route {r}: back at {t:g}, after the horizon {inst.latest(0):g}")
    for c in range(inst.n_customers):
        count = served.get(c, 0)
        if count != 1:
            violations.append(f"customer {c}: served {count} times")
    for loc, count in sorted(parcels.items()):
        cap = inst.locations[loc].capacity
        assert cap is not None
        if count > cap:
            violations.append(f"location {loc}: {count} parcels over capacity {cap}")
    prios = [
        inst.options[o].priority
        for route in solution.routes
        for o in route
        if 0 <= o < len(inst.options)
    ]
    first = sum(p == 0 for p in prios)
    second = sum(p <= 1 for p in prios)
    need_first, need_second = inst.quota()
    if first < need_first:
        violations.append(f"quota: {first} first choices, at least {need_first} needed")
    if second < need_second:
        violations.append(f"quota: {second} first or second choices, at least {need_second} needed")
    n = max(inst.n_customers, 1)
    return VrpdoReport(
        feasible=not violations,
        cost=cost,
        vehicles=len(solution.routes),
        violations=tuple(violations),
        late=late,
        first_share=first / n,
        second_share=second / n,
    )


def vrpdo_plan_dict(instance: VrpdoInstance, solution: VrpdoSolution) -> dict[str, Any]:
    """A JSON-ready plan with the instance's own customer and location ids.

    Parameters
    ----------
    instance, solution
        The instance and a solution of it.

    Returns
    -------
    dict
        ``{"instance", "convention", "routes": [{"stops": [{"customer",
        "location", "option"}, ...]}], "cost", "vehicles", "feasible",
        "violations"}``; the depot is left out of the stops and the cost is in
        the instance's convention.
    """
    report = check_vrpdo(instance, solution)
    routes = []
    for route in solution.routes:
        stops = []
        for o in route:
            option = instance.options[o] if 0 <= o < len(instance.options) else None
            stops.append(
                {
                    "customer": option.customer if option else None,
                    "location": option.location if option else None,
                    "option": o,
                }
            )
        routes.append({"stops": stops})
    return {
        "instance": instance.name,
        "convention": instance.convention,
        "routes": routes,
        "cost": round(report.cost, 6),
        "vehicles": report.vehicles,
        "feasible": report.feasible,
        "violations": list(report.violations),
    }


# --- integer model used by the engine and the repair -------------------------------------


@dataclass(frozen=True, slots=True)
class VrpdoModel:
    """The instance in integer engine units (conservative for Dumez).

    Attributes
    ----------
    cost, travel
        Location × location arc cost and travel time.
    ready, latest, stop
        Per location.
    option_location, option_customer, option_priority, option_time, option_cost
        Per option.
    demand
        Per customer.
    """

    scale: int
    cost: tuple[tuple[int, ...], ...]
    travel: tuple[tuple[int, ...], ...]
    ready: tuple[int, ...]
    latest: tuple[int, ...]
    stop: tuple[int, ...]
    shared_capacity: tuple[int | None, ...]
    option_location: tuple[int, ...]
    option_customer: tuple[int, ...]
    option_priority: tuple[int, ...]
    option_time: tuple[int, ...]
    option_cost: tuple[int, ...]
    demand: tuple[int, ...]
    capacity: int
    vehicles: int
    customer_options: tuple[tuple[int, ...], ...] = field(default=())


def integer_model(instance: VrpdoInstance) -> VrpdoModel:
    """The integer engine model of an instance.

    Tilk instances are integer already (scale 10). Dumez instances are scaled
    by :data:`DUMEZ_SCALE`: costs rounded, travel times rounded *up*, so an
    engine-feasible route is feasible in double precision.
    """
    inst = instance
    n = len(inst.locations)
    if inst.convention == "tilk":
        scale = TILK_SCALE
        travel = tuple(tuple(int(inst.travel(a, b)) for b in range(n)) for a in range(n))
        cost = travel
        ready = tuple(int(inst.ready(k)) for k in range(n))
        latest = tuple(int(inst.latest(k)) for k in range(n))
        stop = tuple(int(inst.stop_time(k)) for k in range(n))
        option_time = tuple(int(inst.parcel_time(k)) for k in range(len(inst.options)))
        option_cost = tuple(o.cost * scale for o in inst.options)
    else:
        scale = DUMEZ_SCALE
        real = [[inst.travel(a, b) * scale for b in range(n)] for a in range(n)]
        travel = tuple(tuple(math.ceil(d - 1e-9) for d in row) for row in real)
        cost = tuple(tuple(round(d) for d in row) for row in real)
        ready = tuple(loc.ready * scale for loc in inst.locations)
        latest = tuple(loc.due * scale for loc in inst.locations)
        stop = tuple(loc.service * scale for loc in inst.locations)
        option_time = tuple(o.service * scale for o in inst.options)
        option_cost = tuple(o.cost * scale for o in inst.options)
    return VrpdoModel(
        scale=scale,
        cost=cost,
        travel=travel,
        ready=ready,
        latest=latest,
        stop=stop,
        shared_capacity=tuple(loc.capacity for loc in inst.locations),
        option_location=tuple(o.location for o in inst.options),
        option_customer=tuple(o.customer for o in inst.options),
        option_priority=tuple(o.priority for o in inst.options),
        option_time=option_time,
        option_cost=option_cost,
        demand=inst.demands,
        capacity=inst.capacity,
        vehicles=inst.vehicles,
        customer_options=tuple(tuple(inst.options_of(c)) for c in range(inst.n_customers)),
    )


def route_ok(model: VrpdoModel, route: list[int] | tuple[int, ...]) -> bool:
    """Whether one route of option ids keeps capacity and windows (engine units)."""
    m = model
    if sum(m.demand[m.option_customer[o]] for o in route) > m.capacity:
        return False
    t = 0
    prev = 0
    for o in route:
        loc = m.option_location[o]
        if loc != prev:
            t = max(t + m.travel[prev][loc], m.ready[loc])
            if t > m.latest[loc]:
                return False
            t += m.stop[loc]
        t += m.option_time[o]
        prev = loc
    return t + m.travel[prev][0] <= m.latest[0]


def route_cost(model: VrpdoModel, route: list[int] | tuple[int, ...]) -> int:
    """Arc and option cost of one route, engine units."""
    m = model
    total = 0
    prev = 0
    for o in route:
        loc = m.option_location[o]
        total += m.cost[prev][loc] + m.option_cost[o]
        prev = loc
    return total + m.cost[prev][0]


def _assignment_violation(model: VrpdoModel, chosen: list[int]) -> int:
    """How far an assignment (option per customer) is from the quota and capacities."""
    m = model
    n = len(chosen)
    first = sum(m.option_priority[o] == 0 for o in chosen)
    second = sum(m.option_priority[o] <= 1 for o in chosen)
    gap = max(0, _ceil_share(n, FIRST_CHOICE_SHARE) - first)
    gap += max(0, _ceil_share(n, SECOND_CHOICE_SHARE) - second)
    load: dict[int, int] = {}
    for o in chosen:
        loc = m.option_location[o]
        if m.shared_capacity[loc] is not None:
            load[loc] = load.get(loc, 0) + 1
    for loc, count in load.items():
        cap = m.shared_capacity[loc]
        assert cap is not None
        gap += max(0, count - cap)
    return gap


def _chosen(model: VrpdoModel, routes: list[list[int]]) -> list[int]:
    chosen = [-1] * len(model.demand)
    for route in routes:
        for o in route:
            chosen[model.option_customer[o]] = o
    return chosen


def _best_insertion(
    model: VrpdoModel, routes: list[list[int]], option: int
) -> tuple[int, int, int]:
    """Cheapest feasible (delta, route, position); route ``len(routes)`` is a new one."""
    best = (route_cost(model, [option]), len(routes), 0)
    for r, route in enumerate(routes):
        base = route_cost(model, route)
        for p in range(len(route) + 1):
            trial = route[:p] + [option] + route[p:]
            delta = route_cost(model, trial) - base
            if delta < best[0] and route_ok(model, trial):
                best = (delta, r, p)
    return best


def repair(model: VrpdoModel, routes: list[list[int]]) -> list[list[int]] | None:
    """Fix quota and shared-capacity violations by changing options greedily.

    Each step moves one customer to another of its options, choosing among
    the moves that reduce the violation the one with the cheapest removal plus
    best feasible reinsertion.

    Returns
    -------
    list of list of int or None
        Feasible routes (engine model), or ``None`` if the repair got stuck.
    """
    routes = [list(r) for r in routes if r]
    if not all(route_ok(model, r) for r in routes):
        return None
    for _ in range(4 * len(model.demand) + 1):
        chosen = _chosen(model, routes)
        if -1 in chosen:
            return None
        gap = _assignment_violation(model, chosen)
        if gap == 0:
            return routes
        best: tuple[int, int, int, int, int] | None = None
        where = {o: (r, p) for r, route in enumerate(routes) for p, o in enumerate(route)}
        for c, o in enumerate(chosen):
            for alt in model.customer_options[c]:
                if alt == o:
                    continue
                trial = list(chosen)
                trial[c] = alt
                if _assignment_violation(model, trial) >= gap:
                    continue
                r, p = where[o]
                shorter = routes[r][:p] + routes[r][p + 1 :]
                saved = route_cost(model, routes[r]) - (
                    route_cost(model, shorter) if shorter else 0
                )
                rest = [shorter if k == r else x for k, x in enumerate(routes)]
                delta, into, pos = _best_insertion(model, rest, alt)
                if best is None or delta - saved < best[0]:
                    best = (delta - saved, alt, r, into, pos)
        if best is None:
            return None
        _, alt, r, into, pos = best
        routes[r].remove(chosen[model.option_customer[alt]])
        if into == len(routes):
            routes.append([alt])
        else:
            routes[into].insert(pos, alt)
        routes = [x for x in routes if x]
    return None


# --- solver ------------------------------------------------------------------------------


def _prices(model: VrpdoModel, lam0: float, lam1: float, mu: dict[int, float]) -> list[int]:
    m = model
    prices = []
    for o, loc in enumerate(m.option_location):
        p = m.option_priority[o]
        price = lam0 * (p >= 1) + lam1 * (p >= 2) + mu.get(loc, 0.0)
        prices.append(int(round(price)))
    return prices


def _step_size(model: VrpdoModel) -> float:
    """Mean distance from a location to its nearest other location (engine units)."""
    m = model
    near = [
        min((d for b, d in enumerate(row) if b != a and d > 0), default=1)
        for a, row in enumerate(m.cost)
    ]
    return max(1.0, sum(near) / len(near))


def _total(model: VrpdoModel, routes: list[list[int]]) -> int:
    return sum(route_cost(model, r) for r in routes)


def solve_vrpdo(instance: VrpdoInstance, params: VrpdoParams | None = None) -> VrpdoSolution:
    """Choose one option per customer and route the vehicles.

    Parameters
    ----------
    instance
        The instance.
    params
        Time limit and seed.

    Returns
    -------
    VrpdoSolution
        The cheapest solution found; :func:`check_vrpdo` accepts it whenever
        a feasible solution was found (see the module docstring).
    """
    from optimizer.engines import vrpdo_pyvrp

    params = params or VrpdoParams()
    started = time.monotonic()
    deadline = started + params.time_limit
    model = integer_model(instance)
    m = model
    need0, need1 = instance.quota()
    shared = [k for k, cap in enumerate(m.shared_capacity) if cap is not None]

    best: list[list[int]] | None = None
    best_cost = math.inf

    def keep(routes: list[list[int]] | None) -> None:
        nonlocal best, best_cost
        if routes is None:
            return
        fixed = repair(model, routes)
        if fixed is not None and (c := _total(model, fixed)) < best_cost:
            best, best_cost = fixed, c

    polish = 0.15 * params.time_limit
    rounds = 12
    chunk = max(0.5, (params.time_limit - polish) / rounds)
    step0 = _step_size(model)
    # multipliers: "first", "second", then one per shared location; each with
    # its own step, grown while its subgradient keeps its sign, halved on a flip
    lam: dict[object, float] = {}
    steps: dict[object, float] = {}
    signs: dict[object, int] = {}
    warm: list[list[int]] | None = None
    k = 0
    while deadline - time.monotonic() > polish + 0.25:
        budget = min(chunk, deadline - time.monotonic() - polish)
        mu = {loc: lam.get(loc, 0.0) for loc in shared}
        routes = vrpdo_pyvrp.solve(
            model,
            _prices(model, lam.get("first", 0.0), lam.get("second", 0.0), mu),
            time_limit=budget,
            seed=params.seed + k,
            initial=warm,
        )
        k += 1
        if routes is None:
            continue
        warm = routes
        before = best_cost
        keep(routes)
        if best is not None and best_cost < before:
            warm = best
        chosen = _chosen(model, routes)
        first = sum(m.option_priority[o] == 0 for o in chosen)
        second = sum(m.option_priority[o] <= 1 for o in chosen)
        load = {loc: 0 for loc in shared}
        for o in chosen:
            if m.option_location[o] in load:
                load[m.option_location[o]] += 1
        grads: dict[object, int] = {"first": need0 - first, "second": need1 - second}
        for loc in shared:
            cap = m.shared_capacity[loc]
            assert cap is not None
            grads[loc] = load[loc] - cap
        for key, g in grads.items():
            sign = (g > 0) - (g < 0)
            if sign == 0 or (sign < 0 and lam.get(key, 0.0) == 0.0):
                continue
            s = steps.get(key, step0)
            if signs.get(key, sign) != sign:
                s *= 0.5
            elif key in signs:
                s *= 1.5
            steps[key], signs[key] = s, sign
            lam[key] = max(0.0, lam.get(key, 0.0) + s * max(-3, min(3, g)))
        logger.debug(
            "round %d: cost %d, first %d/%d, second %d/%d, best %s",
            k,
            _total(model, routes),
            first,
            need0,
            second,
            need1,
            best_cost,
        )

    if best is None:
        keep([[c_opts[0]] for c_opts in _first_choices(model)])
    if best is not None:
        best = improve_options(model, best, deadline - 0.5 * polish)
        best_cost = _total(model, best)
    if best is not None and (left := deadline - time.monotonic()) > 0.2:
        options = sorted(o for r in best for o in r)
        polished = vrpdo_pyvrp.solve(
            model,
            [0] * len(m.option_location),
            time_limit=left,
            seed=params.seed,
            options=options,
            initial=best,
        )
        if polished is not None and all(route_ok(model, r) for r in polished):
            if _total(model, polished) < best_cost:
                best, best_cost = polished, _total(model, polished)
    if best is None:
        logger.warning("%s: no feasible solution found", instance.name)
        best = [[c_opts[0]] for c_opts in _first_choices(model)]
    solution = VrpdoSolution(tuple(tuple(r) for r in best if r))
    logger.info(
        "%s: cost %.3f, %d routes in %.1f s (%d rounds)",
        instance.name,
        check_vrpdo(instance, solution).cost,
        len(solution.routes),
        time.monotonic() - started,
        k,
    )
    return solution


def improve_options(model: VrpdoModel, routes: list[list[int]], deadline: float) -> list[list[int]]:
    """First-improvement search moving one customer to another of its options.

    A move keeps the assignment feasible (quota, shared capacities) and
    reinserts the new option at its cheapest feasible position.
    """
    routes = [list(r) for r in routes]
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        chosen = _chosen(model, routes)
        for c, o in enumerate(chosen):
            for alt in model.customer_options[c]:
                trial = list(chosen)
                trial[c] = alt
                if alt == o or _assignment_violation(model, trial) > 0:
                    continue
                r = next(k for k, route in enumerate(routes) if o in route)
                shorter = [x for x in routes[r] if x != o]
                saved = route_cost(model, routes[r]) - (
                    route_cost(model, shorter) if shorter else 0
                )
                rest = [shorter if k == r else x for k, x in enumerate(routes)]
                delta, into, pos = _best_insertion(model, rest, alt)
                if delta < saved:
                    if into == len(rest):
                        rest.append([alt])
                    else:
                        rest[into].insert(pos, alt)
                    routes = [x for x in rest if x]
                    improved = True
                    break
            if improved:
                break
    return routes


def _first_choices(model: VrpdoModel) -> list[list[int]]:
    """Each customer's options, first choice first."""
    return [sorted(opts, key=lambda o: model.option_priority[o]) for opts in model.customer_options]
