"""Solomon / Gehring-Homberger VRPTW instances (``*.txt``).

Standard semantics: travel time equals Euclidean distance, service must start
inside ``[READY, DUE]``, the depot's due date is the horizon. Inside tournee
times are integers: every time is multiplied by :data:`TIME_SCALE`, and travel
times are rounded up, so a schedule that is feasible for the engine is feasible
in double precision too. Arc *costs* follow the DIMACS-2021 rule (Euclidean
distance truncated to one decimal), the convention of the proven optima.
"""

from __future__ import annotations

import math
from pathlib import Path

from optimizer.domain.fleet import Fleet, VehicleType
from optimizer.domain.geo import PlanarPoint
from optimizer.domain.network import Depot
from optimizer.domain.orders import Order, Parcel
from optimizer.domain.problems import RoutingProblem
from optimizer.domain.time_window import TimeWindow
from optimizer.formats.errors import InputError, read_lines
from optimizer.travel.planar import PlanarProvider

TIME_SCALE = 1000
"""Integer time units per instance time unit."""


def _number(path: Path, line_no: int, field: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(str(path), f"not a number: {text!r}", line_no, field) from None
    if not math.isfinite(value):
        raise InputError(str(path), f"not a finite number: {text!r}", line_no, field)
    return value


def read_solomon(path: str | Path) -> RoutingProblem:
    """Read a Solomon-format VRPTW instance.

    Parameters
    ----------
    path
        The ``.txt`` file.

    Returns
    -------
    RoutingProblem
        Orders are named by the instance's customer numbers; the fleet is
        the instance's (``NUMBER`` vehicles of ``CAPACITY``). Costs are
        distance only.

    Raises
    ------
    InputError
        On a malformed file, naming the line and column.
    """
    path = Path(path)
    lines = read_lines(path)
    name = lines[0].strip()
    fleet_line = next(
        (k for k, line in enumerate(lines) if line.strip().upper().startswith("NUMBER")), None
    )
    cust_line = next(
        (k for k, line in enumerate(lines) if line.strip().upper().startswith("CUST NO")), None
    )
    if fleet_line is None or cust_line is None:
        raise InputError(str(path), "missing VEHICLE or CUSTOMER section")
    values_line = next(k for k in range(fleet_line + 1, len(lines)) if lines[k].strip())
    parts = lines[values_line].split()
    if len(parts) < 2:
        raise InputError(str(path), "expected NUMBER and CAPACITY", values_line + 1)
    count = int(_number(path, values_line + 1, "NUMBER", parts[0]))
    capacity = int(_number(path, values_line + 1, "CAPACITY", parts[1]))
    columns = ["CUST NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE", "SERVICE TIME"]
    rows = []
    for k in range(cust_line + 1, len(lines)):
        parts = lines[k].split()
        if not parts:
            continue
        if len(parts) < 7:
            raise InputError(str(path), "expected 7 columns", k + 1, columns[len(parts)])
        rows.append((k + 1, [_number(path, k + 1, c, t) for c, t in zip(columns, parts)]))
    if not rows:
        raise InputError(str(path), "no customer rows")
    (_, depot_row), customers = rows[0], rows[1:]
    horizon = TimeWindow(int(depot_row[4] * TIME_SCALE), int(depot_row[5] * TIME_SCALE))
    depot = Depot("0", PlanarPoint(depot_row[1], depot_row[2]), horizon)
    orders = []
    for line_no, row in customers:
        try:
            orders.append(
                Order(
                    id=str(int(row[0])),
                    customer=str(int(row[0])),
                    location=PlanarPoint(row[1], row[2]),
                    parcels=(Parcel("1", int(row[3]), 0),),
                    time_windows=(TimeWindow(int(row[4] * TIME_SCALE), int(row[5] * TIME_SCALE)),),
                    service_time=int(round(row[6] * TIME_SCALE)),
                )
            )
        except ValueError as exc:
            raise InputError(str(path), str(exc), line_no) from None
    vehicle = VehicleType(
        id="vehicle",
        count=count,
        capacity_weight=capacity,
        capacity_volume=0,
        capacity_parcels=len(orders),
        start_depot="0",
        end_depot="0",
        shift=horizon,
        cost_per_km=1,
    )
    try:
        return RoutingProblem.build(
            name=name,
            orders=tuple(orders),
            depots=(depot,),
            fleet=Fleet((vehicle,)),
            travel=PlanarProvider(time_per_unit=TIME_SCALE),
            arc_scale=10.0,
            arc_rounding="floor",
        )
    except ValueError as exc:
        raise InputError(str(path), str(exc)) from None
