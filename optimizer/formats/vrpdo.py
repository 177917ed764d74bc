"""VRP with delivery options: the Dumez et al. and Tilk et al. instance files.

Both sets share one whitespace-separated layout (see
``shared/benchmarks/vrpdo/README.md``): a name line, a header with the counts
``VEHICLE CAPACITY LOCATIONS CUSTOMER OPTIONS PRIORITIES NUMTYPS``, then the
``CUSTOMER DEMAND``, ``LOCATION ...`` and ``OPTION ...`` tables. They differ in
their distance convention only, which :func:`read_vrpdo` records on the
instance (``"dumez"``: real Euclidean; ``"tilk"``: ``ceil(10 * euclid)`` with
the ``DUE + 5`` / ``DUE + 2`` allowances and times scaled by 10).
"""

from __future__ import annotations

import re
from pathlib import Path

from optimizer.formats.errors import InputError, read_lines
from optimizer.vrpdo import (
    CONVENTIONS,
    VrpdoInstance,
    VrpdoLocation,
    VrpdoOption,
    VrpdoSolution,
)

_TILK_NAME = re.compile(r"(small|medium|large)", re.IGNORECASE)
_HEADER = ("VEHICLE", "CAPACITY", "LOCATIONS", "CUSTOMER", "OPTIONS", "PRIORITIES", "NUMTYPS")
_LOCATION = ("LOCATION", "XCOORD", "YCOORD", "CAP", "READY", "DUE", "TYP", "SERVICETIME")
_OPTION = ("OPTION", "LOCATION", "CUSTOMER", "PRIO", "SERVICETIME", "COST")


def detect_convention(path: str | Path) -> str:
    """The distance convention of an instance file, from its name.

    Tilk et al. files are named ``{U,V}_{25,50}{small,medium,large}_k``, or
    live in a folder whose name contains ``tilk``; everything else is read as
    a Dumez et al. file.
    """
    path = Path(path)
    if _TILK_NAME.search(path.name) or "tilk" in str(path.parent).lower():
        return "tilk"
    return "dumez"


