"""The SimPy model on days small enough to work out by hand."""

from __future__ import annotations

import dataclasses
import math
import pickle
from pathlib import Path

import pytest

from optimizer.formats.batch import read_batch
from optimizer.formats.release_times import read_release_times
from simulation.batching import Order, OrderLine
from simulation.config import (
    POLICIES_BATCHING,
    BatchingConfig,
    DemandConfig,
    LayoutConfig,
    PackingConfig,
    PickerConfig,
    ScenarioConfig,
    Shift,
    StorageConfig,
    Truck,
)
from simulation.model import orders_from_batch, simulate, streams, write_ready_times

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "lyon" / "batch.json"

# One aisle with one slot: both SKUs sit on its two sides, picked at y = 1.5 m from
# the depot's cross aisle, so every tour walks 3 m. With 1 m/s a one-line tour takes
# set-up 60 + walk 3 + stop 5 + unit 10 = 78 s; packing one unit takes 60 + 10 = 70 s.
HAND = ScenarioConfig(
    "hand",
    opening=21_600,  # 06:00
    closing=23_400,  # 06:30
    layout=LayoutConfig(aisles=1, locations_per_aisle=1, location_length=1.0, front_gap=1.0),
    storage=StorageConfig(skus=2),
    pickers=PickerConfig(
        count=1,
        shifts=(Shift(21_600, 23_400),),
        walk_speed=1.0,
        time_per_pick=10,
        time_per_stop=5,
        setup_time=60,
    ),
    packing=PackingConfig(stations=1, time_per_order=60, time_per_item=10),
    trucks=(Truck("A", 21_800), Truck("B", 22_000)),
    routing="optimal",
)
O1 = Order("O1", 21_600, (OrderLine(0),))
O2 = Order("O2", 21_610, (OrderLine(1),))


def outcome(config: ScenarioConfig, orders=(O1, O2)):
    rep = simulate(config, 0, orders)
    return rep, {o.order_id: o for o in rep.orders}


def with_picker(**changes) -> ScenarioConfig:
    return dataclasses.replace(HAND, pickers=dataclasses.replace(HAND.pickers, **changes))


def test_one_picker_two_orders_exact_times():
    # O1: tour 06:00:00-06:01:18 (21678), packed 21678-21748.
    # O2 arrived at 21610 and waits for the picker: tour 21678-21756, packed 21756-21826.
    rep, by_id = outcome(HAND)
    assert (by_id["O1"].picked, by_id["O1"].ready) == (21_678, 21_748)
    assert (by_id["O2"].picked, by_id["O2"].ready) == (21_756, 21_826)
    assert rep.cycle_times == (148, 216)
    k = rep.kpis
    assert k["travel_per_order"] == 3.0
    assert k["cycle_time_mean"] == 182.0
    # Busy 156 s of a 1800 s shift; 2 orders in half an hour.
    assert k["picker_utilisation"] == pytest.approx(156 / 1800)
    assert k["orders_per_hour"] == 4.0
    assert k["lines_per_hour"] == 4.0
    assert rep.utilisation[0] == (21_600, pytest.approx(156 / 900))
    assert rep.utilisation[1] == (22_500, 0.0)


def test_a_parcel_packed_after_cut_off_rolls_to_the_next_truck():
    # Truck A leaves 21800: O1 (ready 21748) makes it, O2 (ready 21826) goes on B.
    # Both arrived before A's cut-off, so both were due for A: attainment 1/2.
    rep, by_id = outcome(HAND)
    assert (by_id["O1"].truck, by_id["O1"].carrier, by_id["O1"].cutoff) == (1, "A", 21_800)
    assert (by_id["O2"].truck, by_id["O2"].carrier, by_id["O2"].due) == (2, "B", 1)
    assert rep.kpis["cutoff_attainment_1"] == 0.5
    assert math.isnan(rep.kpis["cutoff_attainment_2"])  # nothing was due for B
    assert rep.kpis["cutoff_attainment"] == 0.5
    assert rep.truck_attainment == {"1 A": 0.5, "2 B": rep.kpis["cutoff_attainment_2"]}


def test_an_order_naming_a_carrier_waits_for_its_truck():
    o1 = dataclasses.replace(O1, carrier="B")
    _, by_id = outcome(HAND, (o1, O2))
    assert (by_id["O1"].truck, by_id["O1"].due) == (2, 2)


def test_a_break_delays_the_next_tour():
    # Break 06:00:50-06:05:50 (300 s). The picker is on O1's tour until 21678, then
    # takes the full 300 s: O2's tour 21978-22056, packed 22056-22126.
    config = with_picker(shifts=(Shift(21_600, 23_400, breaks=((21_650, 21_950),)),))
    rep, by_id = outcome(config)
    assert by_id["O1"].ready == 21_748
    assert (by_id["O2"].picked, by_id["O2"].ready) == (22_056, 22_126)
    assert rep.kpis["picker_utilisation"] == pytest.approx(156 / 1500)  # 300 s off duty


def test_backlog_counts_orders_not_packed_by_closing():
    # Closing 21800: O2 is picked at 21756 but its packing would end at 21826.
    rep, by_id = outcome(dataclasses.replace(HAND, closing=21_800))
    assert by_id["O2"].picked == 21_756
    assert by_id["O2"].ready is None
    k = rep.kpis
    assert (k["orders_arrived"], k["orders_picked"], k["orders_packed"]) == (2, 2, 1)
    assert k["backlog"] == 1


