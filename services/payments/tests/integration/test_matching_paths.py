"""Matching beyond the own KID: original KIDs, consolidated claims, closed claims, reversals,
and the single-payment seam every other channel (Vipps, card) books through."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from payments.files import IncomingPayment
from payments.handlers.imports import book_incoming_payment
from payments_checks import discrepancies, kid_of, outbox
from payments_factories import adjusted, ocr_file, registered

DUE = date(2025, 3, 3)
GOLDEN = Path(__file__).parents[1] / "unit" / "files" / "golden"
OCR = {"Content-Type": "text/plain"}


async def import_file(payments, body: bytes) -> dict:
    response = await payments.client.post(
        "/v1/payment-files", content=body, headers={**payments.token(), **OCR}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_payment_with_the_municipalitys_original_kid_pays_the_oldest_claim_first(payments):
    older = registered(principal_ore=10_000, due_date=date(2025, 2, 3), original_kid="33010000124")
    newer = registered(principal_ore=10_000, due_date=DUE, original_kid="33010000124")
    for claim in (newer, older):
        await payments.apply(claim)

    await import_file(payments, ocr_file(("33010000124", 15_000, date(2025, 2, 3))))

    [first] = await outbox(payments, "payments.allocated.v1", str(older.payload.claim_id))
    [second] = await outbox(payments, "payments.allocated.v1", str(newer.payload.claim_id))
    assert first["principal_ore"] == 10_000
    assert second["principal_ore"] == 5_000


async def test_a_payment_to_a_cancelled_claim_waits_for_that_municipalitys_caseworkers(payments):
    claim = registered(principal_ore=10_000, due_date=DUE, municipality="3303")
    await payments.apply(claim)
    await payments.apply(adjusted(claim.payload.claim_id, "cancellation", 10_000, 10_000, "3303"))
    kid = await kid_of(payments, claim.payload.claim_id)

    result = await import_file(payments, ocr_file((kid, 10_000, DUE)))

    [row] = await payments.rows(
        "SELECT u.reason, u.municipality FROM unmatched_payment u"
        " JOIN payment p ON p.id = u.payment_id WHERE p.file_id = :f",
        f=result["file_id"],
    )
    assert tuple(row) == ("claim_closed", "3303")
    drammen = await payments.client.get("/v1/unmatched", headers=payments.token(("3301",)))
    kongsberg = await payments.client.get("/v1/unmatched", headers=payments.token(("3303",)))
    assert all(e["municipality"] != "3303" for e in drammen.json()["items"])
    assert any(e["municipality"] == "3303" for e in kongsberg.json()["items"])


async def test_a_bank_reversal_is_queued_for_a_caseworker_and_the_ledger_still_reconciles(payments):
    result = await import_file(payments, (GOLDEN / "ocr_reversal.txt").read_bytes())

    assert result["reversed_ore"] == 30_000 + 2_500
    reasons = await payments.rows(
        "SELECT u.reason FROM unmatched_payment u JOIN payment p ON p.id = u.payment_id"
        " WHERE p.file_id = :f AND p.reversal",
        f=result["file_id"],
    )
    assert [r.reason for r in reasons] == ["reversal", "reversal"]
    assert await discrepancies(payments) == []


async def test_a_payment_from_another_channel_is_booked_once_by_its_key(payments):
    claim = registered(principal_ore=40_000, due_date=DUE)
    await payments.apply(claim)
    kid = await kid_of(payments, claim.payload.claim_id)
    payment = IncomingPayment(
        source="ocr", file_key="vipps", payment_key="vipps-order-1", amount_ore=40_000,
        reversal=False, kid=kid, kid_valid=True, booking_date=DUE, value_date=DUE,
        archive_reference=None, payer_account=None, payer_name=None, free_text=None,
        creditor_account=None, transaction_type="vipps",
    )  # fmt: skip

    for _ in range(2):
        async with payments.runtime.uow() as uow:
            outcome = await book_incoming_payment(
                uow, payment, sender="vipps", office=payments.office
            )
            await uow.commit()

    assert outcome["already_booked"] is True
    balances = await outbox(payments, "accounts.balance_changed.v1", str(claim.payload.claim_id))
    assert balances[-1]["settled"] is True
    assert len(await outbox(payments, "payments.allocated.v1", str(claim.payload.claim_id))) == 1


async def test_a_debtors_accounts_and_a_claims_postings_can_be_read(payments):
    claim = registered(principal_ore=40_000, due_date=DUE, debtor_ref="ref1_reader")
    await payments.apply(claim)

    debtor = await payments.client.get(
        "/v1/debtors/ref1_reader/balance?as_of=2025-03-03", headers=payments.token()
    )
    postings = await payments.client.get(
        f"/v1/accounts/{claim.payload.claim_id}/postings", headers=payments.token()
    )

    assert debtor.json()["total_ore"] == 40_000
    assert [p["kind"] for p in postings.json()["items"]] == ["principal"]


async def test_an_idempotency_key_reused_for_another_file_is_refused(payments):
    headers = {**payments.token(), **OCR, "Idempotency-Key": "file-key-1"}
    first = ocr_file(("", 100, DUE))
    other = ocr_file(("", 200, DUE))

    await payments.client.post("/v1/payment-files", content=first, headers=headers)
    refused = await payments.client.post("/v1/payment-files", content=other, headers=headers)

    assert refused.status_code == 422
    assert refused.json()["code"] == "request.idempotency_key_reused"
