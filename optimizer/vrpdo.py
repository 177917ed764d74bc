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

Solver (:func:`solve_vrpdo`): a Lagrangian loop around PyVRP, then option
moves and OR-Tools with the assignment constraints hard.

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
   the multipliers follow the subgradient (step halved when its sign flips);
   once a multiplier has been both too low and too high it is bisected
   between the two. Halfway through the loop the routes restart from scratch
   with the prices found so far, for diversity. The loop takes 60 % of the
   time (75 % above 30 customers, 85 % above 100).
3. Every run's routes are repaired when they break only the assignment
   constraints (:func:`repair`: cheapest change of one option, or of two at
   once when one is not enough, that reduces the violation, reinserted at its
   best feasible position), polished by :func:`improve_options` when within
   3 % of the best, and the cheapest feasible result is kept.
4. The best is improved by option moves (:func:`improve_options`: one
   customer, or two at once so a tight quota stays met) alternating with
   PyVRP re-routing with the options fixed; then by OR-Tools guided local
   search (``engines/vrpdo_ortools.py``) with the locker capacities and the
   quota as hard constraints, warm-started from it, until 93 % of the time;
   then option moves again. OR-Tools is skipped above
   :data:`ORTOOLS_MAX_CUSTOMERS` customers, where the loop takes 85 %. Each
   stage's result is kept only if it is feasible in the engine model and
   cheaper.
5. If nothing feasible was found, every customer gets its own route and the
   repair fixes the assignment, so a feasible answer always comes back when
   one exists with single-customer routes; the result is always verified by
   :func:`check_vrpdo`.

