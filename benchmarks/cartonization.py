"""Cartonization on seeded random e-commerce orders, checked, optionally against a peer.

Generates orders of 1-12 units of typical parcel-item sizes, packs each with
:func:`optimizer.cartonization.cartonize` into a six-type box catalogue, checks every
packing with :func:`check_packing`, and prints boxes used against the volume/weight
lower bound and against one box per unit, total cost, mean fill rate and time.

If the ``packvium`` package (MIT, pure Python, PyPI) is importable, it packs the
same orders with its ``lowest_cost`` objective; its packings are converted to ours
and checked by the same checker, and the ratios ours / packvium are printed. It is
not a project dependency: ``pip install --target DIR packvium`` and put DIR on
``PYTHONPATH`` to compare. Exits 1 if any packing fails the checker.

Usage::

    python benchmarks/cartonization.py
    python benchmarks/cartonization.py --orders 500 --seed 7 --peer-profile balanced
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from optimizer.cartonization import cartonize, check_packing, volume_lower_bound
from optimizer.domain.packing import BoxType, Item, PackedBox, Packing, Placement

# Inner mm, max content g, cents, locker class: a typical small-parcel catalogue.
CATALOGUE = (
    BoxType("XS", 200, 150, 80, 3_000, 45, "S", 90),
    BoxType("S", 250, 200, 100, 5_000, 60, "S", 140),
    BoxType("M", 350, 250, 150, 10_000, 85, "M", 250),
    BoxType("ML", 400, 300, 200, 15_000, 120, "M", 380),
    BoxType("L", 500, 350, 250, 20_000, 160, "L", 560),
    BoxType("XL", 600, 400, 400, 30_000, 240, None, 900),
)


def fits_some_box(item: Item) -> bool:
    """Whether some catalogue box takes the item alone, in an allowed rotation."""
    return any(
        a <= b.length and w <= b.width and h <= b.height and item.weight <= b.max_weight
        for b in CATALOGUE
        for a, w, h in item.rotations()
    )


def random_order(rng: np.random.Generator, index: int) -> list[Item]:
    """One order: 1-8 lines, 1-12 units, log-uniform sides 40-420 mm.

    Parameters
    ----------
    rng
        Source of randomness.
    index
        Order number, used in item ids.

    Returns
    -------
    list of Item
        The order's items; about 1 in 10 is "this side up"; one that fits
        no box is flagged ``ships_alone``.
    """
    units = int(rng.integers(1, 13))
    items: list[Item] = []
    while units > 0:
        quantity = min(units, int(rng.choice([1, 1, 1, 1, 2, 2, 3])))
        units -= quantity
        sides = np.sort(np.exp(rng.uniform(np.log(40), np.log(420), size=3)))[::-1]
        sides[2] = min(sides[2], sides[1] * rng.uniform(0.2, 1.0))  # many items are flat
        length, width, height = (max(5, int(s)) for s in sides)
        density = rng.uniform(0.1, 0.8)  # g per cm3
        weight = min(12_000, max(10, int(length * width * height / 1000 * density)))
        item = Item(
            f"o{index}-{len(items)}",
            length,
            width,
            height,
            weight,
            quantity=quantity,
            upright=bool(rng.random() < 0.1),
        )
        if not fits_some_box(item):
            item = replace(item, ships_alone=True)
        items.append(item)
    return items


@dataclass
class Tally:
    """Totals of one packer over all orders."""

    boxes: int = 0
    cost: int = 0
    fills: list[float] | None = None
    seconds: float = 0.0
    invalid: int = 0


Packer = Callable[[list[Item]], Packing]


def ours(items: list[Item]) -> Packing:
    """Our packer with default settings."""
    return cartonize(items, CATALOGUE)


def make_packvium(profile: str) -> Packer | None:
    """A packer running packvium and converting its answer, or None if absent."""
    try:
        import packvium as pv
    except ImportError:
        return None
    config = getattr(pv.PackingConfig, profile)(objective="lowest_cost")
    containers = [
        pv.Container.create(
            b.id,
            pv.Dimensions.mm(b.length, b.width, b.height),
            max_payload=f"{b.max_weight} g",
            cost_minor=b.cost,
        )
        for b in CATALOGUE
    ]
    boxes = {b.id: b for b in CATALOGUE}
    ticks = 16_000  # packvium length ticks per mm

    def pack(items: list[Item]) -> Packing:
        request = [
            pv.Item.create(
                i.id,
                pv.Dimensions.mm(i.length, i.width, i.height),
                weight=f"{i.weight} g",
                quantity=i.quantity,
                keep_upright=i.upright,
            )
            for i in items
            if not i.ships_alone
        ]
        own = tuple((i.id, c) for i in items if i.ships_alone for c in range(i.quantity))
        if not request:
            return Packing((), own)
        result = pv.Packer(config).pack(items=request, containers=containers)
        packed = []
        for c in result.containers:
            placements = tuple(
                Placement(
                    p.instance.item.id,
                    p.instance.sequence - 1,
                    p.position.x // ticks,
                    p.position.y // ticks,
                    p.position.z // ticks,
                    p.dimensions.length.ticks // ticks,
                    p.dimensions.width.ticks // ticks,
                    p.dimensions.height.ticks // ticks,
                )
                for p in c.placements
            )
            if placements:
                packed.append(PackedBox(boxes[c.container.id], placements))
        return Packing(tuple(packed), own)

    return pack


def run(name: str, packer: Packer, orders: list[list[Item]]) -> Tally:
    """Pack and check every order; return the totals."""
    tally = Tally(fills=[])
    for items in orders:
        started = time.perf_counter()
        packing = packer(items)
        tally.seconds += time.perf_counter() - started
        report = check_packing(items, CATALOGUE, packing)
        if not report.ok:
            tally.invalid += 1
            print(f"{name}: {report.violations[:3]}", file=sys.stderr)
        tally.boxes += report.boxes
        tally.cost += report.cost
        assert tally.fills is not None
        tally.fills.append(report.fill_rate)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--peer-profile", default="fast", choices=["fast", "balanced", "quality"])
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    orders = [random_order(rng, n) for n in range(args.orders)]
    units = sum(i.quantity for items in orders for i in items)
    bound = sum(volume_lower_bound(items, CATALOGUE) for items in orders)

    packers: list[tuple[str, Packer]] = [("tournee", ours)]
    peer = make_packvium(args.peer_profile)
    if peer is None:
        print("packvium not importable: peer comparison skipped")
    else:
        packers.append((f"packvium-{args.peer_profile}", peer))

    print(f"{args.orders} orders, {units} units, seed {args.seed}")
    print(f"lower bound (volume/weight): {bound} boxes; one box per unit: {units} boxes")
    header = f"{'packer':<18}{'boxes':>7}{'/LB':>7}{'/units':>8}{'cost €':>10}"
    print(header + f"{'fill':>7}{'ms/order':>10}{'invalid':>9}")
    tallies = {}
    for name, packer in packers:
        t = run(name, packer, orders)
        tallies[name] = t
        assert t.fills is not None
        print(
            f"{name:<18}{t.boxes:>7}{t.boxes / bound:>7.3f}{t.boxes / units:>8.3f}"
            f"{t.cost / 100:>10.2f}{statistics.fmean(t.fills):>7.3f}"
            f"{1000 * t.seconds / len(orders):>10.2f}{t.invalid:>9}"
        )
    if len(tallies) == 2:
        a, b = tallies.values()
        print(
            f"ratio tournee / {packers[1][0]}: boxes {a.boxes / b.boxes:.3f}, "
            f"cost {a.cost / b.cost:.3f}, time {a.seconds / b.seconds:.3f}"
        )
    return 1 if any(t.invalid for t in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
