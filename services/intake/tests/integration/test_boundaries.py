"""Hostile and careless input at intake's HTTP boundary: a 4xx with a reason, never a 500.

Each test is a finding of issue 13 (nesting, size, idempotency across whitespace, dates,
text, batch isolation, parameters in logs).
"""

from __future__ import annotations

import json
import logging
from uuid import uuid4

import pytest

from intake_factories import claim_body

pytestmark = pytest.mark.integration

JSON = {"content-type": "application/json"}


async def test_the_same_json_with_other_whitespace_under_one_key_is_the_same_request(intake):
    headers = {**intake.token(), **JSON, "Idempotency-Key": "whitespace-1"}
    body = claim_body()

    first = await intake.client.post("/v1/claims", content=json.dumps(body), headers=headers)
    again = await intake.client.post(
        "/v1/claims", content=json.dumps(body, indent=4, sort_keys=True), headers=headers
    )

    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())


async def test_a_body_nested_a_thousand_deep_is_refused_with_a_reason(intake):
    body = "[" * 1000 + "]" * 1000

    response = await intake.client.post(
        "/v1/claims", content=body, headers={**intake.token(), **JSON}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "request.json_too_deep"


async def test_a_body_over_ten_megabytes_is_refused_before_it_is_parsed(intake):
    body = json.dumps([claim_body(description="x" * 500) for _ in range(20_000)])
    assert len(body) > 10 * 1024 * 1024

    response = await intake.client.post(
        "/v1/claims", content=body, headers={**intake.token(), **JSON}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "request.body_too_large"


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "code", "field"),
    [
        ({"issue_date": "0001-01-01"}, "claim.issue_date_too_early", "issue_date"),
        ({"issue_date": "1999-12-31"}, "claim.issue_date_too_early", "issue_date"),
        ({"due_date": "5000-01-01"}, "claim.due_date_too_late", "due_date"),
        ({"due_date": "9999-12-31"}, "claim.due_date_too_late", "due_date"),
        (
            {"issue_date": "9999-12-31", "due_date": "9999-12-31"},
            "claim.issue_date_in_future",
            "issue_date",
        ),
    ],
    ids=["year-1", "before-2000", "due-in-5000", "due-9999-12-31", "issued-9999-12-31"],
)
async def test_dates_outside_the_window_are_refused_with_a_reason_per_field(
    intake, dates, code, field
):
    response = await intake.client.post(
        "/v1/claims", json=claim_body(**dates), headers=intake.token()
    )

    assert response.status_code == 422, response.text
    assert (code, field) in [(e["code"], e.get("field")) for e in response.json()["errors"]]


# --- text ------------------------------------------------------------------------------------


def with_debtor(**changes):
    body = claim_body()
    body["debtor"] = {**body["debtor"], **changes}
    return body


def with_address(**changes):
    body = claim_body()
    body["debtor"]["address"] = {**body["debtor"]["address"], **changes}
    return body


@pytest.mark.parametrize(
    ("body", "code", "field", "code_point"),
    [
        (lambda: claim_body(description="Barnehage\u0000"), "text.control_character",
         "description", "U+0000"),
        (lambda: with_debtor(name="Kari\u0000Nordmann"), "text.control_character",
         "debtor.name", "U+0000"),
        (lambda: claim_body(invoice_number="INV\u0000-1"), "text.control_character",
         "invoice_number", "U+0000"),
        (lambda: with_address(lines=["Storgata 1", "\u0007"]), "text.control_character",
         "debtor.address.lines.1", "U+0007"),
        (lambda: with_address(city="Dr\u0085ammen"), "text.control_character",
         "debtor.address.city", "U+0085"),
        (lambda: claim_body(description="Barnehage \U0001f600"), "text.unprintable",
         "description", "U+1F600"),
        (lambda: with_debtor(name="Kari \U00013000"), "text.unprintable",
         "debtor.name", "U+13000"),
        (lambda: claim_body(description="Barnehage \u0378"), "text.unassigned",
         "description", "U+0378"),
        (lambda: with_debtor(name="\u200b\u200b\u200b"), "claim.debtor_name_missing",
         "debtor.name", None),
        (lambda: with_debtor(name=" \u3164\u2060 "), "claim.debtor_name_missing",
         "debtor.name", None),
    ],
    ids=[
        "nul-in-description", "nul-in-name", "nul-in-invoice-number", "bell-in-address",
        "c1-in-city", "emoji", "egyptian-hieroglyph", "unassigned", "zero-width-name",
        "invisible-name",
    ],
)  # fmt: skip
async def test_text_a_letter_cannot_print_is_refused_naming_the_field_and_the_character(
    intake, body, code, field, code_point
):
    response = await intake.client.post("/v1/claims", json=body(), headers=intake.token())

    assert response.status_code == 422, response.text
    [error] = [e for e in response.json()["errors"] if e.get("field") == field]
    assert error["code"] == code
    if code_point:
        assert code_point in error["message"]