Runs are reproducible per seed only as far as the time limits allow: every
stage stops on the wall clock.
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
ORTOOLS_MAX_CUSTOMERS = 100
"""Above this many customers the OR-Tools stage is skipped (too slow to pay off)."""
PAIR_REPAIR_MAX_CUSTOMERS = 100
"""Up to this many customers :func:`repair` prices every option change each step."""

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

    Each step changes the option of one customer, or of two at once (say one
    away from a full locker, which breaks a tight quota, and another to its
    first choice), choosing among the changes that reduce the violation the
    one with the cheapest removal plus best feasible reinsertion. Above
    :data:`PAIR_REPAIR_MAX_CUSTOMERS` customers, pairs are tried only when no
    single change helps.

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
        best: tuple[int, list[list[int]]] | None = None
        # up to PAIR_REPAIR_MAX_CUSTOMERS every change is priced, for the pairs
        # below; above, only when no single change reduces the violation
        exhaustive = len(chosen) <= PAIR_REPAIR_MAX_CUSTOMERS
        singles: list[tuple[int, int, int, int]] = []  # (delta, customer, old, alt)
        neutral: list[tuple[int, int, int]] = []  # (customer, old, alt), gap unchanged
        for c, o in enumerate(chosen):
            for alt in model.customer_options[c]:
                if alt == o:
                    continue
                trial = list(chosen)
                trial[c] = alt
                after = _assignment_violation(model, trial)
                if exhaustive or after < gap:
                    delta, moved = _change_option(model, routes, o, alt)
                    if after < gap and (best is None or delta < best[0]):
                        best = (delta, moved)
                    if exhaustive:
                        singles.append((delta, c, o, alt))
                elif after == gap:
                    neutral.append((c, o, alt))
        # two changes at once, e.g. one customer away from a full locker (which
        # breaks a tight quota) and another to its first choice
        if not exhaustive and best is None:
            singles = [(_change_option(model, routes, o, a)[0], c, o, a) for c, o, a in neutral]
        singles.sort()
        tried = 0
        for i, x in enumerate(singles):
            for y in singles[i + 1 :]:
                if tried >= 40 or (best is not None and x[0] + y[0] >= best[0]):
                    break
                if x[1] == y[1]:
                    continue
                trial = list(chosen)
                trial[x[1]], trial[y[1]] = x[3], y[3]
                if _assignment_violation(model, trial) >= gap:
                    continue
                tried += 1
                d1, moved = _change_option(model, routes, x[2], x[3])
                d2, moved = _change_option(model, moved, y[2], y[3])
                if best is None or d1 + d2 < best[0]:
                    best = (d1 + d2, moved)
        if best is None:
            return None
        routes = best[1]
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
        if fixed is None:
            return
        if _total(model, fixed) < 1.03 * best_cost:
            fixed = improve_options(model, fixed, time.monotonic() + 0.03 * params.time_limit)
        if (c := _total(model, fixed)) < best_cost:
            best, best_cost = fixed, c

    # share of the time for the price loop; the rest goes to option moves and
    # OR-Tools, whose guided local search pays off on small instances only
    # (above ORTOOLS_MAX_CUSTOMERS it is skipped)
    n_customers = len(m.demand)
    loop_share = (
        0.6 if n_customers <= 30 else 0.75 if n_customers <= ORTOOLS_MAX_CUSTOMERS else 0.85
    )
    polish = (1 - loop_share) * params.time_limit
    rounds = 12
    chunk = max(0.5, (params.time_limit - polish) / rounds)
    step0 = _step_size(model)
    # multipliers: "first", "second", then one per shared location; each with
    # its own step, grown while its subgradient keeps its sign, halved on a flip
    lam: dict[object, float] = {}
    steps: dict[object, float] = {}
    signs: dict[object, int] = {}
    bracket: dict[object, tuple[float, float]] = {}
    warm: list[list[int]] | None = None
    k = 0
    restart = started + 0.5 * (params.time_limit - polish)
    while deadline - time.monotonic() > polish + 0.25:
        budget = min(chunk, deadline - time.monotonic() - polish)
        if warm is not None and time.monotonic() > restart:
            # second half: keep the prices found so far, restart the routes for diversity
            warm, restart = None, math.inf
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
            now = lam.get(key, 0.0)
            low, high = bracket.get(key, (0.0, math.inf))
            if sign > 0:
                low = now
                high = high if high > low else math.inf
            else:
                high = now
                low = low if low < high else 0.0
            bracket[key] = (low, high)
            s = steps.get(key, step0)
            if signs.get(key, sign) != sign:
                s *= 0.5
            elif key in signs:
                s *= 1.2
            steps[key], signs[key] = s, sign
            stepped = max(0.0, now + s * max(-3, min(3, g)))
            # bisect once the multiplier is bracketed (a price too low and one too high)
            lam[key] = (low + high) / 2 if high < math.inf else stepped
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
        best = _option_search(
            model, best, params.seed, started + (loop_share + 0.05) * params.time_limit
        )
        best_cost = _total(model, best)
    left = deadline - time.monotonic() - 0.07 * params.time_limit
    if best is not None and n_customers <= ORTOOLS_MAX_CUSTOMERS and left > 0.2:
        from optimizer.engines import vrpdo_ortools

        found = vrpdo_ortools.solve(
            model, best, need_first=need0, need_second=need1, time_limit=left
        )
        if found is not None and _feasible(model, found) and _total(model, found) < best_cost:
            logger.debug("OR-Tools: %d -> %d", best_cost, _total(model, found))
            best, best_cost = found, _total(model, found)
    if best is not None:
        best = _option_search(model, best, params.seed, deadline - 0.05)
        best_cost = _total(model, best)
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


def _feasible(model: VrpdoModel, routes: list[list[int]]) -> bool:
    """Every customer once, every route and the assignment feasible (engine units)."""
    served = sorted(model.option_customer[o] for r in routes for o in r)
    if served != list(range(len(model.demand))):
        return False
    return all(route_ok(model, r) for r in routes) and (
        _assignment_violation(model, _chosen(model, routes)) == 0
    )


