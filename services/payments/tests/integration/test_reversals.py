"""A bank reversal undoes the payment it takes back: new postings, the claim owed again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from payment_file_builders import Assignment, Tx, encode, ocr_lines

from payments.domain.accrual import InterestAccrual
from payments_checks import discrepancies, kid_of, outbox
from payments_factories import registered

DUE = date(2025, 3, 3)
PAID, SETTLED, REVERSED = date(2025, 3, 20), date(2025, 3, 21), date(2025, 3, 26)
OCR = {"Content-Type": "text/plain"}
GOLDEN = Path(__file__).parents[1] / "unit" / "files" / "golden"
_numbers = iter(range(5_000_001, 5_999_999))


def ocr(*txs: Tx) -> bytes:
    assignment = Assignment("001234567", f"{next(_numbers):07d}", "86011117947", txs)
    last = max(tx.settled for tx in txs)
    return encode(ocr_lines(f"{next(_numbers):07d}", "00012345", [assignment], last))


async def import_file(payments, body: bytes) -> dict:
    response = await payments.client.post(
        "/v1/payment-files", content=body, headers={**payments.token(), **OCR}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def account(payments, claim_id) -> tuple[int, int, int, int]:
    [row] = await payments.rows(
        "SELECT principal_ore, interest_ore, fees_ore, paid_ore FROM account WHERE claim_id = :c",
        c=claim_id,
    )
    return tuple(row)


async def test_a_booked_payment_reversed_in_a_later_file_is_owed_again(payments):
    claim = registered(principal_ore=500_000, due_date=DUE)
    await payments.apply(claim)
    claim_id = claim.payload.claim_id
    kid = await kid_of(payments, claim_id)
    interest = InterestAccrual().since_last_booking(500_000, DUE, None, PAID)
    amount = 500_000 + interest
    await import_file(payments, ocr(Tx("10", amount, SETTLED, kid=kid, debit="12345678903",
                                       paid=PAID)))  # fmt: skip
    assert await account(payments, claim_id) == (0, 0, 0, amount)

    result = await import_file(
        payments, ocr(Tx("18", amount, REVERSED, kid=kid, debit="12345678903"))
    )

    assert (result["reversals_undone"], result["reversed_ore"], result["unmatched"]) == (
        1,
        amount,
        0,
    )
    assert await account(payments, claim_id) == (500_000, interest, 0, 0)
    balance = (await outbox(payments, "accounts.balance_changed.v1", str(claim_id)))[-1]
    assert (balance["settled"], balance["total_ore"], balance["as_of"]) == (
        False,
        amount,
        PAID.isoformat(),
    )
    [story] = await outbox(payments, "payments.reversed.v1", str(claim_id))
    assert (story["principal_ore"], story["interest_ore"], story["paid_on"]) == (
        500_000,
        interest,
        PAID.isoformat(),
    )
    [original] = await payments.rows(
        "SELECT reversed_by FROM payment WHERE kid = :k AND NOT reversal", k=kid
    )
    assert str(original.reversed_by) == story["payment_id"]
    kinds = await payments.rows(
        "SELECT kind, debit_account, amount_ore FROM posting"
        " WHERE payment_id = CAST(:p AS uuid) ORDER BY id",
        p=story["payment_id"],
    )
    assert {(k.kind, k.debit_account) for k in kinds} == {
        ("reversal", "claim:principal"),
        ("reversal", "claim:interest"),
    }
    assert await discrepancies(payments) == []


async def test_a_reversal_whose_payment_is_not_found_waits_in_the_queue(payments):
    result = await import_file(payments, ocr(Tx("18", 12_300, REVERSED, kid="33010000124")))

    assert (result["reversals_undone"], result["unmatched"]) == (0, 1)
    [row] = await payments.rows(
        "SELECT u.reason, u.amount_ore FROM unmatched_payment u JOIN payment p"
        " ON p.id = u.payment_id WHERE p.file_id = :f",
        f=result["file_id"],
    )
    assert (row.reason, row.amount_ore) == ("reversal", 12_300)
    assert await discrepancies(payments) == []


async def test_a_reversed_payment_still_in_the_queue_leaves_it(payments):
    payer = "11112222333"
    parked = await import_file(payments, ocr(Tx("21", 4_440, SETTLED, debit=payer, text="?")))

    await import_file(payments, ocr(Tx("20", 4_440, REVERSED, debit=payer, text="tilbake")))

    [row] = await payments.rows(
        "SELECT u.state FROM unmatched_payment u JOIN payment p ON p.id = u.payment_id"
        " WHERE p.file_id = :f",
        f=parked["file_id"],
    )
    assert row.state == "reversed"
    assert await discrepancies(payments) == []


async def test_an_overpayment_already_refunded_leaves_its_part_for_a_caseworker(payments):
    claim = registered(principal_ore=10_000, due_date=DUE)
    await payments.apply(claim)
    claim_id = claim.payload.claim_id
    kid = await kid_of(payments, claim_id)
    interest = InterestAccrual().since_last_booking(10_000, DUE, None, PAID)
    amount = 10_000 + interest + 2_000  # 20 kr too much: refunded to the payer's account
    await import_file(payments, ocr(Tx("10", amount, SETTLED, kid=kid, debit="98765432106",
                                       paid=PAID)))  # fmt: skip

    result = await import_file(
        payments, ocr(Tx("18", amount, REVERSED, kid=kid, debit="98765432106"))
    )

    assert (result["reversals_undone"], result["unmatched"]) == (1, 1)
    assert await account(payments, claim_id) == (10_000, interest, 0, 0)
    [row] = await payments.rows(
        "SELECT u.amount_ore FROM unmatched_payment u JOIN payment p ON p.id = u.payment_id"
        " WHERE p.file_id = :f",
        f=result["file_id"],
    )
    assert row.amount_ore == 2_000
    assert await discrepancies(payments) == []


CAMT_REVERSAL = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>REV-20261127-1</MsgId><CreDtTm>2026-11-27T05:00:00+01:00</CreDtTm></GrpHdr>
<Ntfctn><Id>NTF-REV-1</Id><Acct><Id><Othr><Id>15038812345</Id></Othr></Id></Acct>
<Ntry><Amt Ccy="NOK">210.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-27</Dt></BookgDt><AcctSvcrRef>REV-1</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-4711</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>
"""


async def test_a_camt_reversal_finds_its_payment_by_end_to_end_id(payments):
    xml = {**payments.token(), "Content-Type": "application/xml"}
    basic = (GOLDEN / "camt054_basic.xml").read_bytes()
    booked = await payments.client.post("/v1/payment-files", content=basic, headers=xml)
    assert booked.status_code == 201, booked.text

    answer = await payments.client.post(
        "/v1/payment-files", content=CAMT_REVERSAL.encode(), headers=xml
    )

    assert answer.status_code == 201, answer.text
    assert (answer.json()["reversals_undone"], answer.json()["unmatched"]) == (1, 0)
    [row] = await payments.rows(
        "SELECT u.state, p.end_to_end_id FROM unmatched_payment u"
        " JOIN payment p ON p.id = u.payment_id WHERE p.file_id = CAST(:f AS uuid)"
        " AND p.end_to_end_id IS NOT NULL",
        f=booked.json()["file_id"],
    )
    assert (row.state, row.end_to_end_id) == ("reversed", "E2E-4711")
    assert await discrepancies(payments) == []
