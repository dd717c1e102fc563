"""Small factories for notification's tests: identity numbers, notices, request events."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from contracts.claims import DebtorDetails
from contracts.dunning import NoticeClaim, NoticeRequestedV1, NoticeRequestedV2
from contracts.envelope import Envelope, new_envelope
from notification.domain.notice import Address, ClaimLine, Notice
from runtime.personal_data import PersonalDataKeys, debtor_ref, seal, seal_details

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_counter = itertools.count(100)
ORGNR = "921234554"  # Drammen kommune's: a valid organisasjonsnummer
SENT = date(2026, 3, 31)
DEADLINE = date(2026, 4, 14)
KID = "2345676"
ACCOUNT = "12345678903"
DEBTOR_NAME = "Åse Ødegård Ærø"
DESCRIPTION = "Foreldrebetaling barnehage mars – Åssiden"


def _check(digits: str, weights: tuple[int, ...]) -> int | None:
    value = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    return None if value == 10 else value % 11


def fodselsnummer(day: int = 15, month: int = 3, year: int = 85) -> str:
    """A made-up fødselsnummer with valid check digits; the fakes read the day (see people)."""
    birth = f"{day:02d}{month:02d}{year:02d}"
    for _ in range(1000):
        n = next(_counter) % 500
        base = birth + f"{n:03d}"
        k1 = _check(base, _K1)
        k2 = _check(base + str(k1), _K2) if k1 is not None else None
        if k1 is not None and k2 is not None:
            return base + str(k1) + str(k2)
    raise AssertionError("no valid number found")


def claim(**overrides: Any) -> ClaimLine:
    values: dict[str, Any] = {
        "claim_id": str(uuid4()),
        "invoice_number": "2026-000123",
        "claim_type": "barnehage",
        "description": DESCRIPTION,
        "due_date": date(2026, 3, 1),
        "principal_ore": 325000,
        "interest_ore": 1234,
        "fees_ore": 10500,
    }
    values.update(overrides)
    return ClaimLine(**values)


def notice(
    step_kind: str = "betalingsoppfordring", language: str = "nb", **overrides: Any
) -> Notice:
    """A lawful single-claim notice for Drammen; amounts add up."""
    claims = overrides.pop("claims", (claim(),))
    values: dict[str, Any] = {
        "notice_id": uuid4(),
        "case_id": uuid4(),
        "step_kind": step_kind,
        "municipality": "3301",
        "language": language,
        "debtor_ref": "ref1_test",
        "debtor_kind": "person",
        "debtor_name": DEBTOR_NAME,
        "debtor_address": Address(("Storgata 1", "Leil. H0201"), "3015", "Drammen"),
        "claims": claims,
        "principal_ore": sum(c.principal_ore or 0 for c in claims),
        "interest_ore": sum(c.interest_ore or 0 for c in claims),
        "fees_ore": sum(c.fees_ore or 0 for c in claims),
        "new_fee_ore": 10500,
        "total_ore": sum(
            (c.principal_ore or 0) + (c.interest_ore or 0) + (c.fees_ore or 0) for c in claims
        ),
        "interest_rate_percent": "12.00",
        "interest_from": date(2026, 3, 2),
        "kid": KID,
        "account_number": ACCOUNT,
        "sent_date": SENT,
        "deadline_date": DEADLINE,
        "legal_basis": "inkassoloven § 10",
    }
    values.update(overrides)
    return Notice(**values)


def requested(
    keys: PersonalDataKeys,
    identity: str | None,
    *,
    debtor_kind: str = "person",
    step_kind: str = "betalingsoppfordring",
    **overrides: Any,
) -> NoticeRequestedV1:
    """A ``notices.requested.v1`` payload as dunning sends it (identity sealed, or none)."""
    values: dict[str, Any] = {
        "notice_id": uuid4(),
        "case_id": uuid4(),
        "step_kind": step_kind,
        "municipality": "3301",
        "language": "nb",
        "debtor_ref": debtor_ref(keys, identity) if identity else f"ref1_noid_{uuid4().hex[:8]}",
        "debtor_sealed": seal(keys, identity) if identity else "",
        "debtor_kind": debtor_kind,
        "debtor_name": DEBTOR_NAME,
        "debtor_address": {"lines": ["Storgata 1"], "postal_code": "3015", "city": "Drammen"},
        "claims": [
            NoticeClaim(
                claim_id=uuid4(),
                invoice_number="2026-000123",
                claim_type="barnehage",
                description=DESCRIPTION,
                due_date=date(2026, 3, 1),
                principal_ore=325000,
                interest_ore=1234,
                fees_ore=10500,
            )
        ],
        "principal_ore": 325000,
        "interest_ore": 1234,
        "fees_ore": 10500,
        "new_fee_ore": 10500,
        "total_ore": 336734,
        "interest_rate_percent": "12.00",
        "interest_from": date(2026, 3, 2),
        "kid": KID,
        "account_number": ACCOUNT,
        "sent_date": SENT,
        "deadline_date": DEADLINE,
        "legal_basis": "inkassoloven § 10",
        "legal_text_keys": ["inkassoloven.10"],
        "requested_at": datetime.now(UTC) - timedelta(seconds=1),
    }
    values.update(overrides)
    return NoticeRequestedV1(**values)


def sealed_request(keys: PersonalDataKeys, clear: NoticeRequestedV1) -> NoticeRequestedV2:
    """``clear`` as dunning publishes it: name and address sealed with ``keys``."""
    details = DebtorDetails(name=clear.debtor_name, address=clear.debtor_address)
    return NoticeRequestedV2(
        **clear.model_dump(exclude={"debtor_name", "debtor_address"}),
        debtor_details_sealed=seal_details(keys, details),
    )


def envelope(
    payload: NoticeRequestedV1 | NoticeRequestedV2, event_id: UUID | None = None
) -> Envelope[Any]:
    """The envelope dunning publishes the request in."""
    return new_envelope(
        payload.EVENT_TYPE,
        source="dunning",
        tenant=payload.municipality,
        subject=str(payload.case_id),
        payload=payload,
        occurred_at=datetime.now(UTC),
        id=event_id or uuid4(),
    )