def _option_search(
    model: VrpdoModel, routes: list[list[int]], seed: int, deadline: float
) -> list[list[int]]:
    """Alternate option moves (:func:`improve_options`) and PyVRP re-routing.

    PyVRP re-routes with the options fixed, for at most a second or two per
    round, until a round brings no gain or the deadline passes.
    """
    from optimizer.engines import vrpdo_pyvrp

    best, best_cost = routes, _total(model, routes)
    k = 0
    while time.monotonic() < deadline:
        moved = improve_options(model, best, deadline)
        left = deadline - time.monotonic()
        if left < 0.2:
            if _total(model, moved) < best_cost and _feasible(model, moved):
                best = moved
            break
        options = sorted(o for r in moved for o in r)
        routed = vrpdo_pyvrp.solve(
            model,
            [0] * len(model.option_location),
            time_limit=min(left, 0.5 + 0.02 * len(options)),
            seed=seed + k,
            options=options,
            initial=moved,
        )
        k += 1
        candidates = [moved] + ([routed] if routed is not None else [])
        gain = False
        for cand in candidates:
            if _total(model, cand) < best_cost and _feasible(model, cand):
                best, best_cost, gain = cand, _total(model, cand), True
        logger.debug("option search round %d: %d", k, best_cost)
        if not gain:
            break
    return best


def _change_option(
    model: VrpdoModel, routes: list[list[int]], old: int, alt: int
) -> tuple[int, list[list[int]]]:
    """Cost change and routes after replacing option ``old`` by ``alt``.

    ``alt`` goes to its cheapest feasible position (possibly a new route).
    """
    r = next(k for k, route in enumerate(routes) if old in route)
    shorter = [x for x in routes[r] if x != old]
    saved = route_cost(model, routes[r]) - (route_cost(model, shorter) if shorter else 0)
    rest = [shorter if k == r else list(x) for k, x in enumerate(routes)]
    delta, into, pos = _best_insertion(model, rest, alt)
    if into == len(rest):
        rest.append([alt])
    else:
        rest[into].insert(pos, alt)
    return delta - saved, [x for x in rest if x]


def improve_options(model: VrpdoModel, routes: list[list[int]], deadline: float) -> list[list[int]]:
    """Local search moving one or two customers to other options.

    A single move changes one customer's option; a pair move changes two at
    once (typically one to its first choice and another away from it, which
    keeps a tight quota). Every accepted move keeps the assignment feasible
    (quota, shared capacities) and strictly lowers the cost; new options go
    to their cheapest feasible position.
    """
    routes = [list(r) for r in routes]
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        chosen = _chosen(model, routes)
        singles: list[tuple[int, int, int, int]] = []  # (delta, customer, old, alt)
        for c, o in enumerate(chosen):
            for alt in model.customer_options[c]:
                if alt == o:
                    continue
                delta, trial_routes = _change_option(model, routes, o, alt)
                trial = list(chosen)
                trial[c] = alt
                if delta < 0 and _assignment_violation(model, trial) == 0:
                    routes = trial_routes
                    improved = True
                    break
                singles.append((delta, c, o, alt))
            if improved or time.monotonic() > deadline:
                break
        if improved or time.monotonic() > deadline:
            continue
        singles.sort()
        pairs = [
            (d1 + d2, a, b)
            for i, a in enumerate(singles)
            for b in singles[i + 1 :]
            if a[1] != b[1] and (d1 := a[0]) + (d2 := b[0]) < 0
        ]
        pairs.sort()
        for _, a, b in pairs[:60]:
            if time.monotonic() > deadline:
                break
            trial = list(chosen)
            trial[a[1]], trial[b[1]] = a[3], b[3]
            if _assignment_violation(model, trial) > 0:
                continue
            d1, step = _change_option(model, routes, a[2], a[3])
            d2, step = _change_option(model, step, b[2], b[3])
            if d1 + d2 < 0:
                routes = step
                improved = True
                break
    return routes


def _first_choices(model: VrpdoModel) -> list[list[int]]:
    """Each customer's options, first choice first."""
    return [sorted(opts, key=lambda o: model.option_priority[o]) for opts in model.customer_options]
