from fractions import Fraction

import pytest

from rules.rounding import round_half_up


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(5, 2), 3),
        (Fraction(249, 100), 2),
        (Fraction(7, 2), 4),
        (Fraction(-5, 2), -3),
        (Fraction(0), 0),
        (Fraction(3750000, 365), 10274),
    ],
)
def test_halves_round_away_from_zero(value: Fraction, rounded: int) -> None:
    assert round_half_up(value) == rounded
