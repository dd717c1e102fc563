"""Intake over HTTP against a real PostgreSQL and NATS: registering, reading, idempotency."""

from __future__ import annotations

import sqlalchemy as sa

from intake_factories import claim_body


async def count_rows(intake, table: str, where: str = "true") -> int:
    async with intake.app.state.container.runtime.engine.connect() as conn:
        return (
            await conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {where}"))  # noqa: S608
        ).scalar_one()


async def test_a_valid_claim_is_registered_and_announced_through_the_outbox(intake):
    body = claim_body()

    response = await intake.client.post("/v1/claims", json=body, headers=intake.token())

    assert response.status_code == 201, response.text
    claim = response.json()
    assert response.headers["location"] == f"/v1/claims/{claim['id']}"
    assert claim["principal_ore"] == 325000
    assert claim["status"] == "open"
    assert claim["debtor"]["ref"].startswith("ref1_")
    assert body["debtor"]["id"] not in response.text
    assert (
        await count_rows(
            intake,
            "outbox",
            f"message_key = '{claim['id']}' AND event_type = 'claims.registered.v2'",
        )
        == 1
    )


async def test_a_registered_claim_can_be_read_back(intake):
    created = (
        await intake.client.post("/v1/claims", json=claim_body(), headers=intake.token())
    ).json()

    response = await intake.client.get(f"/v1/claims/{created['id']}", headers=intake.token())

    assert response.status_code == 200
    assert response.json() == created


async def test_the_list_filters_by_claim_type_and_pages_by_cursor(intake):
    headers = intake.token()
    for _ in range(3):
        await intake.client.post(
            "/v1/claims", json=claim_body(claim_type="kulturskole"), headers=headers
        )

    first = (
        await intake.client.get("/v1/claims?claim_type=kulturskole&limit=2", headers=headers)
    ).json()
    second = (
        await intake.client.get(
            f"/v1/claims?claim_type=kulturskole&limit=2&after={first['next']}", headers=headers
        )
    ).json()

    assert len(first["items"]) == 2 and first["next"]
    assert len(second["items"]) >= 1
    assert {i["claim_type"] for i in first["items"] + second["items"]} == {"kulturskole"}
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


async def test_the_same_batch_sent_twice_books_each_claim_once(intake):
    batch = [claim_body() for _ in range(5)]
    headers = {**intake.token(), "Idempotency-Key": "batch-twice-1"}

    first = await intake.client.post("/v1/claims", json=batch, headers=headers)
    again = await intake.client.post("/v1/claims", json=batch, headers=headers)

    assert first.status_code == 200 and again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["registered"] == 5
    numbers = ",".join(f"'{c['invoice_number']}'" for c in batch)
    assert await count_rows(intake, "claim", f"invoice_number IN ({numbers})") == 5
    assert (
        await count_rows(
            intake,
            "outbox",
            "event_type = 'claims.registered.v2' AND message_key IN "  # noqa: S608
            f"(SELECT id::text FROM claim WHERE invoice_number IN ({numbers}))",
        )
        == 5
    )


async def test_a_batch_resent_without_a_key_registers_nothing_twice(intake):
    batch = [claim_body() for _ in range(3)]

    await intake.client.post("/v1/claims", json=batch, headers=intake.token())
    again = (await intake.client.post("/v1/claims", json=batch, headers=intake.token())).json()

    assert again["registered"] == 0
    assert {e["code"] for r in again["results"] for e in r["errors"]} == {
        "claim.invoice_number_duplicate"
    }


async def test_a_reused_idempotency_key_with_another_body_is_refused(intake):
    headers = {**intake.token(), "Idempotency-Key": "reused-key-1"}
    await intake.client.post("/v1/claims", json=claim_body(), headers=headers)

    response = await intake.client.post("/v1/claims", json=claim_body(), headers=headers)

    assert response.status_code == 422
    assert response.json()["code"] == "request.idempotency_key_reused"
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_credit_note_reduces_principal_and_cannot_make_it_negative(intake):
    created = (
        await intake.client.post(
            "/v1/claims", json=claim_body(principal_ore=10000), headers=intake.token()
        )
    ).json()
    url = f"/v1/claims/{created['id']}/adjustments"

    credit = await intake.client.post(
        url,
        json={
            "kind": "credit_note",
            "amount_ore": 4000,
            "reason_code": "price_error",
            "reason": "Feil sats",
        },
        headers=intake.token(),
    )
    too_much = await intake.client.post(
        url,
        json={
            "kind": "credit_note",
            "amount_ore": 6001,
            "reason_code": "price_error",
            "reason": "Feil",
        },
        headers=intake.token(),
    )
    after = (await intake.client.get(f"/v1/claims/{created['id']}", headers=intake.token())).json()

    assert credit.status_code == 201 and credit.json()["principal_after_ore"] == 6000
    assert too_much.status_code == 422
    assert too_much.json()["code"] == "adjustment.amount_exceeds_principal"
    assert after["principal_ore"] == 6000
    assert (
        await count_rows(
            intake,
            "outbox",
            f"event_type = 'claims.adjusted.v1' AND message_key = '{created['id']}'",
        )
        == 1
    )


async def test_a_cancelled_claim_takes_no_further_adjustment(intake):
    created = (
        await intake.client.post("/v1/claims", json=claim_body(), headers=intake.token())
    ).json()
    url = f"/v1/claims/{created['id']}/adjustments"

    cancel = await intake.client.post(
        url,
        json={
            "kind": "cancellation",
            "reason_code": "wrongly_issued",
            "reason": "Sendt feil person",
        },
        headers=intake.token(),
    )
    again = await intake.client.post(
        url, json={"kind": "write_off", "reason_code": "x", "reason": "y"}, headers=intake.token()
    )

    assert cancel.status_code == 201 and cancel.json()["principal_after_ore"] == 0
    assert again.status_code == 409
    assert again.json()["code"] == "adjustment.claim_closed"


async def test_a_rejection_for_a_malformed_claim_still_names_its_invoice_number(intake):
    body = claim_body(principal_ore="tusen kroner")

    response = await intake.client.post("/v1/claims", json=body, headers=intake.token())

    assert response.json()["code"] == "claim.amount_not_integer"
    assert (
        await count_rows(intake, "rejection", f"invoice_number = '{body['invoice_number']}'") == 1
    )
    assert (
        await count_rows(
            intake,
            "outbox",
            "event_type = 'claims.rejected.v1' AND "
            f"body::jsonb #>> '{{payload,invoice_number}}' = '{body['invoice_number']}'",
        )
        == 1
    )


async def test_a_large_batch_is_booked_in_bulk_and_a_registered_invoice_in_it_is_refused(intake):
    earlier = claim_body()
    await intake.client.post("/v1/claims", json=earlier, headers=intake.token())
    batch = [claim_body() for _ in range(60)] + [earlier]

    response = await intake.client.post("/v1/claims", json=batch, headers=intake.token())

    result = response.json()
    assert (result["registered"], result["rejected"]) == (60, 1)
    assert result["results"][60]["errors"][0]["code"] == "claim.invoice_number_duplicate"
    numbers = ",".join(f"'{c['invoice_number']}'" for c in batch)
    assert await count_rows(intake, "claim", f"invoice_number IN ({numbers})") == 61
    registered = await count_rows(
        intake,
        "outbox",
        "event_type = 'claims.registered.v2' AND message_key IN "  # noqa: S608
        f"(SELECT id::text FROM claim WHERE invoice_number IN ({numbers}))",
    )
    assert registered == 61
