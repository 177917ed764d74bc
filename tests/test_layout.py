"""Layout geometry: construction, validation, slots and the distance convention."""

from __future__ import annotations

import dataclasses
import itertools

import networkx as nx
import numpy as np
import pytest

from simulation.layout import AislePoint, Layout, PickLocation, Position

P = PickLocation


def single() -> Layout:
    # 3 aisles 2 apart, front cross aisle at y = 0, back one at y = 10.
    return Layout(aisles=3, aisle_spacing=2.0, cross_aisles=(0.0, 10.0))


def two_block() -> Layout:
    # Same, with a middle cross aisle at y = 5.
    return Layout(aisles=3, aisle_spacing=2.0, cross_aisles=(0.0, 5.0, 10.0))


def test_rectangular_single_block_slots_at_location_centres():
    # 4 locations of length 2 after a gap of 1: centres 2, 4, 6, 8; back cross aisle
    # at 1 + 4 * 2 + 1 = 10.
    layout = Layout.rectangular(5, 4, 2.0, 3.0, 1.0, depot_aisle=2)
    assert layout.cross_aisles == (0.0, 10.0)
    assert layout.slots == (2.0, 4.0, 6.0, 8.0)
    assert layout.blocks == 1 and layout.depth == 10.0 and layout.locations_per_aisle == 4
    assert layout.depot == AislePoint(2, 0.0)


def test_rectangular_two_blocks_split_locations_front_block_larger():
    # 5 locations of length 1, gap 0.5: front block 3 locations (0 .. 4), back block
    # 2 locations (4 .. 7); centres 1, 2, 3 and 5, 6.
    layout = Layout.rectangular(2, 5, 1.0, 3.0, 0.5, blocks=2, depot="back")
    assert layout.cross_aisles == (0.0, 4.0, 7.0)
    assert layout.slots == (1.0, 2.0, 3.0, 5.0, 6.0)
    assert layout.depot == AislePoint(0, 7.0)


def test_slot_location_maps_both_sides_to_the_aisle_centre_line():
    layout = Layout.rectangular(3, 4, 2.0, 3.0, 1.0)
    assert layout.slot_location(1, 2, "left") == PickLocation(1, 6.0)
    assert layout.slot_location(1, 2, "right") == PickLocation(1, 6.0)
    with pytest.raises(ValueError, match="slot"):
        layout.slot_location(1, 4)
    with pytest.raises(ValueError, match="aisle"):
        layout.slot_location(3, 0)
    with pytest.raises(ValueError, match="side"):
        layout.slot_location(0, 0, "middle")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"aisles": 0}, "aisles"),
        ({"aisles": 2.5}, "aisles"),
        ({"aisle_spacing": 0}, "aisle_spacing"),
        ({"aisle_spacing": float("nan")}, "aisle_spacing"),
        ({"cross_aisles": (0.0,)}, "cross_aisles"),
        ({"cross_aisles": (1.0, 10.0)}, "cross_aisles"),
        ({"cross_aisles": (0.0, 5.0, 5.0)}, "cross_aisles"),
        ({"cross_aisles": [0.0, 10.0]}, "cross_aisles"),
        ({"depot_aisle": 3}, "depot_aisle"),
        ({"depot_cross_aisle": 3}, "depot_cross_aisle"),
        ({"slots": (5.0,)}, "slots"),
        ({"slots": (2.0, 1.0)}, "slots"),
        ({"slots": (10.5,)}, "slots"),
        ({"stations": (AislePoint(3, 0.0),)}, "stations"),
    ],
)
def test_layout_rejects_bad_fields_by_name(changes, field):
    base = {"aisles": 3, "aisle_spacing": 2.0, "cross_aisles": (0.0, 5.0, 10.0)}
    with pytest.raises(ValueError, match=field):
        Layout(**{**base, **changes})


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"locations_per_aisle": 0}, "locations_per_aisle"),
        ({"location_length": -1.0}, "location_length"),
        ({"front_gap": -0.5}, "front_gap"),
        ({"blocks": 3}, "blocks"),
        ({"depot": "side"}, "depot"),
        ({"depot_aisle": 9}, "depot_aisle"),
    ],
)
def test_rectangular_rejects_bad_arguments_by_name(kwargs, field):
    args = {
        "aisles": 3,
        "locations_per_aisle": 4,
        "location_length": 1.0,
        "aisle_spacing": 3.0,
        "front_gap": 1.0,
    }
    with pytest.raises(ValueError, match=field):
        Layout.rectangular(**{**args, **kwargs})


