"""Scenario configuration for the warehouse picking simulation.

Frozen, validated dataclasses: the contract between scenario files
(:mod:`simulation.scenario` reads YAML into these) and the SimPy model
(:mod:`simulation.model`). Times are integer seconds after midnight of the
simulated day, durations integer seconds, lengths metres (floats: geometry
is the one place with non-integer coordinates), speeds metres per second.
"""

from __future__ import annotations

from dataclasses import dataclass, field

POLICIES_ROUTING = ("s_shape", "return", "midpoint", "largest_gap", "combined", "optimal")
POLICIES_BATCHING = ("single", "fcfs", "seed", "savings", "time_window", "waves")
POLICIES_STORAGE = ("random", "abc")


def _positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a number > 0, got {value!r}")


def _non_negative(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")


def _interval(name: str, start: int, end: int) -> None:
    _non_negative(f"{name}.start", start)
    _non_negative(f"{name}.end", end)
    if end <= start:
        raise ValueError(f"{name}: end must be after start")


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


@dataclass(frozen=True, slots=True)
class LayoutConfig:
    """Rectangular picking area.

    Parameters
    ----------
    aisles
        Parallel picking aisles.
    locations_per_aisle
        Storage locations along each side of an aisle.
    location_length
        Metres of aisle per location.
    aisle_spacing
        Centre-to-centre distance between neighbouring aisles, metres.
    front_gap
        Metres from a cross aisle's centre line to the edge of the nearest
        location; picks happen at a location's centre (see
        :meth:`simulation.layout.Layout.rectangular`).
    blocks
        1 (front and back cross aisles) or 2 (plus a middle cross aisle).
    depot_aisle
        Aisle in front of which the depot (I/O point) sits, 0-based.
    """

    aisles: int = 10
    locations_per_aisle: int = 30
    location_length: float = 1.0
    aisle_spacing: float = 3.0
    front_gap: float = 1.0
    blocks: int = 1
    depot_aisle: int = 0

    def __post_init__(self) -> None:
        _positive("layout.aisles", self.aisles)
        _positive("layout.locations_per_aisle", self.locations_per_aisle)
        _positive("layout.location_length", self.location_length)
        _positive("layout.aisle_spacing", self.aisle_spacing)
        _non_negative("layout.front_gap", self.front_gap)
        if self.blocks not in (1, 2):
            raise ValueError(f"layout.blocks must be 1 or 2, got {self.blocks!r}")
        if not 0 <= self.depot_aisle < self.aisles:
            raise ValueError(f"layout.depot_aisle must be in [0, {self.aisles - 1}]")


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """SKU catalogue and how SKUs are assigned to locations.

    Parameters
    ----------
    skus
        Number of SKUs; at most the number of locations (2 per aisle slot).
    policy
        ``random`` or ``abc`` (class-based: fast movers nearest the depot).
    abc_shares
        Shares of SKUs in classes A, B, C (sum 1), for ``abc``.
    demand_skew
        Zipf-like exponent of SKU popularity (0 = uniform demand).
    """

    skus: int = 500
    policy: str = "random"
    abc_shares: tuple[float, float, float] = (0.2, 0.3, 0.5)
    demand_skew: float = 0.8

    def __post_init__(self) -> None:
        _positive("storage.skus", self.skus)
        _choice("storage.policy", self.policy, POLICIES_STORAGE)
        if len(self.abc_shares) != 3 or abs(sum(self.abc_shares) - 1) > 1e-9:
            raise ValueError("storage.abc_shares must be three shares summing to 1")
        _non_negative("storage.demand_skew", self.demand_skew)


@dataclass(frozen=True, slots=True)
class DemandConfig:
    """How orders arrive.

    Parameters
    ----------
    hourly_rates
        Expected orders per hour, one value per hour starting at
        ``start``: a non-homogeneous Poisson process. Ignored when
        ``order_file`` is set.
    start
        Time of the first hour of ``hourly_rates``.
    lines_mean
        Mean order lines per order (1 + Poisson), at least 1.
    order_file
        A planner's batch (tournee JSON or CSV); each order arrives at
        ``start`` with one line per parcel.
    """

    hourly_rates: tuple[float, ...] = (50.0,) * 8
    start: int = 6 * 3600
    lines_mean: float = 2.0
    order_file: str | None = None

    def __post_init__(self) -> None:
        if not self.hourly_rates and self.order_file is None:
            raise ValueError("demand.hourly_rates must hold at least one hour")
        for k, rate in enumerate(self.hourly_rates):
            _non_negative(f"demand.hourly_rates[{k}]", rate)
        _non_negative("demand.start", self.start)
        _positive("demand.lines_mean", self.lines_mean)
        if self.lines_mean < 1:
            raise ValueError(f"demand.lines_mean must be >= 1, got {self.lines_mean!r}")


@dataclass(frozen=True, slots=True)
class Shift:
    """A picker shift with breaks (intervals of seconds after midnight)."""

    start: int
    end: int
    breaks: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        _interval("shift", self.start, self.end)
        for k, (b0, b1) in enumerate(self.breaks):
            _interval(f"shift.breaks[{k}]", b0, b1)
            if b0 < self.start or b1 > self.end:
                raise ValueError(f"shift.breaks[{k}] must lie inside the shift")


@dataclass(frozen=True, slots=True)
class PickerConfig:
    """Pickers and their work rates.

    Parameters
    ----------
    count
        Number of pickers per shift.
    shifts
        Shifts; each has ``count`` pickers.
    walk_speed
        Metres per second.
    time_per_pick
        Seconds per unit picked.
    time_per_stop
        Seconds per location stopped at (search, reach).
    setup_time
        Seconds per tour at the depot (collect cart, print list, drop off).
    """

    count: int = 10
    shifts: tuple[Shift, ...] = (Shift(6 * 3600, 14 * 3600),)
    walk_speed: float = 1.0
    time_per_pick: float = 8.0
    time_per_stop: float = 6.0
    setup_time: float = 60.0

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"pickers.count must be an integer >= 1, got {self.count!r}")
        if not self.shifts:
            raise ValueError("pickers.shifts must hold at least one shift")
        _positive("pickers.walk_speed", self.walk_speed)
        _non_negative("pickers.time_per_pick", self.time_per_pick)
        _non_negative("pickers.time_per_stop", self.time_per_stop)
        _non_negative("pickers.setup_time", self.setup_time)


