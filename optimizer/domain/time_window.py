"""Time windows in integer seconds after local midnight."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from optimizer.domain.units import check_non_negative, format_clock


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A closed interval ``[start, end]`` of seconds.

    For an order it is the interval in which service must *start*; for a
    shift or opening hours it is the interval the whole activity must lie in.

    Raises
    ------
    ValueError
        When ``start`` or ``end`` is negative or ``end < start``.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        check_non_negative("start", self.start)
        check_non_negative("end", self.end)
        if self.end < self.start:
            raise ValueError(
                f"end ({format_clock(self.end)}) is before start ({format_clock(self.start)})"
            )

    def contains(self, t: float, tol: float = 1e-6) -> bool:
        """Whether ``t`` lies in the window, with a small tolerance."""
        return self.start - tol <= t <= self.end + tol

    def intersect(self, other: TimeWindow) -> TimeWindow | None:
        """The overlap of two windows, or ``None`` when they are disjoint."""
        start, end = max(self.start, other.start), min(self.end, other.end)
        return TimeWindow(start, end) if start <= end else None


def normalise_windows(windows: Iterable[TimeWindow]) -> tuple[TimeWindow, ...]:
    """Sort windows and merge overlapping ones.

    Raises
    ------
    ValueError
        When no window is given.
    """
    ordered = sorted(windows, key=lambda w: (w.start, w.end))
    if not ordered:
        raise ValueError("time_windows must hold at least one window")
    merged = [ordered[0]]
    for window in ordered[1:]:
        last = merged[-1]
        if window.start <= last.end:
            merged[-1] = TimeWindow(last.start, max(last.end, window.end))
        else:
            merged.append(window)
    return tuple(merged)


def earliest_start(windows: tuple[TimeWindow, ...], arrival: float) -> float | None:
    """Earliest service start at or after ``arrival`` inside one of ``windows``.

    Returns ``None`` when every window has closed by ``arrival``.
    """
    for window in windows:
        if arrival <= window.end + 1e-6:
            return max(arrival, float(window.start))
    return None
