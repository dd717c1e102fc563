"""The unmatched queue: candidates ranked, manual allocation once, return to the payer."""

from __future__ import annotations

import asyncio
from datetime import date

from payments_checks import discrepancies, kid_of, outbox
from payments_factories import ocr_file, registered

DUE = date(2025, 3, 3)
OCR = {"Content-Type": "text/plain"}


def one_typo(kid: str) -> str:
    """The KID with its first digit changed (the check digit then fails)."""
    return str((int(kid[0]) + 1) % 10) + kid[1:]


async def import_file(payments, body: bytes) -> dict:
    response = await payments.client.post(
        "/v1/payment-files", content=body, headers={**payments.token(), **OCR}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def queued(payments, file_id: str) -> dict:
    [row] = await payments.rows(
        "SELECT u.payment_id FROM unmatched_payment u JOIN payment p ON p.id = u.payment_id"
        " WHERE p.file_id = :f",
        f=file_id,
    )
    listing = (await payments.client.get("/v1/unmatched", headers=payments.token())).json()
    [entry] = [e for e in listing["items"] if e["payment_id"] == str(row.payment_id)]
    return entry


async def test_a_payment_with_a_kid_one_typo_away_goes_unmatched_with_that_claim_first(payments):
    intended = registered(principal_ore=70_000, due_date=DUE)
    same_amount = registered(principal_ore=45_000, due_date=DUE)
    for claim in (intended, same_amount):
        await payments.apply(claim)
    typo = one_typo(await kid_of(payments, intended.payload.claim_id))

    result = await import_file(payments, ocr_file((typo, 45_000, DUE)))

    entry = await queued(payments, result["file_id"])
    assert entry["reason"] in ("kid_invalid", "kid_unknown")  # MOD10 fails; MOD11 may pass
    assert entry["candidates"][0]["claim_id"] == str(intended.payload.claim_id)
    assert entry["candidates"][0]["reasons"] == ["kid_one_typo"]
    assert str(same_amount.payload.claim_id) in [c["claim_id"] for c in entry["candidates"]]
    [event] = await outbox(payments, "payments.unmatched.v1", entry["payment_id"])
    assert event["candidates"][0]["claim_id"] == str(intended.payload.claim_id)
    assert await discrepancies(payments) == []


async def test_a_payer_account_seen_before_suggests_the_debtors_open_claims(payments):
    paid = registered(principal_ore=10_000, due_date=DUE, debtor_ref="ref1_seen_payer")
    still_open = registered(principal_ore=99_000, due_date=DUE, debtor_ref="ref1_seen_payer")
    for claim in (paid, still_open):
        await payments.apply(claim)
    kid = await kid_of(payments, paid.payload.claim_id)
    await import_file(payments, ocr_file((kid, 10_000, DUE, "12345678903")))

    result = await import_file(payments, ocr_file(("", 99_000, DUE, "12345678903")))

    entry = await queued(payments, result["file_id"])
    assert entry["reason"] == "kid_missing"
    assert entry["candidates"][0]["claim_id"] == str(still_open.payload.claim_id)
    assert set(entry["candidates"][0]["reasons"]) == {"payer_account_seen", "same_open_amount"}


async def test_a_manual_allocation_sent_twice_and_at_once_books_the_payment_once(payments):
    claim = registered(principal_ore=60_000, due_date=DUE)
    await payments.apply(claim)
    result = await import_file(payments, ocr_file(("", 25_000, DUE)))
    entry = await queued(payments, result["file_id"])
    url = f"/v1/unmatched/{entry['payment_id']}/allocate"
    body = {"claim_id": str(claim.payload.claim_id)}
    keyed = {**payments.token(), "Idempotency-Key": "allocate-once-1"}

    answers = await asyncio.gather(
        payments.client.post(url, json=body, headers=keyed),
        payments.client.post(url, json=body, headers=keyed),
        payments.client.post(url, json=body, headers=payments.token()),
    )
    again = await payments.client.post(url, json=body, headers=payments.token())

    assert [a.status_code for a in answers] + [again.status_code] == [200] * 4
    assert all(a.json() == again.json() for a in answers)
    assert again.json()["allocations"] == [
        {
            "claim_id": str(claim.payload.claim_id),
            "fees_ore": 0,
            "interest_ore": 0,
            "principal_ore": 25_000,
        }
    ]
    assert (
        await payments.scalar(
            "SELECT count(*) FROM posting WHERE claim_id = :c AND kind = 'payment'",
            c=claim.payload.claim_id,
        )
        == 1
    )
    assert len(await outbox(payments, "payments.allocated.v1", str(claim.payload.claim_id))) == 1
    assert await discrepancies(payments) == []


async def test_an_unmatched_payment_returned_to_the_payer_gets_a_refund_instruction(payments):
    result = await import_file(payments, ocr_file(("", 12_300, DUE, "12345678903")))
    entry = await queued(payments, result["file_id"])

    returned = await payments.client.post(
        f"/v1/unmatched/{entry['payment_id']}/return", headers=payments.token()
    )
    allocate = await payments.client.post(
        f"/v1/unmatched/{entry['payment_id']}/allocate",
        json={"claim_id": "00000000-0000-0000-0000-000000000001"},
        headers=payments.token(),
    )

    assert returned.status_code == 200, returned.text
    instruction = returned.json()["refund_instruction"]
    assert (instruction["amount_ore"], instruction["to_account"]) == (12_300, "12345678903")
    assert allocate.status_code == 409
    assert allocate.json()["code"] == "unmatched.already_resolved"
    assert await discrepancies(payments) == []


async def test_a_caseworker_only_allocates_to_claims_of_municipalities_served(payments):
    kongsberg = registered(principal_ore=60_000, due_date=DUE, municipality="3303")
    await payments.apply(kongsberg)
    result = await import_file(payments, ocr_file(("", 1_000, DUE)))
    entry = await queued(payments, result["file_id"])

    answer = await payments.client.post(
        f"/v1/unmatched/{entry['payment_id']}/allocate",
        json={"claim_id": str(kongsberg.payload.claim_id)},
        headers=payments.token(municipalities=("3301",)),
    )

    assert answer.status_code == 404
    assert answer.json()["code"] == "account.not_found"
