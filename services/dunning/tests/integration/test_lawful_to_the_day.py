"""No letter before a claim is due: consolidation claim by claim, concurrent registration, and
policies (new or stored) that would place a step on or before the due date."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import sqlalchemy as sa

from dunning import db
from dunning_factories import policy_document, with_step

DRAMMEN = "3301"  # drammen-barnehage consolidates a debtor's kindergarten claims


async def notices_naming(dunning, claim) -> list[dict]:
    return [
        n["payload"]
        for n in await dunning.events("notices.requested.v2")
        if str(claim.claim_id) in {c["claim_id"] for c in n["payload"]["claims"]}
    ]


async def test_a_claim_falling_due_30_days_later_is_named_in_no_letter_before_its_own_step(
    dunning,
):
    due_a, due_b = date(2026, 3, 2), date(2026, 4, 1)
    dunning.clock.set(date(2026, 2, 20))
    a = await dunning.register(due=due_a, municipality=DRAMMEN)
    b = await dunning.register(due=due_b, municipality=DRAMMEN, debtor_ref=a.debtor_ref)

    await dunning.run_days(due_a, date(2026, 6, 5))

    assert await dunning.case_of(a) == await dunning.case_of(b)
    letters_b = await notices_naming(dunning, b)
    # B's purring: 3 days after its own due date (Saturday 4 April, then Easter Monday) → 7 April.
    assert (letters_b[0]["step_kind"], letters_b[0]["sent_date"]) == ("purring", "2026-04-07")
    assert all(date.fromisoformat(n["sent_date"]) > due_b for n in letters_b)
    # A's purring, inkassovarsel and the first fee letters name A alone, with A's amount only.
    first, varsel, *_ = await notices_naming(dunning, a)
    assert (first["sent_date"], varsel["sent_date"]) == ("2026-03-05", "2026-03-20")
    assert [c["claim_id"] for c in varsel["claims"]] == [str(a.claim_id)]
    assert varsel["principal_ore"] == a.principal_ore
    # Each claim's § 10 letter comes after its own § 9 deadline, at least 14 days after it.
    for claim in (a, b):
        kinds = {
            n["step_kind"]: date.fromisoformat(n["sent_date"])
            for n in [*await notices_naming(dunning, claim)]
        }
        assert kinds["betalingsoppfordring"] > kinds["inkassovarsel"] + timedelta(days=14)
    # The hand-over waits until both claims have reached it, and takes both.
    [handover] = await dunning.work_items(kind="handover")
    assert {c["claim_id"] for c in handover["details"]["claims"]} == {
        str(a.claim_id),
        str(b.claim_id),
    }


async def test_the_explain_trail_says_why_the_later_claim_is_left_out_of_a_letter(dunning):
    dunning.clock.set(date(2026, 2, 20))
    a = await dunning.register(due=date(2026, 3, 2), municipality=DRAMMEN)
    await dunning.register(due=date(2026, 4, 1), municipality=DRAMMEN, debtor_ref=a.debtor_ref)
    await dunning.run(date(2026, 3, 5))
    case_id = await dunning.case_of(a)

    answer = await dunning.client.get(f"/v1/cases/{case_id}/explain", headers=dunning.staff())

    [purring] = [s for s in answer.json()["sentences"] if ": purring (" in s]
    assert "Kravet med forfall 02.03.2026" in purring
    assert "forfall 02.03.2026 (" in purring and "er med: regnet fra forfallsdatoen" in purring
    assert (
        "Kravet med forfall 01.04.2026" in purring
        and "er ikke med: regnet fra forfallsdatoen for dette kravet (01.04.2026) kan trinnet "
        "tidligst tas 07.04.2026."
        in purring
    )
    [step] = answer.json()["steps"]
    reasons = {r["due_date"]: r["reason"] for r in step["facts"]["claim_reasons"]}
    assert reasons == {"2026-03-02": "reached", "2026-04-01": "not_yet_reached"}


async def test_claims_of_one_debtor_registered_concurrently_always_end_in_one_case(dunning):
    dunning.clock.set(date(2026, 3, 10))
    outcomes = []
    for n in range(50):
        debtor = f"ref_concurrent_{n}"
        first, second = await asyncio.gather(
            dunning.register(due=date(2026, 3, 20), municipality=DRAMMEN, debtor_ref=debtor),
            dunning.register(due=date(2026, 4, 20), municipality=DRAMMEN, debtor_ref=debtor),
        )
        outcomes.append(await dunning.case_of(first) == await dunning.case_of(second))

    assert outcomes == [True] * 50
    assert await dunning.scalar("SELECT count(*) FROM dunning_case") == 50


async def test_a_stored_policy_placing_the_inkassovarsel_on_the_due_date_blocks_the_step(dunning):
    # A version stored before the rule: loaded as it is, never validated again.
    document = with_step(
        policy_document(version=2), "purring", when={"days": 0, "after": "due_date"}
    )
    document["steps"][0]["kind"] = "inkassovarsel"
    document["steps"][0]["key"] = "varsel-forst"
    document["steps"] = [document["steps"][0], *document["steps"][2:]]
    async with dunning.container.runtime.engine.begin() as conn:
        await conn.execute(
            sa.insert(db.policy_version).values(
                policy_id="default-private",
                version=2,
                document=document,
                loaded_by="legacy",
                loaded_at=dunning.clock(),
            )
        )
    due = date(2026, 3, 20)
    dunning.clock.set(date(2026, 3, 10))
    claim = await dunning.register(due=due)

    report = await dunning.run(due)
    await dunning.run_days(due + timedelta(days=1), due + timedelta(days=20))

    assert report.blocked == {"policy.step_not_after_due_date": 1}
    [item] = await dunning.work_items(kind="blocked_step")
    assert item["code"] == "policy.step_not_after_due_date"
    assert "inkassoloven § 9 (1)" in item["summary"]
    assert await dunning.events("notices.requested.v2") == []
    assert await dunning.case_status(claim) == "blocked"


async def put(dunning, document):
    return await dunning.client.put(
        "/v1/policies/default-private", json=document, headers=dunning.admin()
    )


async def test_loading_a_policy_with_a_first_inkassovarsel_0_days_after_the_due_date_is_refused(
    dunning,
):
    document = with_step(
        policy_document(version=2), "purring", when={"days": 0, "after": "due_date"}
    )
    document["steps"][0] |= {"kind": "inkassovarsel", "key": "varsel-forst", "fee": "none"}
    document["steps"] = [document["steps"][0], *document["steps"][2:]]

    answer = await put(dunning, document)

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "policy.step_not_after_due_date"
    assert "inkassoloven § 9 (1)" in problem["detail"]
    assert problem["errors"][0]["step"] == "varsel-forst"


async def test_loading_a_policy_with_a_purring_on_the_due_date_is_refused(dunning):
    document = with_step(
        policy_document(version=2), "purring", when={"days": 0, "after": "due_date"}
    )

    answer = await put(dunning, document)

    assert answer.status_code == 422
    problem = answer.json()
    assert problem["code"] == "policy.step_not_after_due_date"
    assert "gjeldsbrevloven § 5" in problem["detail"]
    assert "inkassoforskriften § 1-2" in problem["detail"]


async def test_loading_a_policy_with_a_betalingsoppfordring_13_days_after_the_varsel_is_refused(
    dunning,
):
    document = with_step(
        policy_document(version=2),
        "betalingsoppfordring",
        when={"days": 13, "after": "previous_step"},
    )

    answer = await put(dunning, document)

    assert answer.status_code == 422
    problem = answer.json()
    assert problem["code"] == "policy.betalingsoppfordring_too_early"
    assert "inkassoloven § 10" in problem["detail"]
