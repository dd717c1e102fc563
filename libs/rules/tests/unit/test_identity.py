import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.no import fodselsnummer

from rules.identity import (
    ACCOUNT_CODE,
    FORMAT_CODE,
    INVALID_CODE,
    IdentityKind,
    InvalidAccountNumber,
    InvalidIdentity,
    classify_identity,
    validate_account_number,
    validate_identity,
)

K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

# Built by hand so no test depends on a real person's number. The base 010190 123 has a
# weighted k1 sum of 0·3+1·7+0·6+1·1+9·8+0·9+1·4+2·5+3·2 = 100 ≡ 1 (mod 11): the classic k1
# would be 10, so no pre-2032 number exists for it.
#   k1 = 0: 100 + 0·1 ≡ 1, in {0,1,2,3}; k2 sum 91 ≡ 3 → k2 = 8.  Relaxed rule only.
#   k1 = 3: 100 + 3·1 ≡ 4, outside;       k2 sum 97 ≡ 9 → k2 = 2.  Both rules reject.
RELAXED_ONLY_NUMBER = "01019012308"
RELAXED_REJECTED_NUMBER = "01019012332"


def person_number(day: int, month: int, year: int, individual: int, residue: int = 0) -> str | None:
    """A person number with correct check digits, or None if none exists for these parts.

    `residue` 0 is the classic first check digit; 1–3 the relaxed post-2032 rule.
    """
    base = f"{day:02d}{month:02d}{year:02d}{individual:03d}"
    k1 = (residue - _weighted(base, K1_WEIGHTS)) % 11
    if k1 == 10:
        return None
    k2 = -_weighted(base + str(k1), K2_WEIGHTS) % 11
    return None if k2 == 10 else f"{base}{k1}{k2}"


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(w * int(d) for w, d in zip(weights, digits, strict=False))


def valid_person_number(day: int = 1, month: int = 1, residue: int = 0) -> str:
    for individual in range(1000):
        number = person_number(day, month, 90, individual, residue)
        if number is not None:
            return number
    raise AssertionError("no number exists")


person_numbers = st.builds(
    person_number,
    day=st.integers(1, 28).flatmap(lambda d: st.sampled_from([d, d + 40])),
    month=st.integers(1, 12).flatmap(lambda m: st.sampled_from([m, m + 40])),
    year=st.integers(0, 99),
    individual=st.integers(0, 999),
    residue=st.integers(0, 3),
).filter(lambda n: n is not None and not (int(n[0:2]) > 40 and int(n[2:4]) > 40))


def test_fodselsnummer_with_valid_check_digits_is_accepted() -> None:
    number = valid_person_number(day=15, month=10)

    identity = validate_identity(number)

    assert identity.number == number
    assert identity.kind is IdentityKind.PERSON


def test_d_number_with_valid_check_digits_is_accepted() -> None:
    number = valid_person_number(day=15 + 40, month=10)

    assert validate_identity(number).kind is IdentityKind.PERSON


def test_h_number_with_valid_check_digits_is_accepted() -> None:
    number = valid_person_number(day=15, month=10 + 40)

    assert validate_identity(number).kind is IdentityKind.PERSON


def test_spaces_are_stripped_from_the_number() -> None:
    number = valid_person_number()

    identity = validate_identity(f" {number[:6]} {number[6:]} ")

    assert identity.number == number


def test_number_valid_only_under_the_relaxed_rule_is_accepted_though_stdnum_rejects_it() -> None:
    assert not fodselsnummer.is_valid(RELAXED_ONLY_NUMBER)

    identity = validate_identity(RELAXED_ONLY_NUMBER)

    assert identity.number == RELAXED_ONLY_NUMBER


def test_number_outside_the_relaxed_residues_is_rejected_by_both_rules() -> None:
    assert not fodselsnummer.is_valid(RELAXED_REJECTED_NUMBER)

    with pytest.raises(InvalidIdentity) as error:
        validate_identity(RELAXED_REJECTED_NUMBER)

    assert error.value.code == INVALID_CODE


