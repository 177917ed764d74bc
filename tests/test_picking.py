"""Picker routing policies: hand-worked tours, optimality, closed forms, the CLI."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from api.picking_cli import format_length, pick_route
from simulation.layout import AislePoint, Layout, PickLocation, Position
from simulation.picking import (
    POLICIES,
    Tour,
    frontier_dp,
    optimal,
    ratliff_rosenthal,
    return_route,
    route,
    s_shape,
)
from simulation.sprp import read_optima, read_sprp

SPRP = Path(__file__).resolve().parent / "data" / "sprp"
SAMPLE = sorted(SPRP.glob("*.txt"))
HEURISTICS = [name for name in POLICIES if name != "optimal"]
P = PickLocation


def check_tour(layout: Layout, picks: Sequence[PickLocation], tour: Tour) -> None:
    """A tour visits every pick once, walks straight lines and measures its length."""
    assert sorted(tour.order) == list(range(len(picks)))
    assert tour.sequence == tuple(picks[k] for k in tour.order)
    assert tour.path[0] == layout.depot == tour.path[-1]
    for a, b in zip(tour.path, tour.path[1:]):
        assert a.aisle == b.aisle or (a.y == b.y and a.y in layout.cross_aisles), (a, b)
    assert layout.path_length(tour.path) == pytest.approx(tour.length, abs=1e-9)
    wanted = iter(tour.sequence)
    target = next(wanted, None)
    for point in tour.path:
        if target is not None and (point.aisle, point.y) == (target.aisle, target.y):
            target = next(wanted, None)
    assert target is None, "picks do not appear on the path in picking order"


def held_karp(layout: Layout, picks: Sequence[PickLocation]) -> float:
    """Brute-force shortest tour over shortest-path distances."""
    n = len(picks)
    if n == 0:
        return 0.0
    d = layout.shortest_path_matrix([layout.depot, *picks])
    full = 1 << n
    best = [[math.inf] * n for _ in range(full)]
    for i in range(n):
        best[1 << i][i] = d[0, i + 1]
    for mask in range(1, full):
        for last in range(n):
            cost = best[mask][last]
            if cost == math.inf:
                continue
            for nxt in range(n):
                if not mask >> nxt & 1:
                    total = cost + d[last + 1, nxt + 1]
                    if total < best[mask | 1 << nxt][nxt]:
                        best[mask | 1 << nxt][nxt] = total
    return min(best[full - 1][i] + d[i + 1, 0] for i in range(n))


# ----------------------------------------------------------------- hand-worked tours

# Single block: 3 aisles 2 apart, cross aisles at y = 0 and 10, depot at the front of
# aisle 0. Picks A (0, 2), B (1, 4), C (1, 6), D (2, 8). Horizontal travel is 8 for
# every policy (out to aisle 2 and back).
SINGLE = Layout(aisles=3, aisle_spacing=2.0, cross_aisles=(0.0, 10.0))
SINGLE_PICKS = (P(0, 2.0), P(1, 4.0), P(1, 6.0), P(2, 8.0))
SINGLE_EXPECTED = {
    # traverse 0 (10), traverse 1 (10), 3 pick aisles: return-visit 2 (2 * 8) -> 36 + 8
    "s_shape": 44.0,
    # 2 * 2 + 2 * 6 + 2 * 8 = 32, + 8
    "return": 40.0,
    # traverse 0 (10); aisle 1 split at y = 5: C from the back 2 * (10 - 6) = 8, B from
    # the front 2 * 4 = 8; traverse 2 (10) -> 36 + 8
    "midpoint": 44.0,
    # aisle 1 gaps 4 | 2 | 4: the first largest is the front one, so B and C are both
    # picked from the back, 2 * (10 - 4) = 12 -> 10 + 12 + 10 + 8
    "largest_gap": 40.0,
    # return-visit 0 (4), traverse 1 (10), traverse 2 (10) -> 24 + 8
    "combined": 32.0,
    # the same tour; vertical travel is at least 4 (aisle 0) + 20 (aisles 1 and 2:
    # two return visits cost 12 + 16, two traversals 20)
    "optimal": 32.0,
}

# Two blocks: 4 aisles 2 apart, cross aisles at y = 0, 5, 10, depot at the front of
# aisle 0. Block 0 (y < 5) holds C (3, 4) and D (2, 2); block 1 holds A (0, 9) and
# B (2, 9). Every heuristic first walks up aisle 0 to the middle cross aisle (5).
TWO = Layout(aisles=4, aisle_spacing=2.0, cross_aisles=(0.0, 5.0, 10.0))
TWO_PICKS = (P(0, 9.0), P(2, 9.0), P(3, 4.0), P(2, 2.0))
TWO_EXPECTED = {
    # block 1: traverse 0 up (5), over (4), traverse 2 down (5); block 0 from (2, 5):
    # traverse 2 down (5), over (2), last sub-aisle from the front: return-visit 3
    # (2 * 4 = 8); home (6): 5 + 5 + 4 + 5 + 5 + 2 + 8 + 6
    "s_shape": 40.0,
    # block 1 from its front: return-visit 0 (2 * 4) and 2 (4 over, 2 * 4); block 0
    # entered at its back: traverse 2 down (5), over (2), return-visit 3 (8); home (6):
    # 5 + 8 + 4 + 8 + 5 + 2 + 8 + 6
    "return": 46.0,
    # block 1: traverse 0 and 2 (5 + 4 + 5); block 0 from (2, 5): D is below the
    # sub-aisle's midpoint 2.5, so nothing from the back; over to 3 (2), traverse it
    # (5), back to 2 (2), D from the front (2 * 2), home (4): 5 + 14 + 2 + 5 + 2 + 4 + 4
    "midpoint": 36.0,
    # D's gaps are 2 (below) and 3 (above): the same split as midpoint
    "largest_gap": 36.0,
    # block 1: traverse both (14); block 0 from its back: D from the back 2 * 3 = 6,
    # over (2), traverse 3 down (5), home (6): 5 + 14 + 6 + 2 + 5 + 6
    "combined": 38.0,
    # up aisle 0 to the back (10), over (4), down aisle 2 to the middle (5), over (2),
    # down to C and back (2), over (2), down aisle 2 through D (5), home (4)
    "optimal": 34.0,
}


@pytest.mark.parametrize("name", list(POLICIES))
def test_hand_worked_single_block(name):
    tour = route(SINGLE, SINGLE_PICKS, name)
    assert tour.length == SINGLE_EXPECTED[name]
    check_tour(SINGLE, SINGLE_PICKS, tour)


@pytest.mark.parametrize("name", list(POLICIES))
def test_hand_worked_single_block_mirrored_depot_at_the_back(name):
    layout = dataclasses.replace(SINGLE, depot_cross_aisle=1, depot_aisle=2)
    picks = [P(2 - p.aisle, 10.0 - p.y) for p in SINGLE_PICKS]
    tour = route(layout, picks, name)
    assert tour.length == SINGLE_EXPECTED[name]
    check_tour(layout, picks, tour)


@pytest.mark.parametrize("name", list(POLICIES))
def test_hand_worked_two_blocks(name):
    tour = route(TWO, TWO_PICKS, name)
    assert tour.length == TWO_EXPECTED[name]
    check_tour(TWO, TWO_PICKS, tour)


def test_s_shape_returns_in_the_last_aisle_only_when_the_aisle_count_is_odd():
    layout = Layout(aisles=2, aisle_spacing=2.0, cross_aisles=(0.0, 10.0))
    # Two pick aisles: traverse both (20) + over and back (4).
    assert s_shape(layout, [P(0, 1.0), P(1, 1.0)]).length == 24.0
    # One pick aisle: a return visit, 2 * 1.
    assert s_shape(layout, [P(1, 1.0)]).length == 2 + 4


def test_optimal_sequence_remeasures_to_the_length():
    for layout, picks in ((SINGLE, SINGLE_PICKS), (TWO, TWO_PICKS)):
        tour = optimal(layout, picks)
        points: list[Position] = [layout.depot, *tour.sequence, layout.depot]
        assert layout.path_length(points) == tour.length


# ------------------------------------------------------------------- edge cases


@pytest.mark.parametrize("name", list(POLICIES))
def test_empty_pick_list_is_a_zero_tour(name):
    for layout in (SINGLE, TWO):
        tour = route(layout, [], name)
        assert tour == Tour(0.0, (), (), (layout.depot,))


@pytest.mark.parametrize("name", list(POLICIES))
def test_duplicate_positions_cost_nothing_extra(name):
    picks = [P(1, 4.0), P(2, 8.0), P(1, 4.0)]
    tour = route(TWO, picks, name)
    assert tour.length == route(TWO, picks[:2], name).length
    check_tour(TWO, picks, tour)


def test_unknown_policy_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown routing policy 'nearest'") as info:
        route(SINGLE, SINGLE_PICKS, "nearest")
    for name in POLICIES:
        assert name in str(info.value)


def test_registry_names():
    assert list(POLICIES) == ["s_shape", "return", "midpoint", "largest_gap", "combined", "optimal"]


@pytest.mark.parametrize("name", list(POLICIES))
def test_picks_outside_the_blocks_are_rejected(name):
    with pytest.raises(ValueError, match=r"picks\[1\]"):
        route(TWO, [P(0, 1.0), P(0, 5.0)], name)
    with pytest.raises(ValueError, match=r"picks\[0\].*aisle"):
        route(TWO, [P(4, 1.0)], name)


def test_tour_is_frozen_and_validated():
    tour = optimal(SINGLE, SINGLE_PICKS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tour.length = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="length"):
        Tour(-1.0, (), (), ())
    with pytest.raises(ValueError, match="order"):
        Tour(1.0, (P(0, 1.0),), (), ())


def test_ratliff_rosenthal_needs_one_block():
    with pytest.raises(ValueError, match="one block"):
        ratliff_rosenthal(TWO, TWO_PICKS)


# ------------------------------------------------------------------ benchmark sample


@pytest.fixture(scope="module")
def optima() -> dict[tuple[str, int], float]:
    return read_optima(SPRP / "optima.csv")


@pytest.mark.parametrize("blocks", [1, 2])
@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.stem)
def test_benchmark_sample(path, blocks, optima):
    layout, picks = read_sprp(path, blocks)
    best = optimal(layout, picks)
    assert best.length == pytest.approx(optima[(path.name, blocks)], abs=1e-6)
    check_tour(layout, picks, best)
    points: list[Position] = [layout.depot, *best.sequence, layout.depot]
    assert layout.path_length(points) == pytest.approx(best.length, abs=1e-6)
    if blocks == 1:
        assert frontier_dp(layout, picks).length == pytest.approx(best.length, abs=1e-9)
    lengths = {}
    for name in HEURISTICS:
        tour = route(layout, picks, name)
        check_tour(layout, picks, tour)
        assert tour.length >= best.length - 1e-9, name
        lengths[name] = tour.length
    assert lengths["combined"] <= min(lengths["s_shape"], lengths["return"]) + 1e-9


# ------------------------------------------------------ brute force on random lists


def random_instance(
    rng: np.random.Generator, cross: tuple[float, ...], n: int
) -> tuple[Layout, list[PickLocation]]:
    aisles = int(rng.integers(1, 7))
    layout = Layout(
        aisles=aisles,
        aisle_spacing=float(rng.choice([1.5, 3.0, 4.0])),
        cross_aisles=cross,
        depot_aisle=int(rng.integers(0, aisles)),
        depot_cross_aisle=int(rng.integers(0, len(cross))),
    )
    picks: list[PickLocation] = []
    while len(picks) < n:
        y = float(rng.integers(1, int(2 * cross[-1]))) / 2
        if y not in cross:
            picks.append(P(int(rng.integers(0, aisles)), y))
    if n >= 2 and rng.random() < 0.2:
        picks[-1] = picks[0]  # a duplicate position
    return layout, picks


@pytest.mark.parametrize(
    ("cross", "seed"),
    [((0.0, 11.0), 1), ((0.0, 6.0, 11.0), 2), ((0.0, 3.0, 7.5, 11.0), 3)],
    ids=["one-block", "two-blocks", "three-blocks"],
)
def test_optimal_equals_held_karp_on_random_lists(cross, seed):
    rng = np.random.default_rng(seed)
    for _ in range(60):
        layout, picks = random_instance(rng, cross, int(rng.integers(1, 8)))
        expected = held_karp(layout, picks)
        tour = optimal(layout, picks)
        assert tour.length == pytest.approx(expected, abs=1e-9), (layout, picks)
        check_tour(layout, picks, tour)
        assert frontier_dp(layout, picks).length == pytest.approx(expected, abs=1e-9)
        if len(cross) == 2:
            assert ratliff_rosenthal(layout, picks).length == pytest.approx(expected, abs=1e-9)
        for name in HEURISTICS:
            heuristic = route(layout, picks, name)
            check_tour(layout, picks, heuristic)
            assert heuristic.length >= expected - 1e-9


# ------------------------------------------------------------- closed-form means

# Research note §3, Table C: n = 10 aisles, w = 5, L = 45, e = 1.5, depot at the
# front-left corner, picks i.i.d. (aisle uniform, depth uniform on [0, L]).
# m -> (return, S-shape with the last aisle return-visited when K is odd).
TABLE_C = {1: (93.0, 93.0), 3: (204.1, 200.1), 10: (443.2, 401.4), 30: (739.0, 556.0)}
TOURS = 3000


def test_monte_carlo_means_match_the_closed_forms():
    layout = Layout.rectangular(10, 45, 1.0, 5.0, 1.5)  # cross aisles 0 and L + 2e = 48
    assert layout.cross_aisles == (0.0, 48.0) and layout.depot == AislePoint(0, 0.0)
    rng = np.random.default_rng(20240611)
    for m, expected in TABLE_C.items():
        aisles = rng.integers(0, 10, size=(TOURS, m))
        depths = rng.uniform(0.0, 45.0, size=(TOURS, m))
        lists = [
            [P(int(a), 1.5 + float(d)) for a, d in zip(aisles[k], depths[k])] for k in range(TOURS)
        ]
        for policy, mean in zip((return_route, s_shape), expected):
            lengths = np.array([policy(layout, picks).length for picks in lists])
            error = lengths.std(ddof=1) / math.sqrt(TOURS)
            # The table is rounded to 0.1, hence the extra 0.05.
            assert abs(lengths.mean() - mean) <= 3 * error + 0.05, (m, policy.__name__)


# ---------------------------------------------------------------------------- CLI

app = typer.Typer()
app.command()(pick_route)
runner = CliRunner()
SMALL = SPRP / "unit_F1_m5_C30_a3_0.txt"


def test_cli_prints_the_length_last(optima):
    for blocks in (1, 2):
        result = runner.invoke(app, [str(SMALL), "--blocks", str(blocks)])
        assert result.exit_code == 0, result.output
        lines = result.stdout.strip().splitlines()
        assert lines[:3] == ["policy: optimal", f"blocks: {blocks}", "picks: 3"]
        assert lines[-1] == format_length(optima[(SMALL.name, blocks)])
    result = runner.invoke(app, [str(SMALL), "--policy", "return"])
    assert result.exit_code == 0 and result.stdout.strip().splitlines()[-1] == "74"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "nearest"], "unknown policy 'nearest'"),
        (["--blocks", "3"], "blocks must be 1 or 2"),
    ],
)
def test_cli_bad_options_exit_2(args, message):
    result = runner.invoke(app, [str(SMALL), *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {SMALL}: ") and message in result.stderr
    assert "Traceback" not in result.output


def test_cli_bad_files_exit_2(tmp_path):
    missing = tmp_path / "missing.txt"
    bad = tmp_path / "bad.txt"
    bad.write_text(SMALL.read_text(encoding="latin-1").replace("NUM_CELLS : 30", "NUM_CELLS : x"))
    for path, message in ((missing, "cannot read file"), (bad, "line 6: NUM_CELLS: not")):
        result = runner.invoke(app, [str(path)])
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: {path}: ") and message in result.stderr
        assert "Traceback" not in result.output


def test_format_length():
    assert format_length(1234.0) == "1234"
    assert format_length(1234.5) == "1234.5"
    assert format_length(0.1 + 0.2) == "0.3"
