"""The payment date is the day the payer's bank debited the payer, not Nets' settlement date."""

from __future__ import annotations

from datetime import date

from payment_file_builders import Assignment, Tx, encode, ocr_lines

from payments.domain.accrual import InterestAccrual
from payments_checks import discrepancies, kid_of, outbox
from payments_factories import fee_charged, registered

DUE = date(2025, 3, 3)
DEADLINE = date(2025, 3, 31)  # the purring's deadline
DEBITED = date(2025, 3, 28)  # the payer's bank took the money (Friday)
FEE_DAY = date(2025, 4, 1)  # the next letter went out the day after the deadline, with a fee
SETTLED = date(2025, 4, 2)  # Nets credited the collection account
OCR = {"Content-Type": "text/plain"}
_numbers = iter(range(3_000_001, 3_999_999))


def ocr(*txs: Tx) -> bytes:
    assignment = Assignment("001234567", f"{next(_numbers):07d}", "86011117947", txs)
    return encode(ocr_lines(f"{next(_numbers):07d}", "00012345", [assignment], SETTLED))


async def import_file(payments, body: bytes) -> dict:
    response = await payments.client.post(
        "/v1/payment-files", content=body, headers={**payments.token(), **OCR}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_interest_stops_on_the_payers_bank_date_not_on_the_settlement_date(payments):
    claim = registered(principal_ore=500_000, due_date=DUE)
    await payments.apply(claim)
    claim_id = claim.payload.claim_id
    interest = InterestAccrual().since_last_booking(500_000, DUE, None, DEBITED)
    owed_then = 500_000 + interest
    kid = await kid_of(payments, claim_id)

    await import_file(payments, ocr(Tx("10", owed_then, SETTLED, kid=kid, paid=DEBITED)))

    [booked] = await payments.rows(
        "SELECT amount_ore FROM posting WHERE claim_id = :c AND kind = 'interest'", c=claim_id
    )
    assert booked.amount_ore == interest  # through 28 March: not the four days to 2 April
    balance = (await outbox(payments, "accounts.balance_changed.v1", str(claim_id)))[-1]
    assert (balance["settled"], balance["as_of"], balance["interest_through"]) == (
        True,
        DEBITED.isoformat(),
        DEBITED.isoformat(),
    )
    [row] = await payments.rows(
        "SELECT booking_date, paid_on, form_number, centre_id, day_code, partial_settlement,"
        " serial_number FROM payment WHERE kid = :k",
        k=kid,
    )
    assert (row.booking_date, row.paid_on) == (SETTLED, DEBITED)
    assert (row.centre_id, row.day_code, row.partial_settlement, row.serial_number) == (
        "01",
        "02",
        "1",
        "00001",
    )
    assert await discrepancies(payments) == []


async def test_a_fee_charged_after_the_payer_paid_is_left_open_for_dunning_to_take_back(payments):
    claim = registered(principal_ore=500_000, due_date=DUE)
    await payments.apply(claim)
    claim_id = claim.payload.claim_id
    await payments.apply(fee_charged(claim_id, 3_500, date(2025, 3, 17)))  # a purring: in force
    await payments.apply(fee_charged(claim_id, 3_500, FEE_DAY))  # sent after the payer paid
    interest = InterestAccrual().since_last_booking(500_000, DUE, None, DEBITED)
    kid = await kid_of(payments, claim_id)

    await import_file(
        payments, ocr(Tx("10", 500_000 + interest + 3_500, SETTLED, kid=kid, paid=DEBITED))
    )

    balance = (await outbox(payments, "accounts.balance_changed.v1", str(claim_id)))[-1]
    assert (balance["principal_ore"], balance["interest_ore"], balance["fees_ore"]) == (0, 0, 3_500)
    assert (balance["total_ore"], balance["as_of"]) == (3_500, DEBITED.isoformat())
    assert await discrepancies(payments) == []


async def test_the_unmatched_queue_shows_what_the_bank_said_and_why_each_claim_is_suggested(
    payments,
):
    claim = registered(principal_ore=12_345, due_date=DUE)
    await payments.apply(claim)
    text = "Barnehage mars Ola"

    result = await import_file(
        payments,
        ocr(Tx("21", 12_345, SETTLED, archive="777000111", debit="12345678903", text=text,
               paid=DEBITED)),
    )  # fmt: skip

    [row] = await payments.rows(
        "SELECT u.payment_id FROM unmatched_payment u JOIN payment p ON p.id = u.payment_id"
        " WHERE p.file_id = :f",
        f=result["file_id"],
    )
    listing = (await payments.client.get("/v1/unmatched", headers=payments.token())).json()
    [entry] = [e for e in listing["items"] if e["payment_id"] == str(row.payment_id)]
    assert (entry["payer_account"], entry["free_text"], entry["archive_reference"]) == (
        "12345678903",
        text,
        "777000111",
    )
    assert (entry["booking_date"], entry["paid_on"]) == (SETTLED.isoformat(), DEBITED.isoformat())
    [suggested] = [c for c in entry["candidates"] if c["claim_id"] == str(claim.payload.claim_id)]
    assert suggested["reasons"] == ["same_open_amount"]
    assert suggested["why"] == ["The claim's open amount equals the payment"]


async def test_a_caseworker_reads_a_payment_with_both_dates_and_what_the_bank_sent(payments):
    claim = registered(principal_ore=20_000, due_date=DUE)
    await payments.apply(claim)
    kid = await kid_of(payments, claim.payload.claim_id)
    await import_file(
        payments,
        ocr(Tx("10", 20_000, SETTLED, kid=kid, archive="555000111", debit="12345678903",
               paid=DEBITED, form="9988776655")),
    )  # fmt: skip
    payment_id = await payments.scalar("SELECT id FROM payment WHERE kid = :k", k=kid)

    answer = await payments.client.get(f"/v1/payments/{payment_id}", headers=payments.token())
    elsewhere = await payments.client.get(
        f"/v1/payments/{payment_id}", headers=payments.token(("3303",))
    )

    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert (shown["paid_on"], shown["booking_date"]) == (DEBITED.isoformat(), SETTLED.isoformat())
    assert (shown["form_number"], shown["archive_reference"], shown["day_code"]) == (
        "9988776655",
        "555000111",
        "02",
    )
    assert shown["claim_ids"] == [str(claim.payload.claim_id)]
    assert elsewhere.status_code == 404
    assert elsewhere.json()["code"] == "payment.not_found"