def test_no_tour_is_started_that_would_end_after_the_shift():
    # The shift ends at 21750; O2's tour would end at 21756, so the picker goes home.
    rep, by_id = outcome(with_picker(shifts=(Shift(21_600, 21_750),)))
    assert by_id["O2"].picked is None
    assert rep.kpis["backlog"] == 1
    assert len(rep.tours) == 1


def test_a_wave_releases_both_orders_onto_one_cart():
    # Wave at 21700: one tour with both SKUs at the same pick location (one stop):
    # 60 + 3 + 5 + 2 * 10 = 88 s, 21700-21788; packed 21788-21858 and 21858-21928.
    config = dataclasses.replace(HAND, batching=BatchingConfig("waves", wave_times=(21_700,)))
    rep, by_id = outcome(config)
    assert [t.orders for t in rep.tours] == [("O1", "O2")]
    assert rep.tours[0].stops == 1
    assert (by_id["O1"].ready, by_id["O2"].ready) == (21_858, 21_928)
    assert rep.kpis["travel_per_order"] == 1.5


def test_ready_times_file_is_read_back_as_release_times(tmp_path: Path):
    rep, _ = outcome(HAND)
    path = tmp_path / "ready.csv"
    write_ready_times(path, rep)
    assert path.read_text().splitlines() == [
        "order_id,ready_time,truck,carrier,cutoff",
        "O1,06:02:28,1,A,06:03:20",
        "O2,06:03:46,2,B,06:06:40",
    ]
    assert read_release_times(path) == {"O1": 21_748, "O2": 21_826}


# -- random days --------------------------------------------------------------------------

DAY = ScenarioConfig(
    "day",
    opening=6 * 3600,
    closing=10 * 3600,
    layout=LayoutConfig(aisles=6, locations_per_aisle=10),
    storage=StorageConfig(skus=100),
    demand=DemandConfig(hourly_rates=(60.0, 90.0, 60.0), lines_mean=2.5),
    pickers=PickerConfig(
        count=3, shifts=(Shift(6 * 3600, 10 * 3600, ((8 * 3600, 8 * 3600 + 900),)),)
    ),
    batching=BatchingConfig(cart_items=12, cart_totes=4, wave_times=(7 * 3600, 8 * 3600, 9 * 3600)),
    trucks=(Truck("A", 8 * 3600), Truck("B", 10 * 3600)),
)


def test_same_seed_same_outputs():
    first, again = simulate(DAY, 11), simulate(DAY, 11)
    assert pickle.dumps(first) == pickle.dumps(again)
    assert simulate(DAY, 12).orders != first.orders


@pytest.mark.parametrize("policy", POLICIES_BATCHING)
def test_batching_policy_leaves_the_orders_unchanged(policy: str):
    # Common random numbers: the same seed gives the same orders under every policy.
    config = dataclasses.replace(DAY, batching=dataclasses.replace(DAY.batching, policy=policy))
    rep, base = simulate(config, 5), simulate(DAY, 5)
    assert [(o.order_id, o.arrival, o.lines) for o in rep.orders] == [
        (o.order_id, o.arrival, o.lines) for o in base.orders
    ]
    k = rep.kpis
    assert k["orders_arrived"] >= k["orders_picked"] >= k["orders_packed"] > 0
    assert k["backlog"] == k["orders_arrived"] - k["orders_packed"]
    assert 0 < k["picker_utilisation"] <= 1
    picked = sorted(i for t in rep.tours for i in t.orders)
    assert len(picked) == len(set(picked))  # no order picked twice


def test_storage_policy_leaves_the_orders_unchanged():
    config = dataclasses.replace(DAY, storage=dataclasses.replace(DAY.storage, policy="abc"))
    abc, rnd = simulate(config, 5), simulate(DAY, 5)
    assert [(o.order_id, o.arrival) for o in abc.orders] == [
        (o.order_id, o.arrival) for o in rnd.orders
    ]
    assert abc.kpis["travel_per_order"] < rnd.kpis["travel_per_order"]


def test_streams_are_independent_and_reproducible():
    a, b = streams(3), streams(3)
    assert list(a) == ["arrivals", "content", "storage"]
    assert a["arrivals"].random() == b["arrivals"].random()
    assert a["arrivals"].random() != a["content"].random()


def test_orders_from_a_planner_batch():
    batch = read_batch(SAMPLE)
    orders = orders_from_batch(batch, streams(0)["content"], DAY)
    assert [o.id for o in orders] == [o.id for o in batch.orders]
    assert all(o.arrival == DAY.demand.start for o in orders)
    assert [len(o.lines) for o in orders] == [o.parcel_count for o in batch.orders]
    rep = simulate(DAY, 0, orders)
    assert rep.kpis["orders_arrived"] == len(batch.orders)
    config = dataclasses.replace(
        DAY, demand=dataclasses.replace(DAY.demand, order_file=str(SAMPLE))
    )
    assert simulate(config, 0).orders == rep.orders


@pytest.mark.parametrize(
    ("orders", "message"),
    [
        ((O1, O1), "duplicate id 'O1'"),
        ((Order("X", 0, (OrderLine(7),)),), "order 'X': SKU beyond storage.skus"),
    ],
)
def test_bad_orders_are_refused(orders, message: str):
    with pytest.raises(ValueError, match=message):
        simulate(HAND, 0, orders)


def test_bad_seed_is_refused():
    with pytest.raises(ValueError, match="seed"):
        simulate(HAND, -1)
