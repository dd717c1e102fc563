"""The daily run over a real database: exact letters, once per step, whatever runs overlap."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

pytestmark = pytest.mark.integration


def letters(events):
    return [
        (
            e["payload"]["step_kind"],
            e["payload"]["sent_date"],
            e["payload"]["deadline_date"],
            e["payload"]["principal_ore"],
            e["payload"]["interest_ore"],
            e["payload"]["fees_ore"],
            e["payload"]["new_fee_ore"],
            e["payload"]["total_ore"],
        )
        for e in events
    ]


async def test_a_kindergarten_claim_due_20_march_2026_gets_exactly_these_letters_and_fees(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20), municipality="3303")

    await dunning.run_days(date(2026, 3, 20), date(2026, 5, 15))

    notices = await dunning.events("notices.requested.v2")
    # (kind, sent, deadline, principal, interest, fees, new fee, total), amounts in øre.
    # Interest: 3 250 kr × 12.00 % (2026H1) from 21 March through the sending day, / 365.
    assert letters(notices) == [
        # Deadline 6 April is Easter Monday: rolled to Tuesday 7 April. No fee (< 14 days).
        ("purring", "2026-03-23", "2026-04-07", 325000, 321, 0, 0, 325321),
        # 19 days of interest; fee 1/20 of the 750 kr inkassosats in force on 8 April.
        ("inkassovarsel", "2026-04-08", "2026-04-22", 325000, 2030, 3750, 3750, 330780),
        # 34 days of interest; fee 3/20 of 750 kr on top of the earlier 37.50 kr.
        ("betalingsoppfordring", "2026-04-23", "2026-05-07", 325000, 3633, 15000, 11250, 343633),
    ]
    fees = await dunning.events("fees.charged.v1")
    assert [(f["payload"]["step_kind"], f["payload"]["amount_ore"], f["payload"]["charged_on"],
             f["payload"]["legal_basis"]) for f in fees] == [
        ("inkassovarsel", 3750, "2026-04-08", "inkassoforskriften § 1-2"),
        ("betalingsoppfordring", 11250, "2026-04-23", "inkassoforskriften § 1-3"),
    ]  # fmt: skip
    assert await dunning.steps(claim) == [
        ("purring", date(2026, 3, 23)),
        ("inkassovarsel", date(2026, 4, 8)),
        ("betalingsoppfordring", date(2026, 4, 23)),
        ("overforing_tvangsinnfordring", date(2026, 5, 8)),
    ]
    first = notices[0]["payload"]
    assert (first["kid"], first["account_number"]) == (claim.kid, "15030100007")
    assert first["interest_rate_percent"] == "12.00"
    assert first["interest_from"] == "2026-03-21"
    assert first["debtor_sealed"] == "sealed:v1:opaque"
    assert notices[1]["payload"]["legal_basis"] == "inkassoloven § 9"
    assert "inkassoloven_10" in notices[2]["payload"]["legal_text_keys"]
    assert await dunning.case_status(claim) == "handed_over"


async def test_a_property_fee_gets_a_reminder_a_varsel_with_two_weeks_and_a_hand_over(dunning):
    dunning.clock.set(date(2026, 1, 20))
    claim = await dunning.register(due=date(2026, 1, 20), claim_type="eiendomsgebyr")

    await dunning.run_days(date(2026, 1, 20), date(2026, 3, 10))

    notices = await dunning.events("notices.requested.v2")
    assert [(n["payload"]["step_kind"], n["payload"]["sent_date"], n["payload"]["deadline_date"],
             n["payload"]["new_fee_ore"]) for n in notices] == [
        ("purring", "2026-02-03", "2026-02-17", 3750),
        ("varsel_tvangsfullbyrdelse", "2026-02-18", "2026-03-04", 0),
    ]  # fmt: skip
    assert notices[1]["payload"]["legal_basis"] == "tvangsfullbyrdelsesloven § 4-18"
    assert "panteloven_6_1" in notices[1]["payload"]["legal_text_keys"]
    [handover] = await dunning.work_items(kind="handover")
    assert handover["case_id"] == str(await dunning.case_of(claim))
    assert "særnamsmannen" in handover["summary"]
    assert handover["details"]["enforcement"] == "saernamsmann"
    assert handover["details"]["claims"][0]["principal_ore"] == 325000
    assert [s["kind"] for s in handover["details"]["steps"]] == [
        "purring",
        "varsel_tvangsfullbyrdelse",
    ]


async def test_running_the_same_date_twice_takes_each_step_once(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claims = [await dunning.register(due=date(2026, 3, 20)) for _ in range(5)]

    first = await dunning.run(date(2026, 3, 23))
    second = await dunning.run(date(2026, 3, 23))

    assert (first.taken, second.taken, second.selected) == (5, 0, 0)
    assert len(await dunning.events("notices.requested.v2")) == 5
    for claim in claims:
        assert await dunning.steps(claim) == [("purring", date(2026, 3, 23))]


async def test_overlapping_shards_running_at_once_take_each_step_once(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claims = [await dunning.register(due=date(2026, 3, 20)) for _ in range(120)]

    reports = await asyncio.gather(
        dunning.run(date(2026, 3, 23), (0, 1)),
        dunning.run(date(2026, 3, 23), (0, 2)),
        dunning.run(date(2026, 3, 23), (1, 2)),
        dunning.run(date(2026, 3, 23), (1, 2)),
    )

    assert sum(r.taken for r in reports) == 120
    notices = await dunning.events("notices.requested.v2")
    assert sorted(n["payload"]["case_id"] for n in notices) == sorted(
        {str(await dunning.case_of(c)) for c in claims}
    )
    assert await dunning.scalar("SELECT count(*) FROM step") == 120
    assert (
        await dunning.scalar("SELECT count(*) FROM outbox WHERE event_type = 'cases.step_taken.v1'")
        == 120
    )


async def test_shards_split_the_cases_without_overlap(dunning):
    dunning.clock.set(date(2026, 3, 20))
    for _ in range(40):
        await dunning.register(due=date(2026, 3, 20))

    reports = [await dunning.run(date(2026, 3, 23), (i, 3)) for i in range(3)]

    assert sum(r.taken for r in reports) == 40
    assert all(r.taken > 0 for r in reports)
