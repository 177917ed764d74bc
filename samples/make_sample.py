"""Generate the Lyon sample batch: ``samples/lyon/{batch.json, orders.csv, fleet.json}``.

One delivery day (2026-11-24, Europe/Paris) from a depot in the Corbas /
Vénissieux logistics area, south of Lyon: 295 ordinary orders spread over
Lyon and Villeurbanne, denser in the centre, 15 second orders of customers
already in the batch (consolidation merges them), a mixed fleet of 16 vans and
two cargo bikes at a micro-hub confined to the Presqu'ile low-emission zone
(where only cargo bikes and electric vans may deliver), five lockers and five
shops as pickup points, delivery options for half the customers (home or any
pickup point within 900 m, or a named locker or shop first) with an 80 %
first-choice quota, and five orders that cannot be served, each for a
different reason. Their ids start with ``X-`` and their ``note`` names the
reason a plan should give.

``batch.json`` is the JSON batch; ``orders.csv`` holds the same orders, one
row per parcel, and ``fleet.json`` the same depot and fleet, to show the
CSV path. The output depends only on the seed::

    python samples/make_sample.py [--seed 20261124] [--out samples/lyon]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

SEED = 20261124
ORDINARY_ORDERS = 295
REPEAT_ORDERS = 15  # second orders of existing customers: consolidation merges them
DEPOT_ID = "LYS-CORBAS"
HUB_ID = "LYS-HUB-PERRACHE"
HUB = (45.7490, 4.8260)  # cargo-bike micro-hub near Perrache
# The Presqu'ile between the Rhone and the Saone, Perrache to the Croix-Rousse slopes:
# a low-emission zone served by cargo bikes and electric vans only.
PRESQUILE = [
    (4.8190, 45.7440),
    (4.8330, 45.7440),
    (4.8440, 45.7640),
    (4.8390, 45.7720),
    (4.8270, 45.7720),
    (4.8230, 45.7600),
]
PICKUP_POINTS: list[dict[str, Any]] = [
    # Lockers: compartments S/M/L, some already occupied; open early to late.
    {"id": "LCK-PARTDIEU", "lat": 45.7606, "lon": 4.8594, "kind": "locker",
     "compartments": {"S": 12, "M": 8, "L": 4}, "occupied": {"S": 4, "M": 3, "L": 2}},
    {"id": "LCK-BELLECOUR", "lat": 45.7575, "lon": 4.8322, "kind": "locker",
     "compartments": {"S": 10, "M": 6, "L": 2}, "occupied": {"S": 2, "M": 2, "L": 1}},
    {"id": "LCK-CROIXROUSSE", "lat": 45.7745, "lon": 4.8310, "kind": "locker",
     "compartments": {"S": 8, "M": 6, "L": 2}, "occupied": {"S": 6, "M": 6, "L": 2}},
    {"id": "LCK-VILLEURBANNE", "lat": 45.7665, "lon": 4.8795, "kind": "locker",
     "compartments": {"S": 10, "M": 8, "L": 4}, "occupied": {"S": 3, "M": 1, "L": 0}},
    {"id": "LCK-GERLAND", "lat": 45.7330, "lon": 4.8330, "kind": "locker",
     "compartments": {"S": 10, "M": 6, "L": 3}, "occupied": {"S": 1, "M": 1, "L": 1}},
    # Shops: a daily parcel capacity, shop hours.
    {"id": "SHOP-GUILLOTIERE", "lat": 45.7530, "lon": 4.8430, "kind": "shop",
     "capacity_parcels": 25},
    {"id": "SHOP-BROTTEAUX", "lat": 45.7690, "lon": 4.8520, "kind": "shop",
     "capacity_parcels": 20},
    {"id": "SHOP-MONPLAISIR", "lat": 45.7440, "lon": 4.8700, "kind": "shop",
     "capacity_parcels": 20},
    {"id": "SHOP-VAISE", "lat": 45.7760, "lon": 4.8050, "kind": "shop",
     "capacity_parcels": 15},
    {"id": "SHOP-CHARPENNES", "lat": 45.7700, "lon": 4.8640, "kind": "shop",
     "capacity_parcels": 20},
]  # fmt: skip
BOXES = [
    {"id": "BOX-S", "length_mm": 300, "width_mm": 200, "height_mm": 100,
     "max_weight_kg": 5, "cost": 0.35, "size_class": "S", "tare_kg": 0.1},
    {"id": "BOX-M", "length_mm": 400, "width_mm": 300, "height_mm": 200,
     "max_weight_kg": 15, "cost": 0.6, "size_class": "M", "tare_kg": 0.25},
    {"id": "BOX-L", "length_mm": 600, "width_mm": 400, "height_mm": 400,
     "max_weight_kg": 30, "cost": 1.1, "size_class": "L", "tare_kg": 0.5},
]  # fmt: skip
ITEM_KINDS = [  # (name, length, width, height mm, kg)
    ("book", 240, 160, 40, 0.6),
    ("shoes", 330, 210, 120, 1.2),
    ("phone", 170, 90, 60, 0.4),
    ("kettle", 250, 200, 260, 1.5),
    ("towels", 350, 280, 120, 1.8),
    ("toy", 280, 200, 150, 0.7),
]
DEPOT = (45.6985, 4.8930)  # logistics area between Corbas and Vénissieux
CENTRE = (45.7600, 4.8450)  # between the Presqu'île and Part-Dieu
LAT_RANGE = (45.70, 45.80)
LON_RANGE = (4.78, 4.93)

WINDOWS: dict[str, list[tuple[str, str]]] = {
    "all_day": [("08:00", "18:00")],
    "morning": [("08:00", "12:00")],
    "afternoon": [("13:00", "17:00")],
}
SLOT_STARTS = (8, 9, 10, 11, 12, 13, 14)  # two-hour slots, 08:00-10:00 to 14:00-16:00
TWO_WINDOWS = [("08:00", "10:00"), ("14:00", "16:00")]

CSV_COLUMNS = (
    "order_id",
    "customer",
    "lat",
    "lon",
    "parcel_id",
    "weight_kg",
    "volume_l",
    "tw_start",
    "tw_end",
    "tw2_start",
    "tw2_end",
    "service_min",
    "penalty",
    "skills",
    "delivery_options",
    "max_walk_m",
    "note",
)


def setup() -> dict[str, Any]:
    """Everything but the orders: the content of ``fleet.json``."""
    depot = DEPOT_ID
    return {
        "name": "lyon-2026-11-24",
        "note": "Generated by samples/make_sample.py; see docs/batch-format.md.",
        "date": "2026-11-24",
        "timezone": "Europe/Paris",
        "options": {
            "detour_factor": 1.3,
            "time_limit_s": 20,
            "seed": 0,
            "min_first_choice_pct": 80,
            "rank_cost": 0.5,
            "co2_price_eur_per_t": 200,
        },
        "depots": [
            {
                "id": depot,
                "lat": DEPOT[0],
                "lon": DEPOT[1],
                "opening": {"start": "06:00", "end": "21:00"},
            },
            {
                "id": HUB_ID,
                "lat": HUB[0],
                "lon": HUB[1],
                "opening": {"start": "07:00", "end": "20:00"},
            },
        ],
        "pickup_points": [_pickup_point(p) for p in PICKUP_POINTS],
        "zones": [
            {
                "id": "presquile",
                "note": "low-emission zone: cargo bikes and electric vans only",
                "polygon": [list(v) for v in PRESQUILE],
                "vehicle_types": ["cargo-bike", "van-electric"],
            }
        ],
        "vehicle_types": [
            {
                "id": "van-large",
                "carrier": "rhone-express",
                "count": 6,
                "capacity": {"weight_kg": 1000, "volume_l": 10000, "parcels": 120},
                "start_depot": depot,
                "end_depot": depot,
                "shift": {"start": "07:00", "end": "17:00"},
                "fixed_cost": 60,
                "cost_per_km": 0.35,
                "cost_per_hour": 25,
                "max_duration_h": 9,
                "max_stops": 45,
                "speed_kmh": 25,
                "co2_g_per_km": 220,
                "skills": [],
            },
            {
                "id": "van-electric",
                "carrier": "rhone-express",
                "count": 8,
                "capacity": {"weight_kg": 700, "volume_l": 6000, "parcels": 80},
                "start_depot": depot,
                "end_depot": depot,
                "shift": {"start": "08:00", "end": "18:00"},
                "fixed_cost": 45,
                "cost_per_km": 0.12,
                "cost_per_hour": 25,
                "max_duration_h": "09:00",
                "max_stops": 35,
                "speed_kmh": 25,
                "co2_g_per_km": 0,
                "skills": [],
            },
            {
                "id": "van-refrigerated",
                "carrier": "froid-lyonnais",
                "count": 2,
                "capacity": {"weight_kg": 800, "volume_l": 8000, "parcels": 100},
                "start_depot": depot,
                "end_depot": depot,
                "shift": {"start": "07:00", "end": "17:00"},
                "fixed_cost": 75,
                "cost_per_km": 0.40,
                "cost_per_hour": 27,
                "max_duration_h": 9,
                "max_stops": 40,
                "speed_kmh": 25,
                "co2_g_per_km": 240,
                "skills": ["refrigerated"],
            },
            {
                "id": "cargo-bike",
                "carrier": "velo-cargo-lyon",
                "count": 2,
                "capacity": {"weight_kg": 150, "volume_l": 1200, "parcels": 40},
                "start_depot": HUB_ID,
                "end_depot": HUB_ID,
                "shift": {"start": "08:00", "end": "17:00"},
                "fixed_cost": 20,
                "cost_per_km": 0.03,
                "cost_per_hour": 22,
                "max_duration_h": 8,
                "speed_kmh": 14,
                "co2_g_per_km": 0,
                "skills": [],
                "zones": ["presquile"],
            },
        ],
    }


def _pickup_point(point: dict[str, Any]) -> dict[str, Any]:
    """A pickup point as the batch format writes it."""
    locker = point["kind"] == "locker"
    out = dict(point)
    out["opening"] = (
        [{"start": "07:00", "end": "21:00"}]
        if locker
        else [
            {"start": "09:00", "end": "12:30"},
            {"start": "14:00", "end": "19:00"},
        ]
    )
    out["stop_time_s"] = 180 if locker else 240
    out["parcel_time_s"] = 20 if locker else 30
    if locker:
        out["max_parcel_weight_kg"] = 20
    return out


def _in_presquile(where: tuple[float, float]) -> bool:
    """Even-odd test of a (lat, lon) against the Presqu'ile polygon."""
    lat, lon = where
    inside = False
    for (x1, y1), (x2, y2) in zip(PRESQUILE, PRESQUILE[1:] + PRESQUILE[:1]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _delivery_options(rng: np.random.Generator) -> list[dict[str, Any]]:
    """What the customer accepts: home only, home then any pickup point, or a locker first."""
    kind = rng.choice(["home", "home_any", "locker", "shop"], p=[0.5, 0.3, 0.12, 0.08])
    if kind == "home":
        return []
    if kind == "home_any":
        return [{"type": "home"}, {"type": "any_pickup_point", "max_walk_m": 900}]
    pool = [p["id"] for p in PICKUP_POINTS if p["kind"] == kind]
    first = str(rng.choice(pool))
    return [{"type": "pickup_point", "pickup_point": first}, {"type": "home"}]


def _location(rng: np.random.Generator) -> tuple[float, float]:
    """A delivery address: 60 % clustered around the centre, 40 % anywhere."""
    if rng.random() < 0.6:
        lat, lon = rng.normal(CENTRE[0], 0.014), rng.normal(CENTRE[1], 0.018)
    else:
        lat, lon = rng.uniform(*LAT_RANGE), rng.uniform(*LON_RANGE)
    lat = min(max(lat, LAT_RANGE[0]), LAT_RANGE[1])
    lon = min(max(lon, LON_RANGE[0]), LON_RANGE[1])
    return round(float(lat), 5), round(float(lon), 5)


def _windows(rng: np.random.Generator) -> list[tuple[str, str]]:
    kind = rng.choice(
        ["all_day", "morning", "afternoon", "slot", "two"], p=[0.4, 0.2, 0.2, 0.16, 0.04]
    )
    if kind == "slot":
        start = int(rng.choice(SLOT_STARTS))
        return [(f"{start:02d}:00", f"{start + 2:02d}:00")]
    if kind == "two":
        return list(TWO_WINDOWS)
    return list(WINDOWS[str(kind)])


def _parcels(rng: np.random.Generator, order_id: str) -> list[dict[str, Any]]:
    """1-4 parcels of 0.2-25 kg (log-uniform) at 2.5-8 litres per kilogram."""
    count = int(rng.choice([1, 2, 3, 4], p=[0.45, 0.3, 0.15, 0.1]))
    parcels = []
    for k in range(1, count + 1):
        weight = max(0.2, round(math.exp(rng.uniform(math.log(0.2), math.log(25.0))), 2))
        volume = max(0.5, round(weight * rng.uniform(2.5, 8.0), 1))
        parcels.append({"id": f"{order_id}-{k}", "weight_kg": weight, "volume_l": volume})
    return parcels


def _order(
    order_id: str,
    customer: str,
    where: tuple[float, float],
    parcels: list[dict[str, Any]],
    windows: list[tuple[str, str]],
    service_s: int,
    penalty: float | None = None,
    skills: tuple[str, ...] = (),
    note: str | None = None,
) -> dict[str, Any]:
    order: dict[str, Any] = {
        "id": order_id,
        "customer": customer,
        "lat": where[0],
        "lon": where[1],
        "parcels": parcels,
        "time_windows": [{"start": s, "end": e} for s, e in windows],
        "service_time_s": service_s,
        "skills": list(skills),
    }
    if penalty is not None:
        order["penalty"] = penalty
    if note is not None:
        order["note"] = note
    return order


def ordinary_orders(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Orders the fleet can serve: ~10 % optional, ~5 % refrigerated."""
    orders = []
    for k in range(1, ORDINARY_ORDERS + 1):
        order_id = f"L{k:04d}"
        where = _location(rng)
        parcels = _parcels(rng, order_id)
        windows = _windows(rng)
        service_s = int(rng.integers(4, 13)) * 30  # 2 to 6 minutes
        penalty = float(rng.integers(30, 81)) / 2 if rng.random() < 0.10 else None  # 15-40 EUR
        skills = ("refrigerated",) if rng.random() < 0.05 and not _in_presquile(where) else ()
        order = _order(order_id, f"C{k:04d}", where, parcels, windows, service_s, penalty, skills)
        options = _delivery_options(rng) if not skills else []
        if options:
            order["delivery_options"] = options
        orders.append(order)
    for k in range(1, REPEAT_ORDERS + 1):  # a second order of the same customer, same day
        first = orders[int(rng.integers(0, len(orders)))]
        while "-" in first["id"] or first.get("penalty") is not None:
            first = orders[int(rng.integers(0, len(orders)))]
        order_id = f"{first['id']}-{k:02d}"
        repeat = dict(first, id=order_id, parcels=_parcels(rng, order_id))
        orders.append(repeat)
    return orders


def impossible_orders() -> list[dict[str, Any]]:
    """Five orders no plan can serve, each for a different reason."""
    centre = (45.7578, 4.8320)  # Place Bellecour
    all_day = WINDOWS["all_day"]

    def parcel(order_id: str, k: int, kg: float, litres: float) -> dict[str, Any]:
        return {"id": f"{order_id}-{k}", "weight_kg": kg, "volume_l": litres}

    return [
        _order(
            "X-HAZMAT", "C9001", centre, [parcel("X-HAZMAT", 1, 5.0, 20.0)], all_day, 180,
            skills=("hazmat",),
            note="impossible, reason skills: needs skill hazmat, which no vehicle has",
        ),
        _order(
            "X-TOO-HEAVY", "C9002", (45.7485, 4.8590),
            [parcel("X-TOO-HEAVY", k, 400.0, 400.0) for k in (1, 2, 3)], all_day, 360,
            note="impossible, reason capacity: 3 x 400 kg = 1200 kg, the largest van takes 1000 kg",
        ),
        _order(
            "X-TOO-EARLY", "C9003", (45.7700, 4.8630), [parcel("X-TOO-EARLY", 1, 2.0, 8.0)],
            [("05:00", "05:30")], 120,
            note="impossible, reason time_window: 05:00-05:30, before any shift starts (07:00)",
        ),
        _order(
            "X-TOO-FAR", "C9004", (45.8992, 6.1294), [parcel("X-TOO-FAR", 1, 3.0, 12.0)],
            all_day, 180,
            note="impossible, reason shift_duration: Annecy, ~10 h there and back at 25 km/h",
        ),
        _order(
            "X-PRICED-OUT", "C9005", (45.9890, 4.7180), [parcel("X-PRICED-OUT", 1, 1.0, 4.0)],
            all_day, 120, penalty=5.0,
            note="impossible, reason priced_out: Villefranche-sur-Saone, 5 EUR penalty",
        ),
    ]  # fmt: skip


def make_batch(rng: np.random.Generator) -> dict[str, Any]:
    """The whole batch as a JSON-ready dict."""
    return {**setup(), "orders": ordinary_orders(rng) + impossible_orders()}


def _text(value: float) -> str:
    """A number as JSON writes it, so that CSV and JSON read back the same."""
    return json.dumps(value)


def _csv_options(options: list[dict[str, Any]]) -> str:
    names = {"home": "home", "any_pickup_point": "any"}
    return ";".join(
        f"pp:{o['pickup_point']}" if o["type"] == "pickup_point" else names[o["type"]]
        for o in options
    )


def _csv_walk(options: list[dict[str, Any]]) -> str:
    walks = [str(o["max_walk_m"]) for o in options if "max_walk_m" in o]
    return walks[0] if walks else ""


def csv_rows(batch: dict[str, Any]) -> list[dict[str, str]]:
    """The orders of ``batch``, one CSV row per parcel."""
    rows = []
    for order in batch["orders"]:
        windows = [(w["start"], w["end"]) for w in order["time_windows"]]
        second = windows[1] if len(windows) > 1 else ("", "")
        minutes = order["service_time_s"] / 60
        for parcel in order["parcels"]:
            rows.append(
                {
                    "order_id": order["id"],
                    "customer": order["customer"],
                    "lat": _text(order["lat"]),
                    "lon": _text(order["lon"]),
                    "parcel_id": parcel["id"],
                    "weight_kg": _text(parcel["weight_kg"]),
                    "volume_l": _text(parcel["volume_l"]),
                    "tw_start": windows[0][0],
                    "tw_end": windows[0][1],
                    "tw2_start": second[0],
                    "tw2_end": second[1],
                    "service_min": f"{minutes:g}",
                    "penalty": _text(order["penalty"]) if "penalty" in order else "",
                    "skills": ";".join(order["skills"]),
                    "delivery_options": _csv_options(order.get("delivery_options", [])),
                    "max_walk_m": _csv_walk(order.get("delivery_options", [])),
                    "note": order.get("note", ""),
                }
            )
    return rows


def dump_json(batch: dict[str, Any]) -> str:
    """JSON text with two-space indents, but one line per order."""
    head = json.dumps(
        {k: v for k, v in batch.items() if k != "orders"}, indent=2, ensure_ascii=False
    )
    if "orders" not in batch:
        return head + "\n"
    orders = ",\n    ".join(json.dumps(o, ensure_ascii=False) for o in batch["orders"])
    return head[:-2] + ',\n  "orders": [\n    ' + orders + "\n  ]\n}\n"


def write_sample(out: Path, seed: int = SEED) -> None:
    """Write ``batch.json``, ``orders.csv`` and ``fleet.json`` into ``out``."""
    batch = make_batch(np.random.default_rng(seed))
    out.mkdir(parents=True, exist_ok=True)
    (out / "batch.json").write_text(dump_json(batch), encoding="utf-8")
    (out / "fleet.json").write_text(dump_json(setup()), encoding="utf-8")
    with (out / "orders.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(csv_rows(batch))
    log.info("wrote %d orders to %s", len(batch["orders"]), out)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "lyon")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    write_sample(args.out, args.seed)


if __name__ == "__main__":
    main()