def test_layout_is_frozen():
    layout = single()
    with pytest.raises(dataclasses.FrozenInstanceError):
        layout.aisles = 4  # type: ignore[misc]
    assert dataclasses.replace(layout, depot_aisle=2).depot == AislePoint(2, 0.0)


def test_points_reject_bad_coordinates():
    with pytest.raises(ValueError, match="aisle"):
        PickLocation(-1, 3.0)
    with pytest.raises(ValueError, match="y"):
        PickLocation(0, float("inf"))
    with pytest.raises(ValueError, match="aisle"):
        AislePoint(True, 3.0)


def test_check_pick_requires_a_height_strictly_inside_a_block():
    layout = two_block()
    layout.check_pick(PickLocation(2, 4.99))
    for y in (0.0, 5.0, 10.0, 10.5):
        with pytest.raises(ValueError, match="y"):
            layout.check_pick(PickLocation(1, y))
    with pytest.raises(ValueError, match="aisle"):
        layout.check_pick(PickLocation(3, 1.0))
    assert layout.block_of(4.0) == 0 and layout.block_of(6.0) == 1


def test_distance_same_aisle_is_vertical_even_through_a_cross_aisle():
    assert single().distance(PickLocation(1, 2.0), PickLocation(1, 9.0)) == 7.0
    # The aisle continues through the middle cross aisle at y = 5.
    assert two_block().distance(PickLocation(1, 2.0), PickLocation(1, 9.0)) == 7.0


def test_distance_between_aisles_uses_the_best_cross_aisle():
    a, b = PickLocation(0, 2.0), PickLocation(2, 4.0)
    # Single block: via the front, 2 + 4 vertically, 2 * 2 horizontally = 10.
    assert single().distance(a, b) == 10.0
    c, d = PickLocation(0, 7.0), PickLocation(2, 8.0)
    # Single block: via the back (3 + 2) + 4 = 9; two blocks: the middle aisle at 5
    # gives (2 + 3) + 4 = 9 as well, but with c at 4 it is (1 + 3) + 4 = 8.
    assert single().distance(c, d) == 9.0
    assert two_block().distance(PickLocation(0, 4.0), d) == 8.0
    assert single().distance(PickLocation(0, 4.0), d) == 6 + 2 + 4
    # Points in different blocks: straight across the middle cross aisle.
    assert two_block().distance(PickLocation(0, 1.0), PickLocation(1, 9.0)) == 8 + 2


def _graph(layout: Layout, points: list[PickLocation | AislePoint]) -> nx.Graph:
    """The aisle graph with corners and the given points as vertices."""
    graph = nx.Graph()
    for i in range(layout.aisles):
        ys = sorted({*layout.cross_aisles, *(p.y for p in points if p.aisle == i)})
        for y1, y2 in zip(ys, ys[1:]):
            graph.add_edge((i, y1), (i, y2), weight=y2 - y1)
    for z in layout.cross_aisles:
        for i in range(layout.aisles - 1):
            graph.add_edge((i, z), (i + 1, z), weight=layout.aisle_spacing)
    return graph


@pytest.mark.parametrize("cross", [(0.0, 10.0), (0.0, 4.0, 10.0), (0.0, 3.0, 6.0, 10.0)])
def test_distance_matches_dijkstra_on_the_aisle_graph(cross):
    layout = Layout(aisles=5, aisle_spacing=3.0, cross_aisles=cross)
    rng = np.random.default_rng(7)
    points: list[PickLocation | AislePoint] = []
    while len(points) < 12:
        y = float(rng.integers(1, 40)) / 4
        if y not in cross:
            points.append(PickLocation(int(rng.integers(0, 5)), y))
    points += [AislePoint(0, 0.0), AislePoint(4, cross[-1]), AislePoint(2, cross[1])]
    graph = _graph(layout, points)
    matrix = layout.shortest_path_matrix(points)
    assert matrix.shape == (len(points), len(points))
    assert np.allclose(matrix, matrix.T) and not matrix.diagonal().any()
    for (i, a), (j, b) in itertools.combinations(enumerate(points), 2):
        expected = nx.dijkstra_path_length(graph, (a.aisle, a.y), (b.aisle, b.y))
        assert matrix[i, j] == pytest.approx(expected)
        assert layout.distance(a, b) == pytest.approx(expected)


def test_path_length_sums_consecutive_distances():
    layout = single()
    path: list[Position] = [AislePoint(0, 0.0), P(0, 3.0), AislePoint(0, 10.0), AislePoint(2, 10.0)]
    assert layout.path_length(path) == 3 + 7 + 4
    assert layout.path_length([]) == 0 and layout.path_length(path[:1]) == 0
