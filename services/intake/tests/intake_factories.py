"""Small factories for intake's tests: valid identity numbers and claim bodies."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_counter = itertools.count(100)


def _check(digits: str, weights: tuple[int, ...]) -> int | None:
    value = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    return None if value == 10 else value % 11


def fodselsnummer(birth: str = "150385", individual: int | None = None) -> str:
    """A fødselsnummer with correct check digits for a made-up person born DDMMYY.

    Without ``individual`` each candidate takes the next counter value, so calls in a row never
    return the same number (whatever the counter stood at).
    """
    for step in range(1000):
        n = individual + step if individual is not None else next(_counter)
        base = birth + f"{n % 500:03d}"
        k1 = _check(base, _K1)
        if k1 is None:
            continue
        k2 = _check(base + str(k1), _K2)
        if k2 is None:
            continue
        return base + str(k1) + str(k2)
    raise AssertionError("no valid number found")


def claim_body(**overrides: Any) -> dict[str, Any]:
    """A valid Drammen claim; override any field."""
    today = date.today()
    body: dict[str, Any] = {
        "municipality": "3301",
        "invoice_number": f"INV-{next(_counter)}-{today.isoformat()}",
        "claim_type": "barnehage",
        "debtor": {
            "id": fodselsnummer(),
            "name": "Kari Nordmann",
            "address": {"lines": ["Storgata 1"], "postal_code": "3015", "city": "Drammen"},
        },
        "principal_ore": 325000,
        "issue_date": (today - timedelta(days=30)).isoformat(),
        "due_date": (today - timedelta(days=10)).isoformat(),
        "description": "Foreldrebetaling barnehage oktober",
    }
    body.update(overrides)
    return body


DRAMMEN_ORGNR = "921234554"
KONGSBERG_ORGNR = "942402465"
# A real organisation number of a municipality the demo office does not serve.
NOT_SERVED_ORGNR = "964338531"


def d_number(birth: str = "150385") -> str:
    """A D-number (day of birth + 40) with correct check digits."""
    return fodselsnummer(f"{int(birth[:2]) + 40:02d}{birth[2:]}")


def with_wrong_check_digit(number: str) -> str:
    """The same identity number with its last check digit changed, so it no longer validates."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def debtor(**overrides: Any) -> dict[str, Any]:
    """A valid debtor (a person with a fresh fødselsnummer); override any field."""
    body: dict[str, Any] = {
        "id": fodselsnummer(),
        "name": "Ola Nordmann",
        "address": {"lines": ["Kirkegata 2"], "postal_code": "3616", "city": "Kongsberg"},
    }
    body.update(overrides)
    return body


def without(body: dict[str, Any], *fields: str) -> dict[str, Any]:
    """A copy of ``body`` lacking ``fields``."""
    return {key: value for key, value in body.items() if key not in fields}
