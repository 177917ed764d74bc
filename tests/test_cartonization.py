"""Tests for optimizer.cartonization and optimizer.domain.packing."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from optimizer.cartonization import (
    CartonizationParams,
    cartonize,
    check_packing,
    volume_lower_bound,
)
from optimizer.domain.packing import BoxType, Item, PackedBox, Packing, Placement

SMALL = BoxType("S", 200, 150, 100, max_weight=5_000, cost=100, size_class="S")
LARGE = BoxType("L", 400, 300, 300, max_weight=20_000, cost=300, size_class="L")


def _ok(items: list[Item], catalogue: list[BoxType], packing: Packing, support: int = 0) -> None:
    report = check_packing(items, catalogue, packing, support)
    assert report.ok, report.violations


# --------------------------------------------------------------------------- domain


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"length": 0}, "length"),
        ({"width": -1}, "width"),
        ({"weight": -5}, "weight"),
        ({"quantity": 0}, "quantity"),
        ({"id": ""}, "id"),
        ({"upright": 1}, "upright"),
    ],
)
def test_item_rejects_bad_field(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"id": "a", "length": 1, "width": 1, "height": 1, "weight": 1}
    with pytest.raises(ValueError, match=field):
        Item(**(base | kwargs))  # type: ignore[arg-type]


def test_box_type_rejects_unknown_size_class() -> None:
    with pytest.raises(ValueError, match="size_class"):
        dataclasses.replace(SMALL, size_class="XL")


def test_rotations() -> None:
    # 6 distinct turns of a 1x2x3 brick, 2 when upright, 1 for a cube.
    assert len(Item("a", 1, 2, 3, 0).rotations()) == 6
    assert Item("a", 1, 2, 3, 0, upright=True).rotations() == ((1, 2, 3), (2, 1, 3))
    assert Item("a", 4, 4, 4, 0).rotations() == ((4, 4, 4),)


# --------------------------------------------------------------------------- packer


def test_two_items_side_by_side_in_one_small_box() -> None:
    # Two 100x150x100 halves fill the 200x150x100 small box exactly: 1 box, 1.00 EUR.
    items = [Item("a", 100, 150, 100, 500), Item("b", 100, 150, 100, 500)]
    packing = cartonize(items, [LARGE, SMALL])
    _ok(items, [LARGE, SMALL], packing)
    assert [b.box.id for b in packing.boxes] == ["S"]
    assert packing.cost == 100
    assert packing.fill_rate == 1.0
    assert packing.parcels_saved == 1


def test_oversized_item_gets_the_bigger_box() -> None:
    # 300 mm is longer than every side of S, so only L takes it.
    items = [Item("big", 300, 200, 150, 2_000)]
    packing = cartonize(items, [SMALL, LARGE])
    _ok(items, [SMALL, LARGE], packing)
    assert [b.box.id for b in packing.boxes] == ["L"]


def test_two_small_boxes_beat_one_large_on_cost() -> None:
    # Each 200x150x100 item fills an S (1.00 EUR); both fit an L (3.00 EUR): 2 S cost 2.00.
    items = [Item("a", 200, 150, 100, 100, quantity=2)]
    packing = cartonize(items, [SMALL, LARGE])
    _ok(items, [SMALL, LARGE], packing)
    assert [b.box.id for b in packing.boxes] == ["S", "S"]
    assert packing.cost == 200


def test_weight_limit_forces_a_second_box() -> None:
    # Two 600 g items, 1 000 g max: volume would fit one box, weight needs two.
    box = BoxType("B", 400, 300, 300, max_weight=1_000, cost=50)
    items = [Item("a", 50, 50, 50, 600), Item("b", 50, 50, 50, 600)]
    packing = cartonize(items, [box])
    _ok(items, [box], packing)
    assert len(packing.boxes) == 2
    assert volume_lower_bound(items, [box]) == 2


def test_upright_item_is_not_laid_down() -> None:
    # A 300 mm tall bottle: the flat box would take it lying, but it must stand.
    flat = BoxType("flat", 300, 100, 100, 5_000, cost=10)
    tall = BoxType("tall", 100, 100, 300, 5_000, cost=50)
    standing = Item("bottle", 100, 100, 300, 800, upright=True)
    lying = dataclasses.replace(standing, upright=False)
    assert cartonize([lying], [flat, tall]).boxes[0].box.id == "flat"
    packing = cartonize([standing], [flat, tall])
    _ok([standing], [flat, tall], packing)
    assert packing.boxes[0].box.id == "tall"
    assert packing.boxes[0].placements[0].height == 300


def test_eight_unit_cubes_fill_a_two_cube() -> None:
    box = BoxType("cube", 2, 2, 2, max_weight=100, cost=1)
    items = [Item("u", 1, 1, 1, 1, quantity=8)]
    packing = cartonize(items, [box])
    report = check_packing(items, [box], packing)
    assert report.ok and report.boxes == 1
    assert report.fill_rate == 1.0 and report.fill_rates == (1.0,)
    assert report.parcels_saved == 7


def test_item_bigger_than_every_box_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match="'sofa'"):
        cartonize([Item("sofa", 2_000, 900, 800, 40_000)], [SMALL, LARGE])
    with pytest.raises(ValueError, match="'anvil'"):
        cartonize([Item("anvil", 10, 10, 10, 50_000)], [SMALL, LARGE])


def test_ships_alone_item_goes_to_own_packaging() -> None:
    items = [Item("sofa", 2_000, 900, 800, 40_000, ships_alone=True), Item("a", 10, 10, 10, 1)]
    packing = cartonize(items, [SMALL, LARGE])
    _ok(items, [SMALL, LARGE], packing)
    assert packing.own_packaging == (("sofa", 0),)
    assert packing.parcels == 2 and packing.parcels_saved == 0


def test_support_option_is_respected() -> None:
    # A 100x100x10 tile and a 200x200x50 slab in a 200x200x60 box: the slab must lie
    # under the tile when full support is required.
    box = BoxType("B", 200, 200, 60, 5_000, cost=1)
    items = [Item("tile", 100, 100, 10, 10), Item("slab", 200, 200, 50, 100)]
    params = CartonizationParams(min_support_percent=100)
    packing = cartonize(items, [box], params)
    _ok(items, [box], packing, support=100)
    assert len(packing.boxes) == 1


def test_params_validated() -> None:
    with pytest.raises(ValueError, match="min_support_percent"):
        CartonizationParams(min_support_percent=101)
    with pytest.raises(ValueError, match="orderings"):
        CartonizationParams(orderings=())


def test_duplicate_ids_rejected() -> None:
    with pytest.raises(ValueError, match="items"):
        cartonize([Item("a", 1, 1, 1, 1), Item("a", 2, 2, 2, 1)], [SMALL])


# --------------------------------------------------------------------------- checker

BOX = BoxType("B", 100, 100, 100, max_weight=1_000, cost=10)
TWO = [Item("a", 50, 100, 100, 400), Item("b", 50, 100, 100, 400)]
A = Placement("a", 0, 0, 0, 0, 50, 100, 100)
B = Placement("b", 0, 50, 0, 0, 50, 100, 100)


def _violations(packing: Packing, items: list[Item] = TWO) -> tuple[str, ...]:
    return check_packing(items, [BOX], packing).violations


def test_checker_accepts_touching_items() -> None:
    assert _violations(Packing((PackedBox(BOX, (A, B)),))) == ()


def test_checker_catches_overlap() -> None:
    (v,) = _violations(Packing((PackedBox(BOX, (A, dataclasses.replace(B, x=49))),)))
    assert "overlaps" in v


def test_checker_catches_out_of_bounds() -> None:
    (v,) = _violations(Packing((PackedBox(BOX, (A, dataclasses.replace(B, z=1))),)))
    assert "sticks out" in v


def test_checker_catches_overweight() -> None:
    heavy = [dataclasses.replace(TWO[0], weight=700), TWO[1]]
    (v,) = _violations(Packing((PackedBox(BOX, (A, B)),)), heavy)
    assert "max_weight" in v


def test_checker_catches_missing_item() -> None:
    (v,) = _violations(Packing((PackedBox(BOX, (A,)),)))
    assert "'b' copy 0 is missing" in v


def test_checker_catches_duplicate_item() -> None:
    again = dataclasses.replace(A, x=50)
    (v,) = _violations(Packing((PackedBox(BOX, (A, B)), PackedBox(BOX, (again,)))))
    assert "appears 2 times" in v


def test_checker_catches_forbidden_rotation() -> None:
    # a is 50 long, 100 wide, 100 high; laid on its side it is 100x100x50.
    upright = [dataclasses.replace(TWO[0], upright=True)]
    lying = Placement("a", 0, 0, 0, 0, 100, 100, 50)
    assert _violations(Packing((PackedBox(BOX, (lying,)),)), TWO[:1]) == ()
    (v,) = _violations(Packing((PackedBox(BOX, (lying,)),)), upright)
    assert "upright" in v
    (v,) = _violations(Packing((PackedBox(BOX, (dataclasses.replace(A, width=90), B)),)))
    assert "sides" in v


def test_checker_catches_unknown_box_type() -> None:
    other = dataclasses.replace(BOX, cost=1)
    (v,) = _violations(Packing((PackedBox(other, (A, B)),)))
    assert "catalogue" in v


# --------------------------------------------------------------------------- random


def _random_items(rng: np.random.Generator) -> list[Item]:
    items = []
    for n in range(int(rng.integers(1, 9))):
        length, width, height = (int(v) for v in rng.integers(10, 260, size=3))
        items.append(
            Item(
                f"i{n}",
                length,
                width,
                height,
                int(rng.integers(10, 4_000)),
                quantity=int(rng.integers(1, 4)),
                upright=bool(rng.random() < 0.2),
            )
        )
    return items


@pytest.mark.parametrize("support", [0, 100])
def test_random_orders_pass_the_checker(support: int) -> None:
    rng = np.random.default_rng(20240601 + support)
    catalogue = [SMALL, LARGE, BoxType("M", 300, 260, 200, 10_000, 180, "M")]
    params = CartonizationParams(min_support_percent=support)
    for _ in range(40):
        items = _random_items(rng)
        packing = cartonize(items, catalogue, params)
        report = check_packing(items, catalogue, packing, support)
        assert report.ok, report.violations
        assert volume_lower_bound(items, catalogue) <= report.boxes
        assert report.boxes <= sum(i.quantity for i in items)
        assert packing.cost == report.cost
        assert packing.fill_rate == pytest.approx(report.fill_rate)
