"""Read models from events: applied once, in any order, and only ever shown to their debtor."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import sqlalchemy as sa

from minside import queries
from minside_factories import (
    account_opened,
    balance,
    case_opened,
    fodselsnummer,
    notice_delivered,
    notice_requested,
    now,
    payment,
    registered,
    step_taken,
)


async def _claims(minside, ref):
    async with minside.container.runtime.engine.connect() as conn:
        return await queries.claims_of(conn, ref)


async def test_an_event_delivered_twice_is_applied_once(minside):
    ref = minside.ref(fodselsnummer())
    claim = registered(ref)
    received, allocated = payment(claim.payload.claim_id, 50_000)

    await minside.apply(claim, claim, received, allocated, allocated)

    async with minside.container.runtime.engine.connect() as conn:
        payments = await queries.payments_of(conn, claim.payload.claim_id)
        inbox = await conn.scalar(
            sa.text("SELECT count(*) FROM inbox WHERE event_id = :id"), {"id": claim.id}
        )
    assert [p["amount_ore"] for p in payments] == [50_000]
    assert inbox == 1


async def test_a_balance_before_its_claim_ends_in_the_right_state(minside):
    ref = minside.ref(fodselsnummer())
    claim = registered(ref, principal_ore=200_000)
    claim_id = claim.payload.claim_id
    later = balance(
        ref, claim_id, principal_ore=150_000, fees_ore=3_500, paid_ore=50_000, cause="payment"
    )
    earlier = balance(
        ref, claim_id, principal_ore=200_000, at=later.payload.changed_at - timedelta(minutes=5)
    )

    await minside.apply(later)
    hidden = await _claims(minside, ref)
    await minside.apply(earlier, account_opened(ref, claim_id), claim)
    [shown] = await _claims(minside, ref)

    assert hidden == []
    assert shown.balance.principal_ore == 150_000 and shown.balance.paid_ore == 50_000
    assert shown.kid == "2345676" and shown.principal_ore == 200_000


async def test_a_settled_balance_closes_the_claim(minside):
    ref = minside.ref(fodselsnummer())
    claim = registered(ref)

    await minside.apply(
        claim, balance(ref, claim.payload.claim_id, principal_ore=0, paid_ore=325_000)
    )
    [closed] = await _claims(minside, ref)

    assert closed.closed_reason == "settled" and not closed.is_open


async def test_a_payment_the_bank_reversed_shows_the_claim_unpaid_again(minside):
    ref = minside.ref(fodselsnummer())
    claim = registered(ref)
    claim_id = claim.payload.claim_id
    paid = balance(ref, claim_id, principal_ore=0, paid_ore=325_000, cause="payment")
    reversed_ = balance(
        ref,
        claim_id,
        principal_ore=325_000,
        cause="refund",
        at=paid.payload.changed_at + timedelta(days=3),
    )

    await minside.apply(claim, paid, reversed_)
    [shown] = await _claims(minside, ref)

    assert shown.is_open and shown.closed_reason is None
    assert (shown.balance.principal_ore, shown.balance.paid_ore) == (325_000, 0)


async def test_an_adjustment_before_registration_keeps_the_reduced_principal(minside):
    from minside_factories import event

    ref = minside.ref(fodselsnummer())
    claim = registered(ref, principal_ore=100_000)
    adjusted = event(
        "claims.adjusted.v1",
        claim_id=claim.payload.claim_id,
        adjustment_id=uuid4(),
        kind="credit_note",
        amount_ore=40_000,
        principal_before_ore=100_000,
        principal_after_ore=60_000,
        reason_code="wrong_rate",
        reason="Feil sats",
        adjusted_at=now(),
    )

    await minside.apply(adjusted, claim)
    [shown] = await _claims(minside, ref)

    assert shown.principal_ore == 60_000


async def test_steps_and_letters_link_to_the_claim_whatever_comes_first(minside):
    ref = minside.ref(fodselsnummer())
    claim = registered(ref)
    claim_id = claim.payload.claim_id
    case_id, notice_id, document_id = uuid4(), uuid4(), uuid4()
    deadline = date.today() + timedelta(days=9)

    await minside.apply(
        notice_delivered(notice_id, case_id, document_id),
        step_taken(case_id, [claim_id], deadline=deadline),
        notice_requested(ref, case_id, claim_id, notice_id=notice_id),
        case_opened(ref, [claim_id], case_id=case_id),
        claim,
    )
    [shown] = await _claims(minside, ref)
    async with minside.container.runtime.engine.connect() as conn:
        letters = await queries.letters_of(conn, ref, claim_id)

    assert deadline in shown.deadlines
    assert [(n.notice_id, n.document_id) for n in letters] == [(notice_id, document_id)]


async def test_one_citizen_never_reads_anothers_claims_or_letters(minside):
    kari, ola = minside.ref(fodselsnummer()), minside.ref(fodselsnummer())
    karis = registered(kari)
    case_id, notice_id = uuid4(), uuid4()
    await minside.apply(
        karis,
        registered(ola),
        notice_requested(kari, case_id, karis.payload.claim_id, notice_id=notice_id),
        notice_delivered(notice_id, case_id, uuid4()),
    )

    async with minside.container.runtime.engine.connect() as conn:
        olas_view = await queries.claims_of(conn, ola, [karis.payload.claim_id])
        olas_letter = await queries.letter(conn, ola, notice_id)
        karis_letter = await queries.letter(conn, kari, notice_id)

    assert [c.claim_id for c in await _claims(minside, kari)] == [karis.payload.claim_id]
    assert olas_view == [] and olas_letter is None and karis_letter is not None
