"""Payment files over HTTP: booked once, matched by KID, allocated in the lawful order."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from payments.bootstrap import office_from
from payments.domain.accrual import InterestAccrual
from payments_checks import discrepancies, kid_of, outbox
from payments_factories import fee_charged, ocr_file, payments_settings, registered
from rules.rates import DEFAULT_RATES, DatedValue, RateTable

GOLDEN = Path(__file__).parents[1] / "unit" / "files" / "golden"
DUE = date(2025, 3, 3)  # a Monday
PAID = date(2025, 3, 13)  # ten days of interest: 4–13 March
OCR = {"Content-Type": "text/plain"}


@pytest.fixture(scope="module")
def office_override(payments_db, staff_issuer):
    """An interest rate that makes ten days on 5 000 kr exactly 12.34 kr (see the first test)."""
    # 500 000 øre × 9.0082 % × 10 / 365 = 1 234 øre exactly.
    table = RateTable("forsinkelsesrente", (DatedValue(date(2023, 1, 1), Decimal("9.0082")),))
    rates = replace(DEFAULT_RATES, forsinkelsesrente=table)
    office = office_from(payments_settings(payments_db, "nats://unused:4222", staff_issuer))
    return {"office": replace(office, accrual=InterestAccrual(rates))}


async def post_file(payments, body: bytes, **headers: str):
    return await payments.client.post(
        "/v1/payment-files", content=body, headers={**payments.token(), **OCR, **headers}
    )


async def test_1000_kr_on_a_35_kr_fee_12_34_kr_interest_and_5000_kr_principal_pays_35_12_34_952_66(
    payments,
):
    claim = registered(principal_ore=500_000, due_date=DUE)
    await payments.apply(claim)
    claim_id = claim.payload.claim_id
    await payments.apply(fee_charged(claim_id, 3_500, date(2025, 3, 10)))
    kid = await kid_of(payments, claim_id)

    response = await post_file(payments, ocr_file((kid, 100_000, PAID)))

    assert response.status_code == 201, response.text
    [allocated] = await outbox(payments, "payments.allocated.v1", str(claim_id))
    assert (allocated["fees_ore"], allocated["interest_ore"], allocated["principal_ore"]) == (
        3_500,
        1_234,
        95_266,
    )
    balance = (await outbox(payments, "accounts.balance_changed.v1", str(claim_id)))[-1]
    assert (balance["principal_ore"], balance["interest_ore"], balance["fees_ore"]) == (
        404_734,
        0,
        0,
    )
    assert (balance["paid_ore"], balance["settled"], balance["cause"]) == (
        100_000,
        False,
        "payment",
    )
    # Interest is booked through the payment date: Min side adds only the days after it.
    assert balance["interest_through"] == PAID.isoformat()
    sums = await payments.rows(
        "SELECT component, sum(amount_ore) AS s FROM posting"
        " WHERE claim_id = :c AND kind = 'payment' GROUP BY component ORDER BY component",
        c=claim_id,
    )
    assert [(r.component, r.s) for r in sums] == [
        ("fees", 3_500),
        ("interest", 1_234),
        ("principal", 95_266),
    ]
    assert await discrepancies(payments) == []


async def test_a_payment_of_the_whole_balance_settles_the_claim(payments):
    claim = registered(principal_ore=125_000, due_date=DUE)
    await payments.apply(claim)
    kid = await kid_of(payments, claim.payload.claim_id)

    await post_file(payments, ocr_file((kid, 125_000, DUE)))

    balance = (await outbox(payments, "accounts.balance_changed.v1", str(claim.payload.claim_id)))[
        -1
    ]
    assert balance["settled"] is True
    assert balance["total_ore"] == 0


async def test_the_same_ocr_file_imported_twice_books_each_payment_once(payments):
    claim = registered(principal_ore=50_000, due_date=DUE)
    await payments.apply(claim)
    body = ocr_file((await kid_of(payments, claim.payload.claim_id), 20_000, DUE))

    first = await post_file(payments, body)
    again = await post_file(payments, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "duplicate": True}
    assert (
        await payments.scalar(
            "SELECT count(*) FROM posting WHERE claim_id = :c AND kind = 'payment'",
            c=claim.payload.claim_id,
        )
        == 1
    )
    assert len(await outbox(payments, "payments.allocated.v1", str(claim.payload.claim_id))) == 1


async def test_the_same_ocr_file_posted_by_two_requests_at_once_books_each_payment_once(payments):
    claims = [registered(principal_ore=80_000, due_date=DUE) for _ in range(3)]
    for claim in claims:
        await payments.apply(claim)
    kids = [await kid_of(payments, c.payload.claim_id) for c in claims]
    body = ocr_file(*[(kid, 30_000, DUE) for kid in kids])

    answers = await asyncio.gather(post_file(payments, body), post_file(payments, body))

    assert sorted(a.status_code for a in answers) == [200, 201]
    assert answers[0].json()["file_id"] == answers[1].json()["file_id"]
    ids = [c.payload.claim_id for c in claims]
    assert (
        await payments.scalar(
            "SELECT count(*) FROM posting WHERE claim_id = ANY(:ids) AND kind = 'payment'", ids=ids
        )
        == 3
    )
    assert await discrepancies(payments) == []


async def test_a_file_resent_under_a_new_transmission_number_books_nothing_twice(payments):
    claim = registered(principal_ore=50_000, due_date=DUE)
    await payments.apply(claim)
    kid = await kid_of(payments, claim.payload.claim_id)
    first = ocr_file((kid, 10_000, DUE), number="7000001")
    again = first.replace(b"7000001", b"7000002")  # same assignment and transactions

    await post_file(payments, first)
    answer = await post_file(payments, again)

    assert answer.status_code == 201
    assert (answer.json()["already_booked"], answer.json()["booked"]) == (1, 0)
    assert (
        await payments.scalar(
            "SELECT count(*) FROM posting WHERE claim_id = :c AND kind = 'payment'",
            c=claim.payload.claim_id,
        )
        == 1
    )


@pytest.mark.parametrize(
    ("golden", "code"),
    [
        ("ocr_wrong_totals.txt", "ocr.totals_mismatch"),
        ("ocr_wrong_count.txt", "ocr.totals_mismatch"),
        ("ocr_short_record.txt", "ocr.record_length"),
        ("ocr_unknown_record.txt", "ocr.unknown_record"),
        ("ocr_truncated.txt", "ocr.truncated"),
    ],
)
async def test_a_rejected_file_answers_a_problem_with_the_reason_and_books_nothing(
    payments, golden, code
):
    files_before = await payments.scalar("SELECT count(*) FROM payment_file")
    payments_before = await payments.scalar("SELECT count(*) FROM payment")

    response = await post_file(payments, (GOLDEN / golden).read_bytes())

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert await payments.scalar("SELECT count(*) FROM payment_file") == files_before
    assert await payments.scalar("SELECT count(*) FROM payment") == payments_before


async def test_a_golden_ocr_file_with_unknown_kids_parks_every_payment_in_the_queue(payments):
    response = await post_file(payments, (GOLDEN / "ocr_basic.txt").read_bytes())

    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["payments"], result["unmatched"]) == (4, 4)
    reasons = await payments.rows(
        "SELECT u.reason FROM unmatched_payment u JOIN payment p ON p.id = u.payment_id"
        " WHERE p.file_id = :f ORDER BY p.file_seq",
        f=result["file_id"],
    )
    assert [r.reason for r in reasons] == [
        "kid_unknown",
        "kid_unknown",
        "kid_invalid",
        "kid_missing",
    ]
    assert await discrepancies(payments) == []


async def test_a_camt054_file_is_imported_like_an_ocr_file(payments):
    body = (GOLDEN / "camt054_basic.xml").read_bytes()

    response = await payments.client.post(
        "/v1/payment-files",
        content=body,
        headers={**payments.token(), "Content-Type": "application/xml"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["format"] == "camt054"
    assert response.json()["payments"] >= 1


async def test_a_file_needs_a_caseworker_with_the_payments_role(payments):
    body = ocr_file(("0000000000", 100, DUE))

    no_token = await payments.client.post("/v1/payment-files", content=body, headers=OCR)
    wrong_role = await payments.client.post(
        "/v1/payment-files", content=body, headers={**payments.token(roles=("reader",)), **OCR}
    )
    wrong_type = await payments.client.post(
        "/v1/payment-files",
        content=body,
        headers={**payments.token(), "Content-Type": "application/json"},
    )

    assert no_token.status_code == 401
    assert wrong_role.status_code == 403
    assert wrong_type.status_code == 415
    assert wrong_type.json()["code"] == "request.unsupported_media_type"
