"""SKU catalogue and storage assignment."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from simulation.config import LayoutConfig, ScenarioConfig, StorageConfig
from simulation.layout import Layout
from simulation.storage import (
    Catalogue,
    abc_storage,
    assign_storage,
    class_sizes,
    random_storage,
    rank_by_distance,
)
from simulation.warehouse import Site


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_zipf_demand_shares():
    # Weights 1, 1/2, 1/3, 1/4 sum to 25/12: shares 12/25, 6/25, 4/25, 3/25.
    assert Catalogue.zipf(4, 1.0).demand == pytest.approx((0.48, 0.24, 0.16, 0.12))
    assert Catalogue.zipf(4, 0.0).demand == pytest.approx((0.25,) * 4)


def test_lines_are_different_skus_drawn_by_popularity():
    catalogue = Catalogue.zipf(5, 1.0)
    lines = catalogue.draw_lines(rng(), 3)
    assert len({line.sku for line in lines}) == 3
    assert len(catalogue.draw_lines(rng(), 9)) == 5  # capped at the catalogue
    g = rng(7)
    counts = Counter(catalogue.draw_lines(g, 1)[0].sku for _ in range(5000))
    assert [sku for sku, _ in counts.most_common()] == [0, 1, 2, 3, 4]
    assert counts[0] / 5000 == pytest.approx(60 / 137, abs=0.02)  # 1 / H(5)


def test_class_sizes_follow_cumulative_shares():
    assert class_sizes(10, (0.2, 0.3, 0.5)) == (2, 3, 5)
    assert class_sizes(7, (0.2, 0.3, 0.5)) == (1, 3, 3)  # bounds 1.4 -> 1, 3.5 -> 4


def test_random_storage_is_one_sku_per_location_and_reproducible():
    locations = [f"L{k}" for k in range(20)]
    first = random_storage(12, locations, rng(3))
    assert sorted(first) == list(range(12))
    assert len(set(first.values())) == 12
    assert first == random_storage(12, locations, rng(3))
    assert first != random_storage(12, locations, rng(4))


def test_abc_puts_each_class_in_its_zone():
    ranked = list(range(10))  # location k is the k-th nearest the depot
    slots = abc_storage(10, ranked, rng(), (0.2, 0.3, 0.5))
    assert {slots[0], slots[1]} == {0, 1}  # A: the 2 nearest
    assert {slots[k] for k in (2, 3, 4)} == {2, 3, 4}  # B: the next 3
    assert {slots[k] for k in range(5, 10)} == set(range(5, 10))


def test_abc_with_spare_locations_keeps_a_in_the_nearest_share():
    ranked = list(range(100))
    slots = abc_storage(50, ranked, rng(), (0.2, 0.3, 0.5))
    assert all(slots[sku] < 20 for sku in range(10))  # A SKUs in the nearest 20 %
    assert all(slots[sku] < 50 for sku in range(10, 25))  # B within the nearest 50 %
    assert len(set(slots.values())) == 50


def test_rank_by_distance_breaks_ties_at_random():
    distance = {"a": 2.0, "b": 1.0, "c": 1.0, "d": 0.0}.__getitem__
    orders = {tuple(rank_by_distance("abcd", distance, rng(s))) for s in range(20)}
    assert orders == {("d", "b", "c", "a"), ("d", "c", "b", "a")}


def test_too_many_skus_is_refused():
    with pytest.raises(ValueError, match="skus"):
        random_storage(3, ["x", "y"], rng())


def test_abc_on_a_layout_brings_fast_movers_near_the_depot():
    config = ScenarioConfig(
        "abc",
        layout=LayoutConfig(aisles=6, locations_per_aisle=10),
        storage=StorageConfig(skus=120, policy="abc"),
    )
    site = Site.build(config, rng())
    depot = site.layout.depot
    mean = [
        np.mean([site.layout.distance(depot, site.locate[s]) for s in range(a, b)])
        for a, b in ((0, 24), (24, 60), (60, 120))
    ]
    assert mean[0] < mean[1] < mean[2]
    random_site = Site.build(
        ScenarioConfig("random", layout=config.layout, storage=StorageConfig(skus=120)), rng()
    )
    a_random = np.mean(
        [random_site.layout.distance(depot, random_site.locate[s]) for s in range(24)]
    )
    assert mean[0] < a_random


def test_assign_storage_uses_the_layout_distance_and_both_sides():
    layout = Layout.rectangular(2, 2, 1.0, 3.0, 1.0)
    slots = [(a, s, side) for a in range(2) for s in range(2) for side in ("left", "right")]
    distance = lambda slot: layout.distance(layout.depot, layout.slot_location(*slot))  # noqa: E731
    mapping = assign_storage(
        StorageConfig(skus=4, policy="abc", abc_shares=(0.25, 0.75, 0.0)), slots, distance, rng()
    )
    # Zone A is the nearest quarter of the 8 slots: both sides of aisle 0, slot 0.
    assert mapping[0][:2] == (0, 0)