@dataclass(frozen=True, slots=True)
class BatchingConfig:
    """How orders are grouped into picking tours.

    Parameters
    ----------
    policy
        ``single``, ``fcfs``, ``seed``, ``savings``, ``time_window`` or ``waves``.
    cart_items
        Maximum units on a cart.
    cart_totes
        Totes on a cart; an order takes one tote.
    time_window
        Seconds to collect orders before releasing a batch (``time_window``).
    wave_times
        Release times of scheduled waves (``waves``).
    """

    policy: str = "fcfs"
    cart_items: int = 40
    cart_totes: int = 8
    time_window: int = 900
    wave_times: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        _choice("batching.policy", self.policy, POLICIES_BATCHING)
        _positive("batching.cart_items", self.cart_items)
        _positive("batching.cart_totes", self.cart_totes)
        _positive("batching.time_window", self.time_window)
        if self.policy == "waves" and not self.wave_times:
            raise ValueError("batching.wave_times must hold at least one time for waves")


@dataclass(frozen=True, slots=True)
class PackingConfig:
    """Packing stations."""

    stations: int = 2
    time_per_order: float = 60.0
    time_per_item: float = 10.0

    def __post_init__(self) -> None:
        _positive("packing.stations", self.stations)
        _non_negative("packing.time_per_order", self.time_per_order)
        _non_negative("packing.time_per_item", self.time_per_item)


@dataclass(frozen=True, slots=True)
class Truck:
    """A carrier truck leaving at ``cutoff``; parcels packed by then go on it."""

    carrier: str
    cutoff: int

    def __post_init__(self) -> None:
        if not self.carrier:
            raise ValueError("trucks.carrier must be a non-empty string")
        _non_negative("trucks.cutoff", self.cutoff)


@dataclass(frozen=True, slots=True)
class ScenarioConfig:
    """One what-if scenario.

    Parameters
    ----------
    name
        Label for reports.
    question
        The question the scenario answers (the file's opening comment).
    opening, closing
        Warehouse opening hours: no work before ``opening``; the day ends
        at ``closing`` and what is left is backlog.
    routing
        Picker routing policy name.
    """

    name: str
    question: str = ""
    opening: int = 6 * 3600
    closing: int = 22 * 3600
    layout: LayoutConfig = field(default_factory=LayoutConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    demand: DemandConfig = field(default_factory=DemandConfig)
    pickers: PickerConfig = field(default_factory=PickerConfig)
    batching: BatchingConfig = field(default_factory=BatchingConfig)
    routing: str = "s_shape"
    packing: PackingConfig = field(default_factory=PackingConfig)
    trucks: tuple[Truck, ...] = ()

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("name must be a non-empty string")
        _interval("opening hours", self.opening, self.closing)
        _choice("routing", self.routing, POLICIES_ROUTING)
        for k, truck in enumerate(self.trucks):
            if truck.cutoff < self.opening:
                raise ValueError(f"trucks[{k}].cutoff is before the warehouse opens")
        cutoffs = [t.cutoff for t in self.trucks]
        if cutoffs != sorted(cutoffs):
            raise ValueError("trucks must be listed in cut-off order")
        if self.layout.locations_per_aisle * self.layout.aisles * 2 < self.storage.skus:
            raise ValueError("storage.skus exceeds the number of storage locations")
