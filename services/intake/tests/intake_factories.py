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
    """A fødselsnummer with correct check digits for a made-up person born DDMMYY."""
    start = individual if individual is not None else next(_counter)
    for n in range(start, start + 1000):
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