def test_number_with_wrong_second_check_digit_is_rejected() -> None:
    number = valid_person_number()
    wrong = number[:10] + str((int(number[10]) + 1) % 10)

    with pytest.raises(InvalidIdentity) as error:
        validate_identity(wrong)

    assert error.value.code == INVALID_CODE


@pytest.mark.parametrize(
    ("day", "month"),
    [(32, 1), (0, 1), (31, 4), (30, 2), (1, 13), (1, 0), (41 + 40, 1), (45, 45), (1, 81)],
)
def test_number_with_impossible_date_part_is_rejected(day: int, month: int) -> None:
    number = valid_person_number(day=day, month=month)

    with pytest.raises(InvalidIdentity) as error:
        validate_identity(number)

    assert error.value.code == INVALID_CODE


def test_29_february_is_accepted_because_the_century_is_unknown() -> None:
    number = valid_person_number(day=29, month=2)

    assert validate_identity(number).kind is IdentityKind.PERSON


def test_organisation_number_is_accepted_and_classified() -> None:
    identity = validate_identity("988 077 917")

    assert identity.number == "988077917"
    assert identity.kind is IdentityKind.ORGANISATION


def test_organisation_number_with_wrong_check_digit_is_rejected() -> None:
    with pytest.raises(InvalidIdentity) as error:
        validate_identity("988077918")

    assert error.value.code == INVALID_CODE


@pytest.mark.parametrize("value", ["", "12345678", "1234567890", "123456789012", "98807791X"])
def test_value_that_is_not_9_or_11_digits_has_a_format_error(value: str) -> None:
    with pytest.raises(InvalidIdentity) as error:
        validate_identity(value)

    assert error.value.code == FORMAT_CODE


def test_non_ascii_digits_have_a_format_error() -> None:
    with pytest.raises(InvalidIdentity) as error:
        classify_identity("٩٨٨٠٧٧٩١٧")

    assert error.value.code == FORMAT_CODE


def test_classify_tells_persons_from_organisations_by_length() -> None:
    assert classify_identity("010190 12308") is IdentityKind.PERSON
    assert classify_identity("988 077 917") is IdentityKind.ORGANISATION


@pytest.mark.parametrize("value", [RELAXED_REJECTED_NUMBER, "0101901233", "988077918"])
def test_error_message_never_contains_the_number(value: str) -> None:
    with pytest.raises(InvalidIdentity) as error:
        validate_identity(value)

    assert value not in str(error.value)
    assert value[:6] not in str(error.value)


def test_module_exposes_no_birth_date_or_gender() -> None:
    import rules.identity as module

    names = [name.lower() for name in dir(module)]

    assert not [name for name in names if "birth" in name or "gender" in name]


def test_valid_account_number_is_returned_as_11_digits() -> None:
    assert validate_account_number("8601.11.17947") == "86011117947"


@pytest.mark.parametrize("value", ["8601.11.17948", "1234567", "abc", ""])
def test_invalid_account_number_is_rejected(value: str) -> None:
    with pytest.raises(InvalidAccountNumber) as error:
        validate_account_number(value)

    assert error.value.code == ACCOUNT_CODE


@given(person_numbers)
def test_any_person_number_with_correct_check_digits_is_accepted(number: str) -> None:
    assert validate_identity(number).number == number


@given(person_numbers, st.integers(0, 10), st.integers(1, 9))
def test_changing_any_single_digit_of_a_person_number_makes_it_invalid(
    number: str, position: int, delta: int
) -> None:
    # True under both rules: the second check digit covers the first ten digits with weights
    # that are all non-zero mod 11, so any single-digit change breaks it.
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]

    with pytest.raises(InvalidIdentity):
        validate_identity(changed)


@given(person_numbers)
def test_classic_rule_is_the_relaxed_rule_with_residue_zero(number: str) -> None:
    residue = _weighted(number, K1_WEIGHTS) % 11

    classic = number[9] == fodselsnummer.calc_check_digit1(number)

    assert classic == (residue == 0)
