"""Picker routing policies: pure functions from a layout and a pick list to a tour.

Every policy has the signature ``(layout, picks) -> Tour`` (:class:`RoutingPolicy`)
and is registered in :data:`POLICIES` under its name:

================  ===============================================================
``s_shape``       traverse every pick aisle (:mod:`~simulation.routing_policies.s_shape`)
``return``        enter and leave every pick aisle from the front
                  (:mod:`~simulation.routing_policies.return_policy`)
``midpoint``      split each aisle at its middle (:mod:`~simulation.routing_policies.midpoint`)
``largest_gap``   split each aisle at its largest gap
                  (:mod:`~simulation.routing_policies.largest_gap`)
``combined``      traverse or return per aisle by dynamic programming
                  (:mod:`~simulation.routing_policies.combined`)
``optimal``       a shortest tour: Ratliff & Rosenthal for one block, a frontier
                  dynamic programme for more (:mod:`~simulation.routing_policies.optimal`)
================  ===============================================================

The heuristics work for any number of blocks through the block-by-block skeleton of
Roodbergen & de Koster (2001a), :mod:`~simulation.routing_policies.skeleton`.
Distances follow :mod:`simulation.layout`. A :class:`Tour` carries its length, the
picks in picking order, and the walk (``path``), which re-measures to the length with
:meth:`~simulation.layout.Layout.path_length`; for ``optimal`` the picks alone, joined
by shortest paths from and back to the depot, measure the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulation.layout import Layout, PickLocation
from simulation.routing_policies.base import RoutingPolicy, Tour
from simulation.routing_policies.combined import combined
from simulation.routing_policies.frontier_dp import frontier_dp
from simulation.routing_policies.largest_gap import largest_gap
from simulation.routing_policies.midpoint import midpoint
from simulation.routing_policies.optimal import optimal
from simulation.routing_policies.ratliff_rosenthal import ratliff_rosenthal
from simulation.routing_policies.return_policy import return_route
from simulation.routing_policies.s_shape import s_shape

__all__ = [
    "POLICIES",
    "RoutingPolicy",
    "Tour",
    "combined",
    "frontier_dp",
    "largest_gap",
    "midpoint",
    "optimal",
    "ratliff_rosenthal",
    "return_route",
    "route",
    "s_shape",
]

POLICIES: dict[str, RoutingPolicy] = {
    "s_shape": s_shape,
    "return": return_route,
    "midpoint": midpoint,
    "largest_gap": largest_gap,
    "combined": combined,
    "optimal": optimal,
}
"""Routing policies by name."""


def route(layout: Layout, picks: Sequence[PickLocation], policy_name: str) -> Tour:
    """Route one picking tour with the named policy.

    Parameters
    ----------
    layout
        The warehouse.
    picks
        Pick locations; duplicates allowed, empty gives a zero tour.
    policy_name
        A key of :data:`POLICIES`.

    Returns
    -------
    Tour
        The policy's tour.

    Raises
    ------
    ValueError
        When the policy is unknown (the message lists the valid names) or a pick
        lies outside the layout's blocks.
    """
    policy = POLICIES.get(policy_name)
    if policy is None:
        raise ValueError(f"unknown routing policy {policy_name!r}; valid: {', '.join(POLICIES)}")
    return policy(layout, picks)
