"""Balances from payments and adjustments from intake end or continue a case."""

from __future__ import annotations

from datetime import date

import pytest

pytestmark = pytest.mark.integration


async def test_payment_in_full_after_the_letter_closes_the_case_and_no_further_step_is_taken(
    dunning,
):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.run(date(2026, 3, 23))
    assert len(await dunning.events("notices.requested.v2")) == 1

    dunning.clock.set(date(2026, 3, 30))
    await dunning.pay(claim, principal_left=0, settled=True)
    await dunning.run_days(date(2026, 3, 31), date(2026, 6, 1))

    assert await dunning.case_status(claim) == "closed"
    assert await dunning.steps(claim) == [("purring", date(2026, 3, 23))]
    assert len(await dunning.events("notices.requested.v2")) == 1
    [closed] = await dunning.events("cases.closed.v1")
    assert closed["payload"]["reason"] == "settled"
    assert closed["payload"]["claim_ids"] == [str(claim.claim_id)]  # intake follows them


async def test_a_partial_payment_continues_the_flow_with_the_remainder(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.run(date(2026, 3, 23))

    dunning.clock.set(date(2026, 3, 31))
    await dunning.pay(claim, principal_left=125_000)
    await dunning.run_days(date(2026, 4, 1), date(2026, 4, 8))

    [_, varsel] = await dunning.events("notices.requested.v2")
    payload = varsel["payload"]
    assert (payload["step_kind"], payload["sent_date"]) == ("inkassovarsel", "2026-04-08")
    assert payload["principal_ore"] == 125_000
    # 3 250 kr for 21–31 March (11 days), 1 250 kr for 1–8 April (8 days), 12.00 %:
    # (325 000 × 11 + 125 000 × 8) × 0.12 / 365 = 1 504.11 → 1 504 øre.
    assert payload["interest_ore"] == 1504
    assert payload["total_ore"] == 125_000 + 1504 + 3750
    assert await dunning.case_status(claim) == "active"


async def test_a_claim_cancelled_as_wrongly_issued_gets_its_fees_reversed(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.run_days(date(2026, 3, 23), date(2026, 4, 8))
    [fee] = await dunning.events("fees.charged.v1")

    dunning.clock.set(date(2026, 4, 10))
    await dunning.adjust(claim, "cancellation", "wrongly_issued")

    [reversed_fee] = await dunning.events("fees.reversed.v1")
    assert reversed_fee["payload"]["fee_id"] == fee["payload"]["fee_id"]
    assert reversed_fee["payload"]["amount_ore"] == 3750
    assert reversed_fee["subject"] == str(claim.claim_id)
    assert await dunning.case_status(claim) == "closed"
    [closed] = await dunning.events("cases.closed.v1")
    assert closed["payload"]["reason"] == "cancelled"


async def test_a_write_off_closes_the_case_but_keeps_the_fees(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.run_days(date(2026, 3, 23), date(2026, 4, 8))

    await dunning.adjust(claim, "write_off", "uncollectable")

    assert await dunning.events("fees.reversed.v1") == []
    assert await dunning.case_status(claim) == "closed"


async def test_without_a_kid_the_step_waits_in_the_queue_until_the_account_is_opened(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20), kid=None)

    report = await dunning.run(date(2026, 3, 23))
    [item] = await dunning.work_items(kind="blocked_step")
    claim.kid = "99887766"
    await dunning.open_account(claim)
    await dunning.run(date(2026, 3, 24))

    assert report.blocked == {"case.kid_missing": 1}
    assert item["code"] == "case.kid_missing"
    assert await dunning.work_items(kind="blocked_step") == []
    [notice] = await dunning.events("notices.requested.v2")
    assert (notice["payload"]["sent_date"], notice["payload"]["kid"]) == ("2026-03-24", "99887766")


async def test_two_claims_of_one_debtor_are_consolidated_when_the_policy_says_so(dunning):
    dunning.clock.set(date(2026, 3, 20))
    first = await dunning.register(due=date(2026, 3, 20), municipality="3301")
    second = await dunning.register(
        due=date(2026, 3, 20), municipality="3301", debtor_ref=first.debtor_ref
    )

    await dunning.run(date(2026, 3, 23))

    assert await dunning.case_of(first) == await dunning.case_of(second)
    [notice] = await dunning.events("notices.requested.v2")
    assert {c["claim_id"] for c in notice["payload"]["claims"]} == {
        str(first.claim_id),
        str(second.claim_id),
    }
    assert notice["payload"]["principal_ore"] == 650_000
