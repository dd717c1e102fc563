"""Who the fakes know, by the day of birth in the identity number (D-numbers: day − 40).

| day | KRR says | Digipost says |
| --- | --- | --- |
| 01 | reserved against digital post | — |
| 02 | not registered | — |
| 03 | active, no digital mailbox, may be notified | — |
| 04 | active, mailbox at e-Boks | — |
| 05 | active, mailbox at Digipost | unknown recipient |
| 06 | active, mailbox at Digipost, may not be notified | user |
| other | active, mailbox at Digipost, may be notified | user |

``PUT /_admin/people/{number}`` on the KRR fake overrides any of this for one person.
"""

from __future__ import annotations

import hashlib
from typing import Any

DIGIPOST_ORGNR = "984661185"
EBOKS_ORGNR = "996460320"


def day_of_birth(number: str) -> int:
    day = int(number[:2])
    return day - 40 if day > 40 else day


def krr_person(number: str) -> dict[str, Any]:
    """The KRR ``personer`` entry for an identity number."""
    day = day_of_birth(number)
    if day == 2:
        return {"personidentifikator": number, "status": "IKKE_REGISTRERT"}
    tag = hashlib.sha256(number.encode()).hexdigest()[:8]
    person: dict[str, Any] = {
        "personidentifikator": number,
        "reservasjon": "JA" if day == 1 else "NEI",
        "status": "AKTIV",
        "varslingsstatus": "KAN_IKKE_VARSLES" if day == 6 else "KAN_VARSLES",
        "spraak": "nb",
    }
    if day != 6:
        person["kontaktinformasjon"] = {
            "epostadresse": f"innbygger-{tag}@example.invalid",
            "mobiltelefonnummer": f"+479{int(tag, 16) % 10_000_000:07d}",
        }
    if day in (1, 3):
        return person
    provider = EBOKS_ORGNR if day == 4 else DIGIPOST_ORGNR
    person["digital_post"] = {
        "postkasseadresse": f"innbygger#{tag}",
        "postkasseleverandoeradresse": provider,
    }
    return person


def digipost_user(number: str) -> bool:
    """Whether Digipost knows the person."""
    return day_of_birth(number) not in (1, 2, 3, 4, 5)
