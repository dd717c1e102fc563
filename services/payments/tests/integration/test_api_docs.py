"""Payments' OpenAPI documents the fields of every answer an integrator or caseworker reads,
and the answers are what it documents."""

from __future__ import annotations

from datetime import date

import jsonschema

from payments_checks import kid_of
from payments_factories import ocr_file, registered
from runtime.testing import answer_schema, schemaless_answers

# Vipps reads only the status of its webhook's answer (the route belongs to the Vipps seam).
NOT_FOR_INTEGRATORS = {"POST /v1/vipps/webhooks 200"}
PAID_ON = date(2025, 9, 15)


async def test_every_success_answer_is_documented_with_its_fields(payments):
    document = (await payments.client.get("/openapi.json")).json()

    assert set(schemaless_answers(document)) - NOT_FOR_INTEGRATORS == set()


def _conforms(document, path: str, method: str, answer) -> None:
    schema = answer_schema(document, path, method, answer.status_code)
    jsonschema.validate(answer.json(), schema, format_checker=jsonschema.FormatChecker())


async def test_the_ledgers_answers_match_their_documented_schemas(payments):
    document = (await payments.client.get("/openapi.json")).json()
    claim, other = registered(due_date=date(2025, 9, 1)), registered(due_date=date(2025, 9, 1))
    for event in (claim, other):
        await payments.apply(event)
    kid, claim_id = await kid_of(payments, claim.payload.claim_id), claim.payload.claim_id
    headers, ocr = payments.token(), {**payments.token(), "Content-Type": "text/plain"}
    body = ocr_file(
        (kid, 40_000, PAID_ON),
        ("0000000000018", 5_000, PAID_ON),
        ("0000000000018", 6_000, PAID_ON, "12345678903"),
    )

    imported = await payments.client.post("/v1/payment-files", content=body, headers=ocr)
    again = await payments.client.post("/v1/payment-files", content=body, headers=ocr)
    postings = await payments.client.get(f"/v1/accounts/{claim_id}/postings", headers=headers)
    paid_by = next(p["payment_id"] for p in postings.json()["items"] if p["payment_id"])
    queue = await payments.client.get("/v1/unmatched", headers=headers)
    entry, back = sorted(
        (e for e in queue.json()["items"] if e["amount_ore"] in (5_000, 6_000)),
        key=lambda e: e["amount_ore"],
    )
    answers = {
        ("/v1/payment-files", "post"): [imported, again],
        ("/v1/accounts/{claim_id}/balance", "get"): [
            await payments.client.get(f"/v1/accounts/{claim_id}/balance", headers=headers)
        ],
        ("/v1/accounts/{claim_id}/postings", "get"): [postings],
        ("/v1/debtors/{debtor_ref}/balance", "get"): [
            await payments.client.get(
                f"/v1/debtors/{claim.payload.debtor_ref}/balance", headers=headers
            )
        ],
        ("/v1/payments/{payment_id}", "get"): [
            await payments.client.get(f"/v1/payments/{paid_by}", headers=headers),
            await payments.client.get(f"/v1/payments/{entry['payment_id']}", headers=headers),
        ],
        ("/v1/unmatched", "get"): [queue],
        ("/v1/unmatched/{payment_id}/allocate", "post"): [
            await payments.client.post(
                f"/v1/unmatched/{entry['payment_id']}/allocate",
                json={"claim_id": str(other.payload.claim_id)},
                headers=headers,
            )
        ],
        ("/v1/unmatched/{payment_id}/return", "post"): [
            await payments.client.post(
                f"/v1/unmatched/{back['payment_id']}/return", headers=headers
            )
        ],
        ("/v1/settlements", "post"): [
            await payments.client.post(
                "/v1/settlements",
                json={"municipality": "3301", "period": "2025-09"},
                headers=headers,
            )
        ],
    }

    assert [imported.status_code, again.status_code] == [201, 200]
    for (path, method), found in answers.items():
        for answer in found:
            assert answer.status_code < 300, (path, answer.text)
            _conforms(document, path, method, answer)
