"""Exact rounding of `Fraction` amounts to whole øre (or whole kroner)."""

from fractions import Fraction
from math import floor

_HALF = Fraction(1, 2)


def round_half_up(value: Fraction) -> int:
    """Round to the nearest integer, halves away from zero (commercial rounding): 2.5 → 3."""
    magnitude = floor(abs(value) + _HALF)
    return -magnitude if value < 0 else magnitude
