"""Integer units used everywhere inside tournee.

Every quantity is an ``int`` in the unit declared here. Conversion from user
units (kilograms, litres, ``"HH:MM"`` strings, euros) happens once, at the
edge: in :mod:`optimizer.formats` and :mod:`api`.

=================  ==============================================
quantity           unit
=================  ==============================================
time, duration     seconds (times are seconds after local midnight)
distance           metres
weight             grams
volume             cubic centimetres
money              cents
emissions          grams of CO2
speed              kilometres per hour
=================  ==============================================
"""

from __future__ import annotations

from typing import TypeAlias

Seconds: TypeAlias = int
Metres: TypeAlias = int
Grams: TypeAlias = int
CubicCm: TypeAlias = int
Cents: TypeAlias = int
GramsCO2: TypeAlias = int

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86_400
METRES_PER_KM = 1000


def check_non_negative(name: str, value: int) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is an int >= 0."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")


def check_positive(name: str, value: int) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is an int > 0."""
    check_non_negative(name, value)
    if value == 0:
        raise ValueError(f"{name} must be > 0, got 0")


def format_clock(seconds: float) -> str:
    """Format seconds after midnight as ``HH:MM:SS`` (hours may exceed 23)."""
    total = int(round(seconds))
    hours, rest = divmod(total, SECONDS_PER_HOUR)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
