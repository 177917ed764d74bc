"""CVRPLIB instances (``*.vrp``, TSPLIB style, ``EUC_2D``).

Arc cost is the Euclidean distance rounded to the nearest integer, as
CVRPLIB does. The fleet is unlimited in the benchmark; tournee offers twice
the minimum number of vehicles named in the instance (``-kNN``), at least 2.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from optimizer.domain.fleet import Fleet, VehicleType
from optimizer.domain.geo import PlanarPoint
from optimizer.domain.network import Depot
from optimizer.domain.orders import Order, Parcel
from optimizer.domain.problems import RoutingProblem
from optimizer.domain.time_window import TimeWindow
from optimizer.formats.errors import InputError, read_lines
from optimizer.travel.planar import PlanarProvider

_OPEN = TimeWindow(0, 10**9)


def read_cvrplib(path: str | Path) -> RoutingProblem:
    """Read a CVRPLIB ``.vrp`` instance.

    Orders are named by customer number ``1 .. n`` (CVRPLIB node id minus
    one), the numbering of CVRPLIB ``.sol`` files.

    Raises
    ------
    InputError
        On a malformed file, naming the line and section.
    """
    path = Path(path)
    lines = read_lines(path)
    header: dict[str, str] = {}
    coords: dict[int, tuple[float, float]] = {}
    demand: dict[int, int] = {}
    depots: list[int] = []
    section = None
    for k, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("SECTION"):
            section = line
            continue
        if section is None and ":" in line:
            key, value = line.split(":", 1)
            header[key.strip().upper()] = value.strip()
            continue
        parts = line.split()
        try:
            if section == "NODE_COORD_SECTION":
                x, y = float(parts[1]), float(parts[2])
                if not (math.isfinite(x) and math.isfinite(y)):
                    raise ValueError
                coords[int(parts[0])] = (x, y)
            elif section == "DEMAND_SECTION":
                demand[int(parts[0])] = int(parts[1])
            elif section == "DEPOT_SECTION":
                if int(parts[0]) > 0:
                    depots.append(int(parts[0]))
        except (ValueError, IndexError):
            raise InputError(str(path), f"malformed line {line!r}", k, section) from None
    for key in ("DIMENSION", "CAPACITY"):
        if key not in header:
            raise InputError(str(path), "missing header", None, key)
    if header.get("EDGE_WEIGHT_TYPE", "EUC_2D") != "EUC_2D":
        raise InputError(str(path), "only EUC_2D is supported", None, "EDGE_WEIGHT_TYPE")
    dimension, capacity = int(header["DIMENSION"]), int(header["CAPACITY"])
    if len(coords) != dimension:
        raise InputError(str(path), f"{len(coords)} coordinates for DIMENSION {dimension}")
    depot_id = depots[0] if depots else 1
    match = re.search(r"-k(\d+)", header.get("NAME", path.stem))
    k_min = int(match.group(1)) if match else max(1, math.ceil(sum(demand.values()) / capacity))
    depot = Depot("0", PlanarPoint(*coords[depot_id]), _OPEN)
    orders = []
    customers = [node for node in sorted(coords) if node != depot_id]
    for node in customers:
        number = node - 1 if node > depot_id else node
        orders.append(
            Order(
                id=str(number),
                customer=str(number),
                location=PlanarPoint(*coords[node]),
                parcels=(Parcel("1", demand.get(node, 0), 0),),
                time_windows=(_OPEN,),
            )
        )
    vehicle = VehicleType(
        id="vehicle",
        count=max(2, 2 * k_min),
        capacity_weight=capacity,
        capacity_volume=0,
        capacity_parcels=len(orders),
        start_depot="0",
        end_depot="0",
        shift=_OPEN,
        cost_per_km=1,
    )
    return RoutingProblem.build(
        name=header.get("NAME", path.stem),
        orders=tuple(orders),
        depots=(depot,),
        fleet=Fleet((vehicle,)),
        travel=PlanarProvider(time_per_unit=1),
        arc_scale=1.0,
        arc_rounding="round",
    )
