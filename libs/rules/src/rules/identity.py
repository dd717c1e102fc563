"""Norwegian identity numbers: fødselsnummer, D- and H-number, organisasjonsnummer, account number.

Person numbers are accepted under the classic first check digit (via `stdnum.no.fodselsnummer`)
or the relaxed rule for numbers issued from 2032 (weighted sum over the first 10 digits mod 11 in
{0, 1, 2, 3}); the second check digit is always the classic one. The classic rule is the relaxed
rule with residue 0, so the relaxed rule decides, but both are spelled out for the reader.

We do not call `fodselsnummer.validate`: it compares the birth date with `date.today()` (impure)
and requires a century encoded in the individual digits, which numbers from 2032 no longer carry.
The date part is checked without a century: day 1–31 (+40 for a D-number), month 1–12 (+40 for
an H-number), not both offsets, and the day must exist in the month (29 February always allowed).
FH-numbers (first digit 8 or 9) and synthetic test numbers (month +80) are therefore refused.
Birth date and gender are never derived: this module has no function for them.
"""

import enum
from dataclasses import dataclass

from stdnum.no import fodselsnummer, kontonr, orgnr

from rules.errors import RuleError

FORMAT_CODE = "claim.debtor_id_format"
INVALID_CODE = "claim.debtor_id_invalid"
ACCOUNT_CODE = "account.invalid"

_RELAXED_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
_RELAXED_K1_RESIDUES = frozenset({0, 1, 2, 3})
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_D_OR_H_OFFSET = 40


class IdentityKind(enum.StrEnum):
    """What an identity number identifies."""

    PERSON = "person"
    ORGANISATION = "organisation"


class InvalidIdentity(RuleError):
    """An identity number with the wrong format or a failing check digit or date part."""


class InvalidAccountNumber(RuleError):
    """A Norwegian bank account number that is not 11 digits with a valid check digit."""


@dataclass(frozen=True)
class ValidIdentity:
    """A validated identity number: digits only."""

    number: str
    kind: IdentityKind


def classify_identity(value: str) -> IdentityKind:
    """Tell a person (11 digits) from an organisation (9 digits); spaces are ignored."""
    return _classify(_digits_only(value))


def validate_identity(value: str) -> ValidIdentity:
    """Validate a fødselsnummer, D-, H- or organisasjonsnummer; raise `InvalidIdentity`."""
    number = _digits_only(value)
    kind = _classify(number)
    if kind is IdentityKind.PERSON and not _is_valid_person_number(number):
        raise InvalidIdentity(INVALID_CODE, "The person number fails its check digits or date.")
    if kind is IdentityKind.ORGANISATION and not orgnr.is_valid(number):
        raise InvalidIdentity(INVALID_CODE, "The organisation number fails its check digit.")
    return ValidIdentity(number=number, kind=kind)


def validate_account_number(value: str) -> str:
    """Return the 11 digits of a valid account number (spaces and dots allowed in the input)."""
    number = kontonr.compact(value)
    # stdnum also accepts 7-digit postgiro numbers; an account we pay to or from has 11 digits.
    if len(number) != 11 or not kontonr.is_valid(number):
        raise InvalidAccountNumber(ACCOUNT_CODE, "The account number is not valid.")
    return number


def _digits_only(value: str) -> str:
    number = "".join(value.split())
    if not (number.isascii() and number.isdigit()) or len(number) not in (9, 11):
        raise InvalidIdentity(
            FORMAT_CODE, "An identity number has 9 digits (organisation) or 11 digits (person)."
        )
    return number


def _classify(number: str) -> IdentityKind:
    return IdentityKind.PERSON if len(number) == 11 else IdentityKind.ORGANISATION


def _is_valid_person_number(number: str) -> bool:
    first_ok = number[9] == fodselsnummer.calc_check_digit1(number) or _relaxed_first_ok(number)
    second_ok = number[10] == fodselsnummer.calc_check_digit2(number)
    return first_ok and second_ok and _date_part_ok(number)


def _relaxed_first_ok(number: str) -> bool:
    total = sum(w * int(n) for w, n in zip(_RELAXED_K1_WEIGHTS, number[:10], strict=True))
    return total % 11 in _RELAXED_K1_RESIDUES


def _date_part_ok(number: str) -> bool:
    day, month = int(number[0:2]), int(number[2:4])
    if day > _D_OR_H_OFFSET and month > _D_OR_H_OFFSET:
        return False
    day -= _D_OR_H_OFFSET if day > _D_OR_H_OFFSET else 0
    month -= _D_OR_H_OFFSET if month > _D_OR_H_OFFSET else 0
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]
