"""SPRP benchmark reader: conventions of the README, optima, and input errors."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from optimizer.formats.errors import InputError
from simulation.layout import AislePoint, Layout, PickLocation
from simulation.sprp import read_optima, read_sprp

SPRP = Path(__file__).resolve().parent / "data" / "sprp"
SMALL = SPRP / "unit_F1_m5_C30_a3_0.txt"  # 5 aisles, 30 cells, depot aisle 4 bottom


def test_single_block_cells_count_down_from_the_top():
    layout, picks = read_sprp(SMALL)
    # Cell c is at y = C - c = 30 - c; the top cross aisle is at C + 1 = 31.
    assert layout.cross_aisles == (0.0, 31.0)
    assert layout.aisles == 5 and layout.aisle_spacing == 3.0
    assert layout.depot == AislePoint(4, 0.0)
    # ORDER_SECTION asks for articles 0, 1, 2, stored at (aisle 3, cell 27),
    # (aisle 2, cell 22) and (aisle 0, cell 16).
    assert picks == (PickLocation(3, 3.0), PickLocation(2, 8.0), PickLocation(0, 14.0))
    assert layout.slots == tuple(float(y) for y in range(1, 31))


def test_two_block_moves_the_upper_half_up_by_one():
    layout, picks = read_sprp(SMALL, blocks=2)
    # Middle cross aisle at C/2 + 1 = 16, top at C + 2 = 32; cells >= 15 keep
    # y = 30 - c, cells < 15 get y = 31 - c.
    assert layout.cross_aisles == (0.0, 16.0, 32.0)
    assert picks == (PickLocation(3, 3.0), PickLocation(2, 8.0), PickLocation(0, 14.0))
    assert layout.slots[14] == 15.0 and layout.slots[15] == 17.0
    assert layout.distance(PickLocation(0, 15.0), PickLocation(0, 17.0)) == 2.0


@pytest.mark.parametrize("path", sorted(SPRP.glob("*.txt")), ids=lambda p: p.stem)
@pytest.mark.parametrize("blocks", [1, 2])
def test_layout_equals_the_rectangular_builder(path, blocks):
    layout, picks = read_sprp(path, blocks)
    depot: Literal["front", "back"] = "front" if layout.depot_cross_aisle == 0 else "back"
    built = Layout.rectangular(
        layout.aisles,
        layout.locations_per_aisle,
        1.0,
        3.0,
        0.5,
        blocks=blocks,
        depot_aisle=layout.depot_aisle,
        depot=depot,
    )
    assert built == layout
    assert len(set(picks)) == len(picks)
    assert all(p.y in layout.slots for p in picks)


def test_top_depot_is_on_the_last_cross_aisle():
    path = SPRP / "unit_F1_m10_C30_a30_5.txt"
    assert "DEPOT_LOCATION : top" in path.read_text(encoding="latin-1")
    for blocks in (1, 2):
        layout, _ = read_sprp(path, blocks)
        assert layout.depot_cross_aisle == blocks
        assert layout.depot.y == layout.depth


def test_latin1_comment_is_read():
    assert b"\xdf" in SMALL.read_bytes()  # "Heßler" in Latin-1
    read_sprp(SMALL)


def test_read_optima_keys_by_instance_and_blocks():
    optima = read_optima(SPRP / "optima.csv")
    assert len(optima) == 2 * len(list(SPRP.glob("*.txt")))
    assert optima[(SMALL.name, 1)] == 74.0
    assert optima[(SMALL.name, 2)] == 60.0


def test_blocks_must_be_one_or_two():
    with pytest.raises(ValueError, match="blocks"):
        read_sprp(SMALL, blocks=3)


def _edit(tmp_path: Path, old: str, new: str) -> Path:
    text = SMALL.read_text(encoding="latin-1")
    assert old in text
    bad = tmp_path / "bad.txt"
    bad.write_text(text.replace(old, new), encoding="latin-1")
    return bad


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("NUM_CELLS : 30", "NUM_CELLS : thirty", "row 6.*NUM_CELLS.*not an integer"),
        ("NUM_CELLS : 30\n", "", "NUM_CELLS.*missing"),
        ("DEPOT_LOCATION : bottom", "DEPOT_LOCATION : left", "DEPOT_LOCATION"),
        ("DEPOT : 0", "DEPOT : 2", "DISTANCE_TOP_OR_BOTTOM_TO_DEPOT"),
        ("ID 2 AISLE 0 CELL 16", "ID 2 AISLE 9 CELL 16", "outside"),
        ("ID 2 AISLE 0 CELL 16", "ID 7 AISLE 0 CELL 16", "article 2 has no storage"),
        ("ID 0 QUANTITY 1", "what is this", "unexpected line"),
    ],
)
def test_malformed_files_raise_input_errors(tmp_path, old, new, message):
    with pytest.raises(InputError, match=message) as info:
        read_sprp(_edit(tmp_path, old, new))
    assert "bad.txt" in str(info.value)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_sprp(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_text("\n")
    with pytest.raises(InputError, match="empty"):
        read_sprp(tmp_path / "empty.txt")