async def test_text_is_stored_in_nfc(intake):
    decomposed = "Ha\u030akon Bja\u0308rnstro\u0308m"  # å, ä, ö as letter + combining mark

    response = await intake.client.post(
        "/v1/claims", json=with_debtor(name=decomposed), headers=intake.token()
    )

    assert response.status_code == 201, response.text
    assert response.json()["debtor"]["name"] == "Håkon Bjärnström"


async def test_a_nul_in_the_invoice_number_of_an_unparsable_claim_is_not_recorded(intake):
    body = claim_body(invoice_number="INV-\u0000", principal_ore="many")

    response = await intake.client.post("/v1/claims", json=[body], headers=intake.token())

    assert response.status_code == 200, response.text
    assert response.json()["rejected"] == 1


# --- batch isolation -------------------------------------------------------------------------

POISON_TRIGGER = """
CREATE OR REPLACE FUNCTION poisoned_claim() RETURNS trigger AS $$
BEGIN
    IF NEW.invoice_number LIKE 'POISON-DB-%' THEN
        RAISE EXCEPTION 'the database refuses this row';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER poisoned_claim BEFORE INSERT ON claim
    FOR EACH ROW EXECUTE FUNCTION poisoned_claim();
"""


@pytest.fixture(scope="module")
async def poisonable(intake):
    """Intake whose database refuses claim rows with a POISON-DB- invoice number."""
    async with intake.app.state.container.runtime.engine.begin() as conn:
        driver = await conn.get_raw_connection()
        await driver.driver_connection.execute(POISON_TRIGGER)
    return intake


@pytest.fixture
def exploding(monkeypatch):
    """Validation raises for a claim with a POISON-EXC- invoice number."""
    import intake.handlers as handlers

    real = handlers.validate_claim

    def validate(draft, *args, **kwargs):
        if draft.invoice_number.startswith("POISON-EXC-"):
            raise RuntimeError("a bug in validation")
        return real(draft, *args, **kwargs)

    monkeypatch.setattr(handlers, "validate_claim", validate)


POISONS = {
    "nul": (lambda: claim_body(description="\u0000"), "text.control_character"),
    "due-9999-12-31": (lambda: claim_body(due_date="9999-12-31"), "claim.due_date_too_late"),
    "database-error": (
        lambda: claim_body(invoice_number=f"POISON-DB-{uuid4()}"),
        "claim.not_processed",
    ),
    "exception": (
        lambda: claim_body(invoice_number=f"POISON-EXC-{uuid4()}"),
        "claim.not_processed",
    ),
}
BATCH = 4


@pytest.mark.parametrize("position", range(BATCH))
@pytest.mark.parametrize("poison", POISONS)
async def test_one_poisoned_item_at_any_position_never_costs_the_good_claims(
    poisonable, exploding, poison, position
):
    make, code = POISONS[poison]
    batch = [claim_body() for _ in range(BATCH)]
    batch[position] = make()

    response = await poisonable.client.post("/v1/claims", json=batch, headers=poisonable.token())

    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["registered"], result["rejected"]) == (BATCH - 1, 1)
    [bad] = [r for r in result["results"] if r["status"] == "rejected"]
    assert bad["index"] == position
    assert code in [e["code"] for e in bad["errors"]]
    ids = [r["id"] for r in result["results"] if r["status"] == "registered"]
    for claim_id in ids:
        read = await poisonable.client.get(f"/v1/claims/{claim_id}", headers=poisonable.token())
        assert read.status_code == 200


async def test_the_logs_of_a_failing_request_hold_neither_name_nor_address(poisonable, caplog):
    name, street = "Sølvi Hemmelig-Tollefsen", "Løyndomsvegen 77"
    body = claim_body(invoice_number=f"POISON-DB-{uuid4()}")
    body["debtor"] = {
        **body["debtor"],
        "name": name,
        "address": {"lines": [street], "postal_code": "3015", "city": "Drammen"},
    }
    caplog.set_level(logging.DEBUG)

    response = await poisonable.client.post(
        "/v1/claims", json=[body, claim_body()], headers=poisonable.token()
    )

    assert response.json()["rejected"] == 1
    assert "could not be stored" in caplog.text  # the failure was logged ...
    assert name not in caplog.text  # ... without the statement's values
    assert street not in caplog.text


async def test_an_adjustment_reason_with_a_nul_is_refused_naming_the_field(intake):
    created = await intake.client.post("/v1/claims", json=claim_body(), headers=intake.token())

    response = await intake.client.post(
        f"/v1/claims/{created.json()['id']}/adjustments",
        json={"kind": "cancellation", "reason_code": "feil", "reason": "Sendt\u0000 feil"},
        headers=intake.token(),
    )

    assert response.status_code == 422, response.text
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("text.control_character", "reason")
    ]
