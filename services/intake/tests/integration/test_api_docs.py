"""Intake's OpenAPI tells an integrator what a claim and a batch look like, and how to log in."""

from __future__ import annotations

import jsonschema

from intake.api import CLAIM_EXAMPLES
from intake_factories import claim_body


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


def _response_schema(document, path: str, method: str, status: str):
    media = document["paths"][path][method]["responses"][status]["content"]["application/json"]
    return _resolve(document, media["schema"])


async def test_the_answers_to_a_claim_and_a_batch_match_their_documented_schemas(intake):
    document = (await intake.client.get("/openapi.json")).json()
    good = claim_body()
    bad = claim_body(principal_ore="mange")

    one = await intake.client.post("/v1/claims", json=claim_body(), headers=intake.token())
    batch = await intake.client.post("/v1/claims", json=[good, bad], headers=intake.token())
    read = await intake.client.get(f"/v1/claims/{one.json()['id']}", headers=intake.token())
    page = await intake.client.get("/v1/claims", params={"limit": 2}, headers=intake.token())

    assert (one.status_code, batch.status_code, read.status_code) == (201, 200, 200)
    jsonschema.validate(one.json(), _response_schema(document, "/v1/claims", "post", "201"))
    jsonschema.validate(batch.json(), _response_schema(document, "/v1/claims", "post", "200"))
    jsonschema.validate(
        read.json(), _response_schema(document, "/v1/claims/{claim_id}", "get", "200")
    )
    jsonschema.validate(page.json(), _response_schema(document, "/v1/claims", "get", "200"))
    assert document["paths"]["/v1/claims"]["post"]["responses"]["201"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/ClaimOut"}
