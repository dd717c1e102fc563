"""Small factories for Min side's tests: identity numbers and the events read models come from."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from contracts.envelope import Envelope, new_envelope
from contracts.registry import payload_model

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_counter = itertools.count(100)
ACCOUNT = "15032080000"  # the office's collection account (valid MOD11)
_SOURCES = {
    "claims": "intake",
    "accounts": "payments",
    "payments": "payments",
    "cases": "dunning",
    "notices": "dunning",
}


def fodselsnummer() -> str:
    """A fødselsnummer with correct check digits for a made-up person; never the same twice."""
    for _ in range(1000):
        n = next(_counter)
        base = f"{(n // 1000) % 28 + 1:02d}0385{n % 1000:03d}"
        k1 = _check(base, _K1)
        k2 = None if k1 is None else _check(base + str(k1), _K2)
        if k1 is not None and k2 is not None:
            return base + str(k1) + str(k2)
    raise AssertionError("no valid number found")


def _check(digits: str, weights: tuple[int, ...]) -> int | None:
    value = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    return None if value == 10 else value % 11


def now() -> datetime:
    return datetime.now(UTC)


def event(
    event_type: str, *, tenant: str = "3301", subject: str | None = None, **payload: Any
) -> Envelope[Any]:
    """An envelope of ``event_type`` with ``payload`` (validated by the contract)."""
    model = payload_model(event_type)
    body = model(**payload)
    key = subject or str(payload.get("claim_id") or payload.get("case_id") or uuid4())
    source = _SOURCES.get(event_type.split(".")[0], "test")
    if event_type.startswith("notices.requested"):
        source = "dunning"
    return new_envelope(
        event_type, source=source, tenant=tenant, subject=key, payload=body, occurred_at=now()
    )


def registered(
    debtor_ref: str,
    *,
    claim_id: UUID | None = None,
    municipality: str = "3301",
    principal_ore: int = 325_000,
    due: date | None = None,
    description: str = "Foreldrebetaling barnehage oktober",
    claim_type: str = "barnehage",
) -> Envelope[Any]:
    due = due or date.today() - timedelta(days=20)
    return event(
        "claims.registered.v2",
        tenant=municipality,
        claim_id=claim_id or uuid4(),
        municipality=municipality,
        invoice_number=f"INV-{next(_counter)}",
        claim_type=claim_type,
        debtor_ref=debtor_ref,
        debtor_sealed="v1.k1.sealed",
        debtor_kind="person",
        debtor_details_sealed="v1.k1.sealed-details",
        principal_ore=principal_ore,
        issue_date=due - timedelta(days=20),
        due_date=due,
        original_kid=None,
        description=description,
        property=None,
        registered_at=now(),
    )


def account_opened(
    debtor_ref: str, claim_id: UUID, *, kid: str = "2345676", municipality: str = "3301"
) -> Envelope[Any]:
    return event(
        "accounts.opened.v1",
        tenant=municipality,
        claim_id=claim_id,
        municipality=municipality,
        debtor_ref=debtor_ref,
        kid=kid,
        kid_algorithm="MOD10",
        account_number=ACCOUNT,
        principal_ore=325_000,
        opened_at=now(),
    )


def balance(
    debtor_ref: str,
    claim_id: UUID,
    *,
    principal_ore: int,
    interest_ore: int = 0,
    fees_ore: int = 0,
    paid_ore: int = 0,
    at: datetime | None = None,
    cause: str = "opened",
    as_of: date | None = None,
    interest_through: date | None = None,
) -> Envelope[Any]:
    total = principal_ore + interest_ore + fees_ore
    return event(
        "accounts.balance_changed.v1",
        claim_id=claim_id,
        debtor_ref=debtor_ref,
        principal_ore=principal_ore,
        interest_ore=interest_ore,
        fees_ore=fees_ore,
        total_ore=total,
        paid_ore=paid_ore,
        settled=total == 0,
        cause=cause,
        as_of=as_of or date.today(),
        changed_at=at or now(),
        interest_through=interest_through,
    )


def case_opened(
    debtor_ref: str, claim_ids: list[UUID], *, case_id: UUID | None = None
) -> Envelope[Any]:
    return event(
        "cases.opened.v1",
        case_id=case_id or uuid4(),
        claim_ids=claim_ids,
        municipality="3301",
        debtor_ref=debtor_ref,
        policy_id="barnehage-3301",
        policy_version=1,
        opened_at=now(),
    )


def step_taken(
    case_id: UUID,
    claim_ids: list[UUID],
    *,
    step_kind: str = "purring",
    sent: date | None = None,
    deadline: date | None = None,
    fee_ore: int = 3_500,
) -> Envelope[Any]:
    sent = sent or date.today() - timedelta(days=3)
    return event(
        "cases.step_taken.v1",
        case_id=case_id,
        claim_ids=claim_ids,
        step_kind=step_kind,
        step_index=0,
        rule="purring-14",
        legal_basis="inkassoloven § 9",
        sent_date=sent,
        deadline_date=deadline or sent + timedelta(days=14),
        fee_ore=fee_ore,
        taken_at=now(),
    )


def paused(
    case_id: UUID, reason: str, until: date | None = None, at: datetime | None = None
) -> Envelope[Any]:
    return event(
        "cases.paused.v1", case_id=case_id, reason=reason, until=until, paused_at=at or now()
    )


def resumed(case_id: UUID, at: datetime | None = None) -> Envelope[Any]:
    return event(
        "cases.resumed.v1", case_id=case_id, reason="dispute_rejected", resumed_at=at or now()
    )


def plan_agreed(
    case_id: UUID, claim_ids: list[UUID], debtor_ref: str, at: datetime | None = None
) -> Envelope[Any]:
    first = date.today() + timedelta(days=14)
    return event(
        "cases.plan_agreed.v1",
        plan_id=uuid4(),
        case_id=case_id,
        claim_ids=claim_ids,
        debtor_ref=debtor_ref,
        instalments=[
            {"due_date": first, "amount_ore": 100_000},
            {"due_date": first + timedelta(days=31), "amount_ore": 100_000},
        ],
        agreed_at=at or now(),
    )


def notice_requested(
    debtor_ref: str, case_id: UUID, claim_id: UUID, *, notice_id: UUID | None = None
) -> Envelope[Any]:
    sent = date.today() - timedelta(days=3)
    return event(
        "notices.requested.v2",
        notice_id=notice_id or uuid4(),
        case_id=case_id,
        step_kind="purring",
        municipality="3301",
        language="nb",
        debtor_ref=debtor_ref,
        debtor_sealed="v1.k1.sealed",
        debtor_kind="person",
        debtor_details_sealed="v1.k1.sealed-details",
        claims=[
            {
                "claim_id": claim_id,
                "invoice_number": "INV-1",
                "claim_type": "barnehage",
                "description": "Foreldrebetaling",
                "due_date": sent - timedelta(days=20),
                "principal_ore": 325_000,
                "interest_ore": 0,
                "fees_ore": 3_500,
            }
        ],
        principal_ore=325_000,
        interest_ore=0,
        fees_ore=3_500,
        new_fee_ore=3_500,
        total_ore=328_500,
        interest_rate_percent="12.25",
        interest_from=sent - timedelta(days=19),
        kid="2345676",
        account_number=ACCOUNT,
        sent_date=sent,
        deadline_date=sent + timedelta(days=14),
        legal_basis="inkassoloven § 9",
        legal_text_keys=[],
        requested_at=now(),
    )


def notice_delivered(notice_id: UUID, case_id: UUID, document_id: UUID) -> Envelope[Any]:
    return event(
        "notices.delivered.v1",
        notice_id=notice_id,
        case_id=case_id,
        channel="digipost",
        receipt="delivered",
        document_id=document_id,
        delivered_at=now(),
    )


def payment(
    claim_id: UUID, amount_ore: int, *, payment_id: UUID | None = None
) -> tuple[Envelope[Any], Envelope[Any]]:
    pid = payment_id or uuid4()
    received = event(
        "payments.received.v1",
        subject=str(pid),
        payment_id=pid,
        amount_ore=amount_ore,
        channel="vipps",
        kid="2345676",
        booking_date=date.today(),
        received_at=now(),
    )
    allocated = event(
        "payments.allocated.v1",
        payment_id=pid,
        claim_id=claim_id,
        fees_ore=0,
        interest_ore=0,
        principal_ore=amount_ore,
        allocated_at=now(),
    )
    return received, allocated
