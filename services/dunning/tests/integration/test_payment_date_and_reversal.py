"""A payment counts on the payer's bank date; a payment the bank took back reopens the case."""

from __future__ import annotations

from datetime import date

import pytest

pytestmark = pytest.mark.integration


async def test_a_fee_letter_sent_after_the_payer_paid_but_before_settlement_is_reversed(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.run_days(date(2026, 3, 23), date(2026, 4, 8))  # purring, then varsel + fee
    [fee] = await dunning.events("fees.charged.v1")
    assert fee["payload"]["charged_on"] == "2026-04-08"

    # Debited by the payer's bank on 6 April, before the purring's deadline; Nets settled on
    # 9 April: the ledger leaves only the varsel's fee open.
    dunning.clock.set(date(2026, 4, 9))
    await dunning.pay(claim, principal_left=0, fees_left=3750, as_of=date(2026, 4, 6))

    [reversed_fee] = await dunning.events("fees.reversed.v1")
    assert reversed_fee["payload"]["fee_id"] == fee["payload"]["fee_id"]
    assert reversed_fee["payload"]["amount_ore"] == 3750
    case_id = await dunning.case_of(claim)
    trail = await dunning.client.get(f"/v1/cases/{case_id}/explain", headers=dunning.staff())
    assert any(
        "betalingen ble gjort 06.04.2026, før brevet" in s for s in trail.json()["sentences"]
    )
    await dunning.pay(claim, principal_left=0, settled=True, cause="fee_reversal")
    await dunning.run_days(date(2026, 4, 10), date(2026, 5, 30))
    assert await dunning.case_status(claim) == "closed"
    assert len(await dunning.events("fees.charged.v1")) == 1
    assert len(await dunning.events("notices.requested.v2")) == 2


async def test_a_fee_charged_before_the_payer_paid_stays(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.run_days(date(2026, 3, 23), date(2026, 4, 8))

    dunning.clock.set(date(2026, 4, 12))
    await dunning.pay(claim, principal_left=0, fees_left=3750, as_of=date(2026, 4, 10))

    assert await dunning.events("fees.reversed.v1") == []


async def test_a_reversed_payment_reopens_the_case_at_its_step_with_a_fresh_period(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))
    await dunning.run(date(2026, 3, 23))
    dunning.clock.set(date(2026, 3, 30))
    await dunning.pay(claim, principal_left=0, settled=True)
    assert await dunning.case_status(claim) == "closed"

    dunning.clock.set(date(2026, 4, 2))
    await dunning.pay(claim, principal_left=claim.principal_ore, cause="refund",
                      as_of=date(2026, 3, 30))  # fmt: skip
    await dunning.bank_reverses(claim, paid_on=date(2026, 3, 30), amount_ore=claim.principal_ore)

    assert await dunning.case_status(claim) == "active"
    [item] = await dunning.work_items(kind="payment_reversed")
    assert item["code"] == "payment.reversed"
    assert "tilbakeførte" in item["summary"] and "16.04.2026" in item["summary"]
    [resumed] = await dunning.events("cases.resumed.v1")
    assert resumed["payload"]["reason"] == "payment_reversed"
    case_id = await dunning.case_of(claim)
    trail = await dunning.client.get(f"/v1/cases/{case_id}/explain", headers=dunning.staff())
    assert any("Banken tilbakeførte" in s for s in trail.json()["sentences"])
    await dunning.run_days(date(2026, 4, 2), date(2026, 4, 15))
    assert await dunning.steps(claim) == [("purring", date(2026, 3, 23))]
    await dunning.run(date(2026, 4, 16))
    assert await dunning.steps(claim) == [
        ("purring", date(2026, 3, 23)),
        ("inkassovarsel", date(2026, 4, 16)),
    ]
