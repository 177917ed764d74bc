"""Batching policies on hand-worked examples of four orders."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pytest

from simulation.batching import (
    FCFS,
    Batch,
    Cart,
    Order,
    OrderLine,
    Savings,
    Seed,
    SingleOrder,
    TimeWindow,
    Waves,
    make_policy,
)
from simulation.config import POLICIES_BATCHING, BatchingConfig


def order(name: str, *skus: int, units: int = 1, arrival: float = 0.0) -> Order:
    """An order with one line per SKU; the first line holds ``units`` units."""
    lines = [OrderLine(sku, units if k == 0 else 1) for k, sku in enumerate(skus)]
    return Order(name, arrival, tuple(lines))


def ids(batches: Iterable[Batch]) -> list[list[str]]:
    return [list(b.ids) for b in batches]


# A: 2 units, B: 3, C: 1, D: 4 (one SKU each).
A, B, C, D = order("A", 0, units=2), order("B", 1, units=3), order("C", 2), order("D", 3, units=4)


def test_fcfs_opens_a_cart_when_the_next_order_does_not_fit():
    # 5 units a cart: A+B = 5 fits; C would make 6, so C starts a cart; C+D = 5.
    assert ids(FCFS(Cart(items=5, totes=8))([A, B, C, D])) == [["A", "B"], ["C", "D"]]


def test_fcfs_totes_limit_orders_per_cart():
    assert ids(FCFS(Cart(items=100, totes=3))([A, B, C, D])) == [["A", "B", "C"], ["D"]]
    assert ids(FCFS(Cart(items=100, totes=1))([A, B])) == [["A"], ["B"]]


def test_an_order_larger_than_a_cart_gets_a_cart_of_its_own():
    # D has 4 units, a cart holds 3: D goes alone, the others around it as usual.
    assert ids(FCFS(Cart(items=3, totes=8))([C, D, A])) == [["C"], ["D"], ["A"]]
    assert ids(Savings(Cart(3, 8), lambda skus: 1.0)([C, D, A])) == [["C", "A"], ["D"]]


def test_single_order():
    assert ids(SingleOrder()([A, B, C])) == [["A"], ["B"], ["C"]]


# Seed: SKU positions (x, y); aisles are told apart by x.
POSITIONS = {0: (0.0, 5.0), 1: (9.0, 5.0), 2: (0.0, 20.0), 3: (0.0, 6.0), 4: (3.0, 6.0)}
S1, S2, S3, S4 = order("1", 0), order("2", 1), order("3", 2), order("4", 3, 4)


def test_seed_adds_the_order_adding_fewest_aisles():
    # Seed 1 (aisle 0). Candidates: 2 adds aisle 9, 3 adds none, 4 adds aisle 3 -> 3.
    # Cart full (2 totes). Seed 2 (aisle 9); 4 is the only one left.
    seed = Seed(Cart(items=10, totes=2), POSITIONS.__getitem__)
    assert ids(seed([S1, S2, S3, S4])) == [["1", "3"], ["2", "4"]]


def test_seed_breaks_ties_by_centre_of_gravity():
    # After 1 + 3 the cart covers aisle 0 with centre (0, 12.5). Orders 2 and 4 both
    # add one aisle; 4's centre (1.5, 6) is 6.7 m away, 2's (9, 5) is 11.7 m: 4 joins.
    seed = Seed(Cart(items=10, totes=3), POSITIONS.__getitem__)
    assert ids(seed([S1, S2, S3, S4])) == [["1", "3", "4"], ["2"]]


# Savings: SKUs on a line, a tour walks out to the farthest and back: d(S) = 2 * max.
DEPTH = {0: 10.0, 1: 2.0, 2: 9.0, 3: 3.0}
W1, W2, W3, W4 = order("1", 0), order("2", 1), order("3", 2), order("4", 3)


def out_and_back(skus: Iterable[int]) -> float:
    return 2 * max(DEPTH[s] for s in skus)


def test_savings_merges_the_largest_saving_first():
    # d = 20, 4, 18, 6. Savings: (1,3) 18, (1,4) 6, (3,4) 6, (1,2) 4, (2,3) 4, (2,4) 4.
    # Two totes: (1,3) merges; every later pair with 1 or 3 would make three orders;
    # (2,4) merges. FCFS would give {1,2},{3,4}: 38 m instead of 20 + 6 = 26 m.
    savings = Savings(Cart(items=10, totes=2), out_and_back)
    assert ids(savings([W1, W2, W3, W4])) == [["1", "3"], ["2", "4"]]


def test_savings_merges_carts_while_they_fit():
    # Three totes: (1,3), then (1,4) joins 4 to the cart {1,3}; 2 stays alone.
    savings = Savings(Cart(items=10, totes=3), out_and_back)
    assert ids(savings([W1, W2, W3, W4])) == [["1", "3", "4"], ["2"]]


def test_savings_batches_groups_of_max_orders():
    savings = Savings(Cart(items=10, totes=2), out_and_back, max_orders=2)
    assert ids(savings([W1, W2, W3, W4])) == [["1", "2"], ["3", "4"]]
    with pytest.raises(ValueError, match="max_orders"):
        Savings(Cart(10, 2), out_and_back, max_orders=1)


def test_time_window_releases_at_the_end_of_the_window():
    policy = TimeWindow(Cart(10, 2), window=900, origin=21_600)
    assert policy.release_time(21_600) == 21_600
    assert policy.release_time(21_601) == 22_500
    assert policy.release_time(22_500) == 22_500
    assert policy.release_time(20_000) == 21_600  # before opening: at opening
    assert ids(policy([W1, W2, W3])) == [["1", "2"], ["3"]]  # FCFS within a window


def test_waves_release_at_the_next_wave_and_never_after_the_last():
    policy = Waves(Cart(10, 2), times=(12 * 3600, 8 * 3600))
    assert policy.release_time(7 * 3600) == 8 * 3600
    assert policy.release_time(8 * 3600) == 8 * 3600
    assert policy.release_time(9 * 3600) == 12 * 3600
    assert policy.release_time(13 * 3600) == math.inf
    with pytest.raises(ValueError, match="times"):
        Waves(Cart(10, 2), times=())


def test_policies_without_release_rule_release_on_arrival():
    for policy in (SingleOrder(), FCFS(Cart(1, 1)), Savings(Cart(1, 1), out_and_back)):
        assert policy.release_time(123.5) == 123.5


@pytest.mark.parametrize("name", POLICIES_BATCHING)
def test_every_configured_policy_is_built_and_batches_every_order(name: str):
    config = BatchingConfig(policy=name, wave_times=(0,))
    policy = make_policy(config, origin=0, tour_length=out_and_back, position=POSITIONS.__getitem__)
    batches = list(policy([W1, W2, W3, W4]))
    assert sorted(i for b in batches for i in b.ids) == ["1", "2", "3", "4"]
    assert batches[0].ids[0] == "1"  # the first batch holds the oldest order


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Cart(0, 1), "items"),
        (lambda: Cart(1, 0), "totes"),
        (lambda: OrderLine(-1), "sku"),
        (lambda: OrderLine(0, 0), "quantity"),
        (lambda: Order("", 0, (OrderLine(0),)), "id"),
        (lambda: Order("x", -1, (OrderLine(0),)), "arrival"),
        (lambda: Order("x", 0, ()), "lines"),
        (lambda: Batch(()), "orders"),
    ],
)
def test_bad_values_name_the_field(build, field: str):
    with pytest.raises(ValueError, match=field):
        build()


def test_batch_counts_units_and_skus_once():
    batch = Batch((order("a", 1, 2, units=3), order("b", 2)))
    assert batch.units == 5
    assert batch.skus == {1, 2}
