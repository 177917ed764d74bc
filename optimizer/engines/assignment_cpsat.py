"""CP-SAT adapter for choosing one delivery option per shipment.

The model is pure integers (:class:`AssignmentModel`), built by
:func:`optimizer.assignment.assign_pickup_points`:

* ``x[c]``, one boolean per candidate ``c``; per shipment (a *group* of
  candidates) exactly one ``x`` is true, or the drop boolean ``u[g]`` when the
  group may be dropped (every candidate of it is at a capacity-limited site);
* ``y[p]``, one boolean per pickup point, "the point is visited":
  ``x[c] <= y[site(c)]`` and ``y[p] <= sum x`` over its candidates;
* linear limits ``sum amount * x[c] <= bound`` (parcel capacity, nested locker
  compartments);
* a first-choice count ``sum first[c] * x[c] >= need_first``;
* objective ``sum cost[c] * x[c] + sum site_cost[p] * y[p]``.

Solved in phases, each a plain CP-SAT model:

1. when some group may be dropped: minimise the number of dropped groups,
   then keep that number as an upper bound (serving a shipment comes before
   the first-choice quota);
2. minimise the objective with the quota as a hard constraint;
3. only when phase 2 is infeasible (or found nothing in its time): maximise
   the first-choice count, then minimise the objective with the count kept at
   that maximum; :attr:`AssignmentSolution.quota_met` is then ``False``.

A greedy assignment (cheapest candidate that still fits, in group order) is
the hint of every phase and the answer when CP-SAT finds nothing in time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

logger = logging.getLogger(__name__)

_MIN_PHASE_TIME = 0.05


@dataclass(frozen=True, slots=True)
class Limit:
    """A linear limit ``sum(amount * x[candidate]) <= bound``.

    Parameters
    ----------
    bound
        Right-hand side (free compartments, remaining parcel capacity).
    usage
        ``(candidate index, amount)`` pairs with ``amount > 0``.
    """

    bound: int
    usage: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class AssignmentModel:
    """The integer assignment model.

    Parameters
    ----------
    groups
        Candidate indices of each group (one group per shipment); every
        candidate is in exactly one group.
    cost
        Per candidate: cost in cents paid when it is chosen.
    site
        Per candidate: index of its pickup point, or ``-1`` for home.
    site_cost
        Per pickup point: cost in cents paid once when any candidate there is
        chosen.
    first
        Per candidate: weight in the first-choice count (member orders of its
        shipment when it is a first choice, else 0).
    limits
        Linear capacity limits.
    droppable
        Per group: whether it may be left unassigned (every candidate is at
        a capacity-limited pickup point).
    need_first
        Minimum first-choice count.
    """

    groups: tuple[tuple[int, ...], ...]
    cost: tuple[int, ...]
    site: tuple[int, ...]
    site_cost: tuple[int, ...]
    first: tuple[int, ...]
    limits: tuple[Limit, ...] = ()
    droppable: tuple[bool, ...] = ()
    need_first: int = 0

    def __post_init__(self) -> None:
        n = len(self.cost)
        for name in ("site", "first"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} must hold one entry per candidate")
        if not self.droppable:
            object.__setattr__(self, "droppable", (False,) * len(self.groups))
        if len(self.droppable) != len(self.groups):
            raise ValueError("droppable must hold one entry per group")
        if any(not g for g in self.groups):
            raise ValueError("groups must not be empty")
        seen = sorted(c for g in self.groups for c in g)
        if seen != list(range(n)):
            raise ValueError("groups must hold every candidate exactly once")

    def objective(self, chosen: Sequence[int | None]) -> int:
        """Objective value of one candidate (or ``None``) per group."""
        picked = [c for c in chosen if c is not None]
        sites = {self.site[c] for c in picked if self.site[c] >= 0}
        return sum(self.cost[c] for c in picked) + sum(self.site_cost[p] for p in sites)

    def first_count(self, chosen: Sequence[int | None]) -> int:
        """First-choice count of one candidate (or ``None``) per group."""
        return sum(self.first[c] for c in chosen if c is not None)

    def fits(self, chosen: Sequence[int | None]) -> bool:
        """Whether the chosen candidates meet every limit."""
        picked = {c for c in chosen if c is not None}
        return all(sum(a for c, a in lim.usage if c in picked) <= lim.bound for lim in self.limits)


@dataclass(frozen=True, slots=True)
class AssignmentSolution:
    """What the solver chose.

    Parameters
    ----------
    chosen
        Per group: the chosen candidate index, or ``None`` when dropped.
    objective
        Objective value in cents.
    first
        First-choice count reached.
    quota_met
        Whether ``first >= need_first``.
    status
        CP-SAT status name of the last phase, ``"TRIVIAL"`` when no choice
        was left, or ``"GREEDY"`` when CP-SAT found nothing in time.
    """

    chosen: tuple[int | None, ...]
    objective: int
    first: int
    quota_met: bool
    status: str


def solve(model: AssignmentModel, *, time_limit: float, seed: int = 0) -> AssignmentSolution:
    """Choose one candidate per group.

    Parameters
    ----------
    model
        The integer model.
    time_limit
        Seconds for all phases together (each phase gets at least 0.05 s).
    seed
        CP-SAT ``random_seed``. One worker with linearization level 2 (the
        LP relaxation of ``x <= y`` proves optimality fast), so a run that
        ends before its time limit is reproducible.

    Returns
    -------
    AssignmentSolution
        Meets every limit; meets the quota when that is possible.
    """
    greedy = _greedy(model)
    if all(len(g) == 1 for g in model.groups) and all(c is not None for c in greedy):
        return _solution(model, greedy, "TRIVIAL")
    deadline = time.monotonic() + time_limit
    hint: list[int | None] = greedy
    max_drops: int | None = None
    if any(model.droppable):
        found, status = _run(model, "drops", hint, None, None, _share(deadline, 2), seed)
        if found is not None:
            hint = found
        max_drops = sum(c is None for c in hint)
    found, status = _run(
        model, "cost", hint, max_drops, model.need_first, _share(deadline, 1), seed
    )
    if found is not None:
        return _solution(model, found, status)
    logger.info(
        "first-choice quota of %d orders cannot be met (%s); maximising the first-choice count",
        model.need_first,
        status,
    )
    found, status = _run(model, "first", hint, max_drops, None, _share(deadline, 2), seed)
    if found is not None:
        hint = found
    reached = model.first_count(hint)
    found, status = _run(model, "cost", hint, max_drops, reached, _share(deadline, 1), seed)
    if found is not None:
        return _solution(model, found, status)
    logger.warning("CP-SAT found no assignment in time; keeping the greedy one")
    return _solution(model, hint, "GREEDY")


def _share(deadline: float, phases: int) -> float:
    """Seconds for the next of ``phases`` remaining phases (at least 0.05)."""
    return max((deadline - time.monotonic()) / phases, _MIN_PHASE_TIME)


def _solution(
    model: AssignmentModel, chosen: Sequence[int | None], status: str
) -> AssignmentSolution:
    first = model.first_count(chosen)
    return AssignmentSolution(
        tuple(chosen), model.objective(chosen), first, first >= model.need_first, status
    )


def _run(
    model: AssignmentModel,
    goal: str,
    hint: Sequence[int | None],
    max_drops: int | None,
    min_first: int | None,
    time_limit: float,
    seed: int,
) -> tuple[list[int | None] | None, str]:
    """One CP-SAT phase; ``goal`` is ``"drops"``, ``"first"`` or ``"cost"``."""
    cp = cp_model.CpModel()
    x = [cp.new_bool_var(f"x{c}") for c in range(len(model.cost))]
    n_sites = len(model.site_cost)
    y = [cp.new_bool_var(f"y{p}") for p in range(n_sites)]
    u: dict[int, cp_model.IntVar] = {}
    for g, members in enumerate(model.groups):
        if model.droppable[g]:
            u[g] = cp.new_bool_var(f"u{g}")
            cp.add_exactly_one([x[c] for c in members] + [u[g]])
        else:
            cp.add_exactly_one([x[c] for c in members])
    at_site: list[list[int]] = [[] for _ in range(n_sites)]
    for c, p in enumerate(model.site):
        if p >= 0:
            at_site[p].append(c)
            cp.add_implication(x[c], y[p])
    for p, here in enumerate(at_site):
        cp.add_bool_or([x[c] for c in here]).only_enforce_if(y[p])
    for lim in model.limits:
        if sum(a for _, a in lim.usage) > lim.bound:
            cp.add(_weighted([(x[c], a) for c, a in lim.usage]) <= lim.bound)
    first = _weighted([(x[c], w) for c, w in enumerate(model.first)])
    cost = _weighted(
        [(x[c], k) for c, k in enumerate(model.cost)]
        + [(y[p], k) for p, k in enumerate(model.site_cost)]
    )
    drops = _weighted([(var, 1) for var in u.values()])
    if max_drops is not None and u:
        cp.add(drops <= max_drops)
    if min_first:
        cp.add(first >= min_first)
    if goal == "drops":
        cp.minimize(drops)
    elif goal == "first":
        cp.maximize(first)
    else:
        cp.minimize(cost)

    chosen_hint = {c for c in hint if c is not None}
    for c, var in enumerate(x):
        cp.add_hint(var, c in chosen_hint)
    for g, var in u.items():
        cp.add_hint(var, hint[g] is None)
    open_hint = {model.site[c] for c in chosen_hint if model.site[c] >= 0}
    for p, var in enumerate(y):
        cp.add_hint(var, p in open_hint)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, _MIN_PHASE_TIME)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    status = solver.solve(cp)
    name = solver.status_name(status)
    logger.debug(
        "assignment phase %s: %s in %.2f s, objective %s, bound %s",
        goal,
        name,
        solver.wall_time,
        solver.objective_value,
        solver.best_objective_bound,
    )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, name
    chosen: list[int | None] = []
    for members in model.groups:
        picked = [c for c in members if solver.boolean_value(x[c])]
        chosen.append(picked[0] if picked else None)
    return chosen, name


def _weighted(terms: Sequence[tuple[cp_model.IntVar, int]]) -> cp_model.LinearExprT:
    """``sum(coefficient * var)`` over the terms with a non-zero coefficient."""
    kept = [(v, k) for v, k in terms if k]
    return cp_model.LinearExpr.weighted_sum([v for v, _ in kept], [k for _, k in kept])


def _greedy(model: AssignmentModel) -> list[int | None]:
    """Per group in order: the cheapest candidate that still fits, else ``None``."""
    used = [0] * len(model.limits)
    usage: list[list[tuple[int, int]]] = [[] for _ in model.cost]
    for k, lim in enumerate(model.limits):
        for c, a in lim.usage:
            usage[c].append((k, a))
    open_sites: set[int] = set()
    chosen: list[int | None] = []
    for members in model.groups:
        best: int | None = None
        best_cost = 0
        for c in members:
            if any(used[k] + a > model.limits[k].bound for k, a in usage[c]):
                continue
            p = model.site[c]
            cost = model.cost[c] + (model.site_cost[p] if p >= 0 and p not in open_sites else 0)
            if best is None or cost < best_cost:
                best, best_cost = c, cost
        if best is not None:
            for k, a in usage[best]:
                used[k] += a
            if model.site[best] >= 0:
                open_sites.add(model.site[best])
        chosen.append(best)
    return chosen
