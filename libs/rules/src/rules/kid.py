"""KID (kundeidentifikasjon): payment references with a MOD10 or MOD11 check digit.

A KID is 2–25 characters: digits, the last one a check digit. Under MOD11 the check may be `-`
(remainder 10). Input is taken exactly as given: callers strip padding (OCR right-aligns KIDs).
"""

import enum

from rules.errors import RuleError

CODE = "kid.invalid"
MIN_LENGTH = 2
MAX_LENGTH = 25


class KidAlgorithm(enum.StrEnum):
    """The check-digit algorithm of a KID."""

    MOD10 = "mod10"
    MOD11 = "mod11"


class InvalidKid(RuleError):
    """A KID, or a KID base, with the wrong length, characters or check digit."""


def mod10_check_digit(digits: str) -> str:
    """Luhn: from the right weights 2,1,2,…; sum the digits of the products."""
    _require_digits(digits)
    total = 0
    for position, char in enumerate(reversed(digits)):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def mod11_check_digit(digits: str) -> str:
    """From the right weights 2–7 repeating; 11 − sum mod 11, where 11 → '0' and 10 → '-'."""
    _require_digits(digits)
    total = sum(int(char) * (2 + position % 6) for position, char in enumerate(reversed(digits)))
    check = 11 - total % 11
    return {11: "0", 10: "-"}.get(check, str(check))


def make_kid(base: str, algorithm: KidAlgorithm) -> str:
    """Append the check digit of `algorithm` to `base` (1–24 digits)."""
    if not MIN_LENGTH - 1 <= len(base) <= MAX_LENGTH - 1:
        raise InvalidKid(CODE, f"A KID base has {MIN_LENGTH - 1}–{MAX_LENGTH - 1} digits.")
    return base + _CHECK_DIGIT[algorithm](base)


def is_valid_kid(kid: str) -> bool:
    """True if the KID is valid under MOD10 or MOD11."""
    return any(_is_valid_under(kid, algorithm) for algorithm in KidAlgorithm)


def validate_kid(kid: str, algorithm: KidAlgorithm | None = None) -> str:
    """Return the KID if valid under `algorithm` (either when None); raise `InvalidKid`."""
    algorithms = tuple(KidAlgorithm) if algorithm is None else (algorithm,)
    if not any(_is_valid_under(kid, a) for a in algorithms):
        raise InvalidKid(CODE, "The KID has the wrong length, characters or check digit.")
    return kid


def _is_valid_under(kid: str, algorithm: KidAlgorithm) -> bool:
    if not MIN_LENGTH <= len(kid) <= MAX_LENGTH or not _is_digits(kid[:-1]):
        return False
    return kid[-1] == _CHECK_DIGIT[algorithm](kid[:-1])


def _is_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _require_digits(digits: str) -> None:
    if not _is_digits(digits):
        raise InvalidKid(CODE, "A KID base is made of digits only.")


_CHECK_DIGIT = {KidAlgorithm.MOD10: mod10_check_digit, KidAlgorithm.MOD11: mod11_check_digit}
