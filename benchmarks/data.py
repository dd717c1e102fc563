"""Synthetic, valid claims for the benchmarks: distinct invoice numbers and fødselsnummer.

Every identity number has correct check digits (classic rule, so also valid under the relaxed
2032 rule) and is checked once more with ``rules.identity`` while the bodies are built, so a
benchmark never measures the rejection path by accident. Bodies are built before any timing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from rules.identity import IdentityKind, validate_identity

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_FIRST_BIRTH = date(1950, 1, 1)
_CLAIM_TYPES = ("barnehage", "sfo", "kulturskole", "eiendomsgebyr")
_STREETS = ("Storgata", "Bragernes torg", "Tollbugata", "Konnerudgata", "Rundtom")


def _check(digits: str, weights: tuple[int, ...]) -> int | None:
    value = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return None if value == 10 else value % 11


def fodselsnumre() -> Iterator[str]:
    """Distinct valid fødselsnummer, born from 1950 on (individual numbers 000–499)."""
    for day in itertools.count():
        birth = (_FIRST_BIRTH + timedelta(days=day)).strftime("%d%m%y")
        for individual in range(500):
            base = f"{birth}{individual:03d}"
            k1 = _check(base, _K1)
            if k1 is None:
                continue
            k2 = _check(base + str(k1), _K2)
            if k2 is None:
                continue
            yield base + str(k1) + str(k2)


class ClaimFactory:
    """Valid Drammen claims, each with its own invoice number and debtor."""

    def __init__(self, run_id: str, municipality: str = "3301") -> None:
        self.run_id = run_id
        self.municipality = municipality
        self._numbers = fodselsnumre()
        self._today = date.today()

    def claim(self, prefix: str, n: int) -> dict[str, Any]:
        """Claim ``n`` of series ``prefix`` (invoice number ``<prefix>-<n>``)."""
        number = next(self._numbers)
        identity = validate_identity(number)  # the same rule intake applies
        assert identity.kind is IdentityKind.PERSON
        claim_type = _CLAIM_TYPES[n % len(_CLAIM_TYPES)]
        body: dict[str, Any] = {
            "municipality": self.municipality,
            "invoice_number": f"{prefix}-{n:07d}",
            "claim_type": claim_type,
            "debtor": {
                "id": number,
                "name": f"Benchmark Debitor {n}",
                "address": {
                    "lines": [f"{_STREETS[n % len(_STREETS)]} {1 + n % 97}"],
                    "postal_code": "3015",
                    "city": "Drammen",
                },
            },
            "principal_ore": 10_000 + (n * 7919) % 2_000_000,
            "issue_date": (self._today - timedelta(days=30 + n % 60)).isoformat(),
            "due_date": (self._today - timedelta(days=10 + n % 5)).isoformat(),
            "description": f"Foreldrebetaling {claim_type} periode {1 + n % 12}",
        }
        if claim_type == "eiendomsgebyr":
            body["property"] = {"gnr": 100 + n % 300, "bnr": 1 + n % 999}
        return body

    def series_prefix(self, label: str) -> str:
        """The invoice-number prefix of one series in this run."""
        return f"BENCH-{self.run_id}-{label}"

    def batch_bodies(self, label: str, batches: int, size: int) -> list[bytes]:
        """``batches`` JSON array bodies of ``size`` claims each, numbered across the series."""
        prefix = self.series_prefix(label)
        bodies = []
        for b in range(batches):
            claims = [self.claim(prefix, b * size + i) for i in range(size)]
            bodies.append(json.dumps(claims, separators=(",", ":")).encode())
        return bodies

    def single_bodies(self, label: str, count: int) -> list[bytes]:
        """``count`` JSON object bodies, one claim each."""
        prefix = self.series_prefix(label)
        return [
            json.dumps(self.claim(prefix, i), separators=(",", ":")).encode() for i in range(count)
        ]
