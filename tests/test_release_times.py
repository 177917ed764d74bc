"""Ready times from the picking simulation applied as release times."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.formats.batch import read_batch
from optimizer.formats.errors import InputError
from optimizer.formats.release_times import apply_release_times, read_release_times

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "lyon" / "batch.json"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ready.csv"
    path.write_text(text)
    return path


def test_latest_parcel_counts(tmp_path: Path):
    path = write(tmp_path, "order_id,ready_time,truck\nA,08:30,1\nA,09:15:30,1\nB,07:00,2\n")
    # A's last parcel is ready at 9:15:30 = 33330 s.
    assert read_release_times(path) == {"A": 33330, "B": 25200}


def test_applied_to_the_sample_batch(tmp_path: Path):
    batch = read_batch(SAMPLE)
    first, second = batch.orders[0].id, batch.orders[1].id
    path = write(tmp_path, f"order_id,ready_time\n{first},10:00\n{second},11:00\n")
    released = apply_release_times(batch, path)
    assert released.orders[0].release_time == 36000
    assert released.orders[1].release_time == 39600
    assert released.orders[2].release_time == 0


@pytest.mark.parametrize(
    ("text", "row", "field"),
    [
        ("order_id,when\nA,08:00\n", 1, "ready_time"),
        ("order_id,ready_time\nA,8h\n", 2, "ready_time"),
        ("order_id,ready_time\n,08:00\n", 2, "order_id"),
        ("order_id,ready_time\nA,08:00\nB,25:61\n", 3, "ready_time"),
    ],
)
def test_bad_rows_are_located(tmp_path: Path, text: str, row: int, field: str):
    with pytest.raises(InputError) as info:
        read_release_times(write(tmp_path, text))
    assert (info.value.row, info.value.field) == (row, field)


def test_unknown_order_and_empty_file(tmp_path: Path):
    with pytest.raises(InputError, match="not in the batch"):
        apply_release_times(read_batch(SAMPLE), write(tmp_path, "order_id,ready_time\nZZ,08:00\n"))
    with pytest.raises(InputError, match="empty"):
        read_release_times(write(tmp_path, ""))


def test_not_packed_means_not_ready(tmp_path: Path):
    from optimizer.formats.release_times import NOT_READY

    path = write(tmp_path, "order_id,ready_time,truck,carrier,cutoff\nA,08:00,1,dpd,12:00\nB,,,,\n")
    assert read_release_times(path) == {"A": 28800, "B": NOT_READY}


def test_simulated_ready_times_drive_the_plan(tmp_path: Path):
    # The warehouse simulation writes the file; the planner applies it.
    from optimizer.routing import SolveParams, solve_routes

    batch = read_batch(SAMPLE)
    ids = [o.id for o in batch.orders if not o.id.startswith("X-")][:3]
    path = write(tmp_path, f"order_id,ready_time\n{ids[0]},11:00\n{ids[1]},\n")
    released = apply_release_times(batch, path)
    plan = solve_routes(released.to_problem(), SolveParams(time_limit=3, engine="ortools"))
    start_of = {o: r.start for r in plan.routes for o in r.order_ids}
    unassigned = {u.order_id: u for u in plan.unassigned}
    assert ids[0] not in start_of or start_of[ids[0]] >= 11 * 3600
    assert unassigned[ids[1]].reason.value == "shift_duration"
    assert "ready at 47:59" in unassigned[ids[1]].detail
