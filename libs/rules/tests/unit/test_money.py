from decimal import Decimal, localcontext

import pytest

from rules.money import FRACTION_CODE, INVALID_CODE, NBSP, InvalidAmount, format_ore, kroner_to_ore


@pytest.mark.parametrize(
    ("kroner", "ore"),
    [("1234.50", 123450), (Decimal("0.01"), 1), ("700", 70000), ("-12.3", -1230), ("1.500", 150)],
)
def test_kroner_convert_exactly_to_ore(kroner: Decimal | str, ore: int) -> None:
    assert kroner_to_ore(kroner) == ore


def test_fraction_of_an_ore_is_refused() -> None:
    with pytest.raises(InvalidAmount) as error:
        kroner_to_ore("102.745")

    assert error.value.code == FRACTION_CODE


def test_tiny_fraction_beyond_default_precision_is_refused() -> None:
    with pytest.raises(InvalidAmount) as error:
        kroner_to_ore("1.0000000000000000000000000000001")

    assert error.value.code == FRACTION_CODE


@pytest.mark.parametrize("kroner", ["abc", "", "NaN", "Infinity", "1E+999999"])
def test_non_numbers_and_absurd_amounts_are_refused(kroner: str) -> None:
    with pytest.raises(InvalidAmount) as error:
        kroner_to_ore(kroner)

    assert error.value.code == INVALID_CODE


def test_float_is_refused() -> None:
    with pytest.raises(TypeError):
        kroner_to_ore(0.5)  # type: ignore[arg-type]


def test_conversion_ignores_the_callers_decimal_context() -> None:
    with localcontext() as context:
        context.prec = 3

        ore = kroner_to_ore("123456.78")

    assert ore == 12345678


@pytest.mark.parametrize(
    ("ore", "text"),
    [
        (123450, "1 234,50 kr"),
        (5, "0,05 kr"),
        (0, "0,00 kr"),
        (70000, "700,00 kr"),
        (123456789, "1 234 567,89 kr"),
        (-1000050, "-10 000,50 kr"),
    ],
)
def test_ore_format_the_norwegian_way_with_non_breaking_spaces(ore: int, text: str) -> None:
    formatted = format_ore(ore)

    assert formatted == text.replace(" ", NBSP)
