"""Tests for optimizer.integrated: routing over every delivery option at once."""

from __future__ import annotations

import dataclasses

from test_pipeline import HOME_THEN_LOCKER, LOCKER, LOCKER_THEN_HOME, day, order

from optimizer.consolidation import consolidate
from optimizer.integrated import assign_integrated


def test_from_an_all_home_start_the_search_moves_neighbours_to_the_locker() -> None:
    # Start: one van visits the three homes. Their locker option (rank 1, no
    # rank cost) saves two stops of 5 min and the walk between them, so the
    # integrated search ends with all three at the locker, in one stop.
    b = day(*(order(k, HOME_THEN_LOCKER) for k in range(3)))
    cons = consolidate(b)
    start = {"van-1": [("O0", "home"), ("O1", "home"), ("O2", "home")]}
    found = assign_integrated(b, cons.shipments, cons.members, initial=start, time_limit=2, seed=1)
    assert found is not None
    assert {c.shipment_id: c.candidate.site for c in found.assignment.choices} == {
        "O0": "LCK",
        "O1": "LCK",
        "O2": "LCK",
    }
    ((vehicle, shipments),) = found.routes.items()
    assert sorted(shipments) == ["O0", "O1", "O2"]
    assert len({found.runs[s] for s in shipments}) == 1  # consecutive: one stop


def test_locker_compartments_are_a_hard_constraint() -> None:
    # Six orders want the locker first; it has 2 S + 2 M + 1 L free
    # compartments, so at most five S parcels. Start: five at the locker, the
    # sixth at home. Moving the sixth to the locker would save its home stop,
    # but the search never puts a sixth parcel there.
    b = day(*(order(k, LOCKER_THEN_HOME) for k in range(6)))
    cons = consolidate(b)
    start = {"van-1": [(f"O{k}", "LCK") for k in range(5)] + [("O5", "home")]}
    found = assign_integrated(b, cons.shipments, cons.members, initial=start, time_limit=2, seed=1)
    assert found is not None
    at_locker = [c for c in found.assignment.choices if c.candidate.site == "LCK"]
    assert len(at_locker) == 5


def test_a_start_with_an_invalid_option_is_refused() -> None:
    full = dataclasses.replace(LOCKER, occupied={"S": 2, "M": 2, "L": 1})
    b = day(*(order(k, LOCKER_THEN_HOME) for k in range(2)), points=(full,))
    cons = consolidate(b)
    start = {"van-1": [("O0", "LCK"), ("O1", "home")]}  # the full locker is no candidate
    assert assign_integrated(b, cons.shipments, cons.members, initial=start, time_limit=1) is None
