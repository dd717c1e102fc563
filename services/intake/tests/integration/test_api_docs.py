"""Intake's OpenAPI tells an integrator what a claim and a batch look like, and how to log in."""

from __future__ import annotations

import jsonschema

from intake.api import CLAIM_EXAMPLES


def _resolve(document, schema):
    """The schema with ``#/components/schemas`` references made resolvable by jsonschema."""
    return {**schema, "components": document["components"]}


async def test_the_claim_body_is_documented_with_its_fields_and_examples_that_register(intake):
    document = (await intake.client.get("/openapi.json")).json()
    operation = document["paths"]["/v1/claims"]["post"]
    media = operation["requestBody"]["content"]["application/json"]
    claim = document["components"]["schemas"]["ClaimIn"]

    assert set(claim["required"]) >= {"municipality", "invoice_number", "debtor", "principal_ore"}
    assert "DebtorIn" in document["components"]["schemas"]
    assert operation["security"] == [{"bearer": []}]
    for name in ("claim", "batch"):
        example = media["examples"][name]["value"]
        jsonschema.validate(example, _resolve(document, media["schema"]))
        if name == "claim":
            answer = await intake.client.post("/v1/claims", json=example, headers=intake.token())
            assert answer.status_code == 201, answer.text
    assert set(media["examples"]) == set(CLAIM_EXAMPLES)
