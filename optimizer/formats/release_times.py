"""Parcel ready times from the picking simulation, applied as order release times.

The file is the CSV that ``tournee simulate`` writes (``ready_times_*.csv``):
a header with at least ``order_id`` and ``ready_time`` (``"HH:MM"`` or
``"HH:MM:SS"`` after local midnight of the delivery day); other columns are
ignored. An order listed several times (several parcels) is released when
its last parcel is ready. An empty ``ready_time`` means the order is not
ready today (not packed when the warehouse closed): it gets
:data:`NOT_READY`, so no vehicle carries it and the plan lists it as
unassigned.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

from optimizer.domain.batch import Batch
from optimizer.formats.batch import parse_clock
from optimizer.formats.errors import InputError

_REQUIRED = ("order_id", "ready_time")

NOT_READY = 47 * 3600 + 59 * 60 + 59
"""Release time of an order that is not ready today (47:59:59)."""


def read_release_times(path: str | Path) -> dict[str, int]:
    """Latest ready time per order id, in seconds after midnight.

    Raises
    ------
    InputError
        On a missing column, a bad time or an empty file, naming the row.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not a UTF-8 text file") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError(str(path), "file is empty")
    header = [h.strip() for h in rows[0]]
    for name in _REQUIRED:
        if name not in header:
            raise InputError(str(path), "missing column", 1, name)
    at = {name: header.index(name) for name in _REQUIRED}
    released: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise InputError(str(path), "row has fewer cells than the header", line)
        order_id = row[at["order_id"]].strip()
        if not order_id:
            raise InputError(str(path), "must not be empty", line, "order_id")
        if not row[at["ready_time"]].strip():
            released[order_id] = NOT_READY
            continue
        try:
            ready = parse_clock(row[at["ready_time"]])
        except ValueError as exc:
            raise InputError(str(path), str(exc), line, "ready_time") from None
        released[order_id] = max(ready, released.get(order_id, 0))
    if not released:
        raise InputError(str(path), "no data rows")
    return released


def apply_release_times(batch: Batch, path: str | Path) -> Batch:
    """The batch with each listed order's ``release_time`` set from the file.

    Raises
    ------
    InputError
        When the file names an order the batch does not have.
    """
    released = read_release_times(path)
    known = {o.id for o in batch.orders}
    unknown = sorted(set(released) - known)
    if unknown:
        raise InputError(
            str(path), f"order {unknown[0]!r} is not in the batch ({len(unknown)} unknown)"
        )
    orders = tuple(
        dataclasses.replace(o, release_time=released[o.id]) if o.id in released else o
        for o in batch.orders
    )
    return dataclasses.replace(batch, orders=orders)
