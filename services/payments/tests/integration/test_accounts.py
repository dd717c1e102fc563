"""Accounts open from claims.registered (v2, or a v1 still draining) with a KID; fees,
reversals and adjustments post."""

from __future__ import annotations

from datetime import date, timedelta

from contracts.claims import ClaimRegisteredV1
from contracts.envelope import new_envelope
from payments_factories import adjusted, fee_charged, fee_reversed, registered
from rules.kid import KidAlgorithm, validate_kid


async def events(payments, event_type: str, claim_id) -> list[dict]:
    import json

    rows = await payments.rows(
        "SELECT body FROM outbox WHERE event_type = :t AND message_key = :k ORDER BY id",
        t=event_type,
        k=str(claim_id),
    )
    return [json.loads(r.body)["payload"] for r in rows]


async def test_a_registered_claim_gets_an_account_a_mod10_kid_and_its_principal_posted(payments):
    claim = registered(principal_ore=325_000)

    assert await payments.apply(claim)

    [opened] = await events(payments, "accounts.opened.v1", claim.payload.claim_id)
    assert opened["kid_algorithm"] == "MOD10"
    assert len(opened["kid"]) == payments.settings.kid_length
    assert validate_kid(opened["kid"], KidAlgorithm.MOD10)
    assert opened["account_number"] == "86011117947"
    [balance] = await events(payments, "accounts.balance_changed.v1", claim.payload.claim_id)
    assert (balance["principal_ore"], balance["cause"], balance["settled"]) == (
        325_000,
        "opened",
        False,
    )
    assert balance["interest_through"] is None  # none booked: it runs from the due date
    postings = await payments.rows(
        "SELECT kind, debit_account, credit_account, amount_ore FROM posting WHERE claim_id = :c",
        c=claim.payload.claim_id,
    )
    assert [tuple(p) for p in postings] == [
        ("principal", "claim:principal", "creditor:principal", 325_000)
    ]


async def test_a_claim_left_in_the_topic_as_v1_opens_its_account_and_keeps_no_name(payments):
    sealed = registered(principal_ore=125_000)
    fields = sealed.payload.model_dump(exclude={"debtor_details_sealed"})
    payload = ClaimRegisteredV1(**fields, debtor_name="Kari Nordmann", debtor_address=None)
    clear = new_envelope(
        "claims.registered.v1",
        source="intake",
        tenant=sealed.tenant,
        subject=sealed.subject,
        payload=payload,
        occurred_at=sealed.occurred_at,
    )

    assert await payments.apply(clear)

    [opened] = await events(payments, "accounts.opened.v1", payload.claim_id)
    assert opened["principal_ore"] == 125_000
    names = await payments.rows(
        "SELECT debtor_name FROM account WHERE claim_id = :c", c=fields["claim_id"]
    )
    assert [n.debtor_name for n in names] == [None]


async def test_the_same_claim_delivered_twice_or_republished_opens_one_account(payments):
    claim = registered()
    republished = claim.model_copy(update={"id": registered().id})

    assert await payments.apply(claim)
    assert not await payments.apply(claim)
    assert not await payments.apply(republished)

    count = await payments.scalar(
        "SELECT count(*) FROM account WHERE claim_id = :c", c=claim.payload.claim_id
    )
    assert count == 1
    assert len(await events(payments, "accounts.opened.v1", claim.payload.claim_id)) == 1


async def test_every_account_gets_its_own_kid(payments):
    claims = [registered() for _ in range(5)]

    for claim in claims:
        await payments.apply(claim)

    kids = await payments.rows(
        "SELECT kid FROM account WHERE claim_id = ANY(:ids)",
        ids=[c.payload.claim_id for c in claims],
    )
    assert len({k.kid for k in kids}) == 5


async def test_a_fee_and_its_reversal_move_the_fees_component(payments):
    claim = registered()
    await payments.apply(claim)
    fee = fee_charged(claim.payload.claim_id, 3_500, date.today())

    assert await payments.apply(fee)
    assert not await payments.apply(fee)
    await payments.apply(fee_reversed(claim.payload.claim_id, fee.payload.fee_id, 3_500))

    balances = await events(payments, "accounts.balance_changed.v1", claim.payload.claim_id)
    assert [(b["cause"], b["fees_ore"]) for b in balances] == [
        ("opened", 0),
        ("fee", 3_500),
        ("fee_reversal", 0),
    ]


async def test_a_credit_note_reduces_the_principal_and_a_cancellation_closes_the_account(payments):
    due = date.today() - timedelta(days=1)
    claim = registered(principal_ore=100_000, due_date=due)
    await payments.apply(claim)
    claim_id = claim.payload.claim_id

    await payments.apply(adjusted(claim_id, "credit_note", 40_000, 100_000))
    await payments.apply(adjusted(claim_id, "cancellation", 60_000, 60_000))

    balances = await events(payments, "accounts.balance_changed.v1", claim_id)
    assert [(b["cause"], b["principal_ore"]) for b in balances] == [
        ("opened", 100_000),
        ("adjustment", 60_000),
        ("adjustment", 0),
    ]
    assert balances[-1]["total_ore"] == 0
    status = await payments.scalar("SELECT status FROM account WHERE claim_id = :c", c=claim_id)
    assert status == "closed"
