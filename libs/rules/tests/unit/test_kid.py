import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from rules.kid import (
    CODE,
    InvalidKid,
    KidAlgorithm,
    is_valid_kid,
    make_kid,
    mod10_check_digit,
    mod11_check_digit,
    validate_kid,
)

bases = st.text(alphabet="0123456789", min_size=1, max_size=24)


def test_mod10_example_from_the_domain_holds() -> None:
    assert make_kid("234567", KidAlgorithm.MOD10) == "2345676"


def test_mod11_example_from_the_domain_holds() -> None:
    assert make_kid("1234", KidAlgorithm.MOD11) == "12343"


def test_mod11_remainder_10_gives_a_dash() -> None:
    # "6": 6·2 = 12 ≡ 1 (mod 11); 11 − 1 = 10 → '-'.
    kid = make_kid("6", KidAlgorithm.MOD11)

    assert kid == "6-"
    assert is_valid_kid(kid)
    assert validate_kid(kid, KidAlgorithm.MOD11) == kid


def test_mod11_remainder_11_gives_zero() -> None:
    # "0" has sum 0, so 11 − 0 = 11 → '0'.
    assert mod11_check_digit("0") == "0"


def test_dash_is_never_a_valid_mod10_check() -> None:
    with pytest.raises(InvalidKid):
        validate_kid("12-", KidAlgorithm.MOD10)


def test_kid_valid_only_under_mod11_fails_when_mod10_is_asked() -> None:
    kid = "12343"
    assert mod10_check_digit("1234") != "3"

    with pytest.raises(InvalidKid) as error:
        validate_kid(kid, KidAlgorithm.MOD10)

    assert error.value.code == CODE
    assert validate_kid(kid) == kid


@pytest.mark.parametrize("kid", ["", "0", "1" * 26, "12 343", "1234a", "-", "١٢٣٤٣"])
def test_kid_with_wrong_length_or_characters_is_invalid(kid: str) -> None:
    assert not is_valid_kid(kid)


@pytest.mark.parametrize("base", ["", "1" * 25, "12a"])
def test_make_kid_refuses_a_bad_base(base: str) -> None:
    with pytest.raises(InvalidKid) as error:
        make_kid(base, KidAlgorithm.MOD10)

    assert error.value.code == CODE


@given(bases, st.sampled_from(KidAlgorithm))
def test_make_kid_output_always_validates(base: str, algorithm: KidAlgorithm) -> None:
    kid = make_kid(base, algorithm)

    assert is_valid_kid(kid)
    assert validate_kid(kid, algorithm) == kid


@given(bases)
def test_mod10_agrees_with_stdnum_luhn(base: str) -> None:
    assert mod10_check_digit(base) == luhn.calc_check_digit(base)


@given(bases, st.data())
def test_single_digit_change_in_a_mod10_kid_always_fails_mod10(
    base: str, data: st.DataObject
) -> None:
    kid = make_kid(base, KidAlgorithm.MOD10)
    position = data.draw(st.integers(0, len(kid) - 1))
    digit = (int(kid[position]) + data.draw(st.integers(1, 9))) % 10

    changed = kid[:position] + str(digit) + kid[position + 1 :]

    with pytest.raises(InvalidKid):
        validate_kid(changed, KidAlgorithm.MOD10)
