"""Overpayments become refunds; settlements per municipality; reconciliation holds."""

from __future__ import annotations

from datetime import date

from payments_checks import discrepancies, kid_of, outbox
from payments_factories import ocr_file, registered

DUE = date(2025, 3, 3)
OCR = {"Content-Type": "text/plain"}


async def import_file(payments, body: bytes) -> dict:
    response = await payments.client.post(
        "/v1/payment-files", content=body, headers={**payments.token(), **OCR}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_an_overpayment_becomes_a_credit_refunded_to_the_payer_and_the_ledger_reconciles(
    payments,
):
    claim = registered(principal_ore=500_000, due_date=DUE)
    await payments.apply(claim)
    kid = await kid_of(payments, claim.payload.claim_id)

    result = await import_file(payments, ocr_file((kid, 600_000, DUE, "12345678903")))

    assert (result["allocated_ore"], result["overpaid_ore"]) == (500_000, 100_000)
    [instruction] = await payments.rows(
        "SELECT amount_ore, to_account, reason, status FROM refund_instruction WHERE claim_id = :c",
        c=claim.payload.claim_id,
    )
    assert tuple(instruction) == (100_000, "12345678903", "overpayment", "pending")
    kinds = await payments.rows(
        "SELECT p.kind, p.debit_account, p.credit_account, p.amount_ore FROM posting p"
        " JOIN payment x ON x.id = p.payment_id WHERE x.kid = :k AND p.claim_id IS NULL"
        " ORDER BY p.id",
        k=kid,
    )
    assert [tuple(k) for k in kinds] == [
        ("overpayment_credit", "office:collection", "debtor:credit", 100_000),
        ("refund", "debtor:credit", "office:collection", 100_000),
    ]
    balance = (await outbox(payments, "accounts.balance_changed.v1", str(claim.payload.claim_id)))[
        -1
    ]
    assert balance["settled"] is True
    assert await discrepancies(payments) == []


async def test_a_settlement_holds_what_was_collected_for_the_municipality_and_nothing_else(
    payments,
):
    june = date(2025, 6, 2)
    ours = [registered(principal_ore=100_000, due_date=june, municipality="3303") for _ in "ab"]
    other = registered(principal_ore=100_000, due_date=june, municipality="3301")
    for claim in (*ours, other):
        await payments.apply(claim)
    kids = [await kid_of(payments, c.payload.claim_id) for c in (*ours, other)]
    await import_file(payments, ocr_file(*[(k, 40_000, june) for k in kids]))
    wanted = {"municipality": "3303", "period": "2025-06"}

    response = await payments.client.post("/v1/settlements", json=wanted, headers=payments.token())

    assert response.status_code == 200, response.text
    document = response.json()
    assert {line["claim_id"] for line in document["lines"]} == {
        str(c.payload.claim_id) for c in ours
    }
    assert (document["principal_ore"], document["remitted_ore"]) == (80_000, 80_000)
    [event] = [
        e
        for e in await outbox(payments, "settlements.created.v1")
        if e["settlement_id"] == document["settlement_id"]
    ]
    assert (event["municipality"], event["principal_ore"], event["claims_count"]) == (
        "3303",
        80_000,
        2,
    )
    csv = await payments.client.get(
        f"/v1/settlements/{document['settlement_id']}/lines.csv", headers=payments.token()
    )
    header, *lines = csv.text.splitlines()
    assert header == "claim_id;invoice_number;principal_ore;interest_ore;remitted_ore;fees_kept_ore"
    assert len(lines) == 2


async def test_a_settled_period_never_changes_and_late_money_goes_into_the_next(payments):
    claim = registered(principal_ore=100_000, due_date=date(2025, 4, 1), municipality="3312")
    await payments.apply(claim)
    kid = await kid_of(payments, claim.payload.claim_id)
    await import_file(payments, ocr_file((kid, 30_000, date(2025, 4, 1))))
    settle = {"municipality": "3312", "period": "2025-04"}
    april = (
        await payments.client.post("/v1/settlements", json=settle, headers=payments.token())
    ).json()

    await import_file(payments, ocr_file((kid, 20_000, date(2025, 4, 30))))  # a late April file
    april_again = await payments.client.post(
        "/v1/settlements", json=settle, headers=payments.token()
    )
    may = await payments.client.post(
        "/v1/settlements",
        json={"municipality": "3312", "period": "2025-05"},
        headers=payments.token(),
    )

    assert april_again.json() == april
    assert april["remitted_ore"] == 30_000
    # Interest on what was still open was booked at each settlement (April, then May).
    causes = [
        b["cause"]
        for b in await outbox(payments, "accounts.balance_changed.v1", str(claim.payload.claim_id))
    ]
    assert causes == ["opened", "payment", "interest", "payment", "interest"]
    assert may.json()["remitted_ore"] == 20_000  # principal and the interest it stopped


async def test_a_caseworker_settles_only_municipalities_served(payments):
    response = await payments.client.post(
        "/v1/settlements",
        json={"municipality": "3303", "period": "2025-03"},
        headers=payments.token(municipalities=("3301",)),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "auth.municipality_not_served"