def _int(path: Path, row: int, field: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise InputError(str(path), f"not a number: {text!r}", row, field) from None
        if not value.is_integer():
            raise InputError(str(path), f"not an integer: {text!r}", row, field) from None
        return int(value)


def _table(
    path: Path, lines: list[str], start: int, count: int, columns: tuple[str, ...]
) -> tuple[list[tuple[int, list[int]]], int]:
    """``count`` data rows after line ``start``; blank lines are skipped."""
    rows: list[tuple[int, list[int]]] = []
    k = start
    while len(rows) < count:
        if k >= len(lines):
            raise InputError(str(path), f"expected {count} {columns[0]} rows, found {len(rows)}")
        parts = lines[k].split()
        k += 1
        if not parts:
            continue
        if len(parts) < len(columns):
            raise InputError(
                str(path), f"expected {len(columns)} values, got {len(parts)}", k, columns[0]
            )
        values = [_int(path, k, name, text) for name, text in zip(columns, parts)]
        if values[0] != len(rows):
            raise InputError(str(path), f"expected id {len(rows)}, got {values[0]}", k, columns[0])
        rows.append((k, values))
    return rows, k


def _find(path: Path, lines: list[str], first: str, start: int = 0) -> int:
    for k in range(start, len(lines)):
        parts = lines[k].split()
        if parts and parts[0].upper() == first:
            return k
    raise InputError(str(path), f"missing {first} section")


def read_vrpdo(path: str | Path, convention: str | None = None) -> VrpdoInstance:
    """Read a VRPDO instance of either set.

    Parameters
    ----------
    path
        The ``.txt`` instance file.
    convention
        ``"dumez"`` or ``"tilk"``; by default detected from the file name
        (:func:`detect_convention`).

    Returns
    -------
    VrpdoInstance
        Named by the file's stem. Ids are the file's own: location 0 is the
        depot, customers ``0 … NC-1``, options ``0 … NO-1``.

    Raises
    ------
    InputError
        On a malformed file, naming the line and column.
    """
    path = Path(path)
    if convention is None:
        convention = detect_convention(path)
    if convention not in CONVENTIONS:
        raise ValueError(f"convention: expected one of {CONVENTIONS}, got {convention!r}")
    lines = read_lines(path)
    name = path.stem  # the Tilk "large" files repeat the Dumez name on their first line
    head = _find(path, lines, "VEHICLE")
    (_, counts), _ = _table_values(path, lines, head + 1, _HEADER)
    vehicles, capacity, n_loc, n_cust, n_opt = counts[:5]
    for field, value in zip(_HEADER[2:5], (n_loc, n_cust, n_opt)):
        if value <= 0:
            raise InputError(str(path), f"must be positive, got {value}", head + 2, field)
    customers, _ = _table(
        path, lines, _find(path, lines, "CUSTOMER", head + 2) + 1, n_cust, ("CUSTOMER", "DEMAND")
    )
    loc_head = _find(path, lines, "LOCATION", head + 2)
    loc_rows, end = _table(path, lines, loc_head + 1, n_loc, _LOCATION)
    opt_rows, _ = _table(path, lines, _find(path, lines, "OPTION", end) + 1, n_opt, _OPTION)
    locations = []
    for row, (lid, x, y, cap, ready, due, typ, service) in loc_rows:
        if typ not in (0, 1, 2) or (lid == 0) != (typ == 0):
            raise InputError(str(path), f"location {lid}: bad type {typ}", row, "TYP")
        if typ == 1 and cap <= 0:
            raise InputError(str(path), f"shared location needs CAP > 0, got {cap}", row, "CAP")
        if ready > due:
            raise InputError(str(path), f"READY {ready} after DUE {due}", row, "READY")
        locations.append(
            VrpdoLocation(
                x=x,
                y=y,
                kind=typ,
                ready=ready,
                due=due,
                service=service,
                capacity=cap if typ == 1 else None,
            )
        )
    options = []
    for row, (_oid, loc, cust, prio, service, cost) in opt_rows:
        if not 1 <= loc < n_loc:
            raise InputError(str(path), f"no such location {loc}", row, "LOCATION")
        if not 0 <= cust < n_cust:
            raise InputError(str(path), f"no such customer {cust}", row, "CUSTOMER")
        if prio < 0 or service < 0:
            raise InputError(
                str(path), "must not be negative", row, "PRIO" if prio < 0 else "SERVICETIME"
            )
        options.append(
            VrpdoOption(location=loc, customer=cust, priority=prio, service=service, cost=cost)
        )
    served = {o.customer for o in options}
    for row, (cid, demand) in customers:
        if demand < 0:
            raise InputError(str(path), f"negative demand {demand}", row, "DEMAND")
        if cid not in served:
            raise InputError(str(path), f"customer {cid} has no option", row, "CUSTOMER")
    try:
        return VrpdoInstance(
            name=name,
            convention=convention,
            vehicles=vehicles,
            capacity=capacity,
            demands=tuple(d for _, (_, d) in customers),
            locations=tuple(locations),
            options=tuple(options),
        )
    except ValueError as exc:
        raise InputError(str(path), str(exc)) from None


def _table_values(
    path: Path, lines: list[str], start: int, columns: tuple[str, ...]
) -> tuple[tuple[int, list[int]], int]:
    """The first non-blank row after ``start`` as integers (no id column)."""
    for k in range(start, len(lines)):
        parts = lines[k].split()
        if not parts:
            continue
        if len(parts) < len(columns):
            raise InputError(
                str(path), f"expected {len(columns)} values, got {len(parts)}", k + 1, columns[0]
            )
        return (k + 1, [_int(path, k + 1, c, t) for c, t in zip(columns, parts)]), k + 1
    raise InputError(str(path), f"missing values after the {columns[0]} header")


def read_greedy_solution(path: str | Path) -> VrpdoSolution:
    """Read a simosathan9 ``*greedy.txt`` solution (``location option customer`` rows).

    Raises
    ------
    InputError
        On a malformed file.
    """
    path = Path(path)
    routes: list[tuple[int, ...]] = []
    current: list[int] | None = None
    for k, line in enumerate(read_lines(path), start=1):
        parts = line.split()
        if parts[:1] == ["Route"]:
            current = []
            continue
        if current is None or len(parts) != 3 or parts[0] == "Location":
            continue
        if parts[1] == "-":
            if current:
                routes.append(tuple(current))
                current = []
            continue
        current.append(_int(path, k, "option", parts[1]))
    return VrpdoSolution(tuple(routes))


def parse_yangkai_routes(entry: dict[str, object]) -> VrpdoSolution:
    """A YangKai119 JSON solution entry (``{"Routes": [{"route": "o 3 7 o* "}]}``)."""
    routes = []
    for route in entry["Routes"]:  # type: ignore[attr-defined]
        ids = [int(t) for t in route["route"].split() if t not in ("o", "o*")]
        if ids:
            routes.append(tuple(ids))
    return VrpdoSolution(tuple(routes))
