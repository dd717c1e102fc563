"""Malformed claims over HTTP: each gets its documented reason code and nothing is half-written.

A refused claim leaves exactly one trace, the rejection (row and ``claims.rejected.v1``); never
a claim row or a ``claims.registered.v2``. A refused request leaves nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from intake.config import IntakeSettings
from intake_factories import (
    DRAMMEN_ORGNR,
    KONGSBERG_ORGNR,
    claim_body,
    d_number,
    debtor,
    fodselsnummer,
    with_wrong_check_digit,
    without,
)

PROBLEM_JSON = "application/problem+json"
TENANT_OF = {DRAMMEN_ORGNR: "3301", KONGSBERG_ORGNR: "3303"}
CEILING_ORE = IntakeSettings.model_fields["max_principal_ore"].default
# Under MOD10 this KID would end in 4, under MOD11 in 0: a 5 fails both.
KID_WITH_WRONG_CHECK_DIGIT = "20241101001235"


def days_from_today(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Written:
    """How many rows of each kind intake has written so far."""

    claims: int
    registered_events: int
    rejections: int
    rejected_events: int


async def query(intake: Any, sql: str, **params: Any) -> list[Any]:
    async with intake.app.state.container.runtime.engine.connect() as conn:
        return list(await conn.execute(sa.text(sql), params))


async def written(intake: Any) -> Written:
    [row] = await query(
        intake,
        "SELECT (SELECT count(*) FROM claim),"
        " (SELECT count(*) FROM outbox WHERE event_type = 'claims.registered.v2'),"
        " (SELECT count(*) FROM rejection),"
        " (SELECT count(*) FROM outbox WHERE event_type = 'claims.rejected.v1')",
    )
    return Written(*row)


async def latest_rejection(intake: Any) -> Any:
    [row] = await query(intake, "SELECT * FROM rejection ORDER BY id DESC LIMIT 1")
    return row


async def latest_rejected_event(intake: Any) -> dict[str, Any]:
    [row] = await query(
        intake,
        "SELECT body FROM outbox WHERE event_type = 'claims.rejected.v1' ORDER BY id DESC LIMIT 1",
    )
    return json.loads(row.body)


async def claims_with_invoice_number(intake: Any, invoice_number: str) -> list[Any]:
    return await query(intake, "SELECT * FROM claim WHERE invoice_number = :n", n=invoice_number)


async def registered_events_for(intake: Any, invoice_number: str) -> int:
    [row] = await query(
        intake,
        "SELECT count(*) FROM outbox WHERE event_type = 'claims.registered.v2'"
        " AND (body::jsonb -> 'payload' ->> 'invoice_number') = :n",
        n=invoice_number,
    )
    return int(row[0])


def codes(errors: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(e["code"], e.get("field")) for e in errors]


@dataclass(frozen=True)
class Malformed:
    """One kind of malformed claim and the reason intake must give for it."""

    body: Callable[[], dict[str, Any]]
    code: str
    field: str | None
    status: int = 422
    orgnr: str = DRAMMEN_ORGNR


MALFORMED_CLAIMS = [
    pytest.param(
        Malformed(
            lambda: claim_body(debtor=debtor(id=with_wrong_check_digit(fodselsnummer()))),
            "claim.debtor_id_invalid",
            "debtor.id",
        ),
        id="fodselsnummer-with-a-wrong-check-digit",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(debtor=debtor(id=with_wrong_check_digit(d_number()))),
            "claim.debtor_id_invalid",
            "debtor.id",
        ),
        id="d-number-with-a-wrong-check-digit",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(debtor=debtor(id=with_wrong_check_digit(KONGSBERG_ORGNR))),
            "claim.debtor_id_invalid",
            "debtor.id",
        ),
        id="organisation-number-with-a-wrong-check-digit",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(debtor=debtor(id=fodselsnummer()[:10])),
            "claim.debtor_id_format",
            "debtor.id",
        ),
        id="identity-number-of-ten-digits",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(principal_ore=-100), "claim.amount_not_positive", "principal_ore"
        ),
        id="negative-amount",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(principal_ore=0), "claim.amount_not_positive", "principal_ore"
        ),
        id="zero-amount",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(principal_ore=CEILING_ORE + 1),
            "claim.amount_too_large",
            "principal_ore",
        ),
        id="amount-above-the-ceiling",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(principal_ore=3250.5), "claim.amount_not_integer", "principal_ore"
        ),
        id="amount-with-a-fraction",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(principal_ore="325000"),
            "claim.amount_not_integer",
            "principal_ore",
        ),
        id="amount-as-a-string",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(issue_date=days_from_today(-10), due_date=days_from_today(-11)),
            "claim.due_before_issue",
            "due_date",
        ),
        id="due-date-before-issue-date",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(issue_date=days_from_today(5), due_date=days_from_today(20)),
            "claim.issue_date_in_future",
            "issue_date",
        ),
        id="issue-date-in-the-future",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(
                issue_date=days_from_today(-3 * 366 - 30), due_date=days_from_today(-3 * 366 - 10)
            ),
            "claim.time_barred",
            "due_date",
        ),
        id="due-more-than-three-years-ago",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(claim_type="hundeskatt"), "claim.claim_type_unknown", "claim_type"
        ),
        id="unknown-claim-type",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(municipality="3303", claim_type="husleie"),
            "claim.claim_type_not_enabled",
            "claim_type",
            orgnr=KONGSBERG_ORGNR,
        ),
        id="claim-type-kongsberg-has-not-enabled",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(municipality="9999"), "claim.municipality_unknown", "municipality"
        ),
        id="unknown-municipality",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(municipality="3303"),
            "claim.municipality_not_permitted",
            "municipality",
            status=403,
        ),
        id="another-served-municipality-than-the-tokens",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(original_kid=KID_WITH_WRONG_CHECK_DIGIT),
            "claim.kid_invalid",
            "original_kid",
        ),
        id="original-kid-with-a-wrong-check-digit",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(claim_type="eiendomsgebyr"), "claim.property_missing", "property"
        ),
        id="property-claim-without-a-property",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(debtor=debtor(name="   ")),
            "claim.debtor_name_missing",
            "debtor.name",
        ),
        id="blank-debtor-name",
    ),
    pytest.param(
        Malformed(lambda: without(claim_body(), "due_date"), "claim.field_missing", "due_date"),
        id="missing-due-date",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(debtor=without(debtor(), "id")), "claim.field_missing", "debtor.id"
        ),
        id="missing-debtor-identity-number",
    ),
    pytest.param(
        Malformed(lambda: claim_body(kid="1234"), "claim.field_invalid", "kid"),
        id="unknown-extra-field",
    ),
    pytest.param(
        Malformed(lambda: claim_body(issue_date="2024-13-45"), "claim.field_invalid", "issue_date"),
        id="impossible-issue-date",
    ),
    pytest.param(
        Malformed(
            lambda: claim_body(invoice_number="F" * 65), "claim.field_invalid", "invoice_number"
        ),
        id="invoice-number-longer-than-64",
    ),
]


@pytest.mark.parametrize("malformed", MALFORMED_CLAIMS)
async def test_a_malformed_claim_is_answered_with_its_reason_code_as_a_problem(
    intake, malformed: Malformed
):
    body = malformed.body()

    response = await intake.client.post(
        "/v1/claims", json=body, headers=intake.token(malformed.orgnr)
    )

    assert response.status_code == malformed.status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["code"] == malformed.code
    assert problem["status"] == malformed.status
    assert codes(problem["errors"]) == [(malformed.code, malformed.field)]


@pytest.mark.parametrize("malformed", MALFORMED_CLAIMS)
async def test_a_malformed_claim_leaves_a_rejection_but_no_claim_and_no_registration(
    intake, malformed: Malformed
):
    body = malformed.body()
    before = await written(intake)

    await intake.client.post("/v1/claims", json=body, headers=intake.token(malformed.orgnr))

    after = await written(intake)
    assert after == replace(
        before, rejections=before.rejections + 1, rejected_events=before.rejected_events + 1
    )
    rejection = await latest_rejection(intake)
    assert rejection.municipality == TENANT_OF[malformed.orgnr]
    assert [p["code"] for p in rejection.problems] == [malformed.code]
    event = await latest_rejected_event(intake)
    assert event["tenant"] == TENANT_OF[malformed.orgnr]
    assert [p["code"] for p in event["payload"]["problems"]] == [malformed.code]


async def test_a_valid_d_number_is_accepted_as_a_person(intake):
    body = claim_body(debtor=debtor(id=d_number("230472")))

    response = await intake.client.post("/v1/claims", json=body, headers=intake.token())

    assert response.status_code == 201, response.text
    assert response.json()["debtor"]["kind"] == "person"
    assert len(await claims_with_invoice_number(intake, body["invoice_number"])) == 1


async def test_a_claim_against_an_organisation_is_registered(intake):
    body = claim_body(debtor=debtor(id=KONGSBERG_ORGNR, name="Kongsberg Eiendom AS"))

    response = await intake.client.post("/v1/claims", json=body, headers=intake.token())

    assert response.status_code == 201, response.text
    assert response.json()["debtor"]["kind"] == "organisation"


async def test_a_second_claim_with_a_registered_invoice_number_is_refused_as_a_duplicate(intake):
    first = claim_body()
    await intake.client.post("/v1/claims", json=first, headers=intake.token())
    second = claim_body(invoice_number=first["invoice_number"], principal_ore=99_00)
    before = await written(intake)

    response = await intake.client.post("/v1/claims", json=second, headers=intake.token())

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_JSON
    assert codes(response.json()["errors"]) == [
        ("claim.invoice_number_duplicate", "invoice_number")
    ]
    [kept] = await claims_with_invoice_number(intake, first["invoice_number"])
    assert kept.principal_ore == first["principal_ore"]
    assert await registered_events_for(intake, first["invoice_number"]) == 1
    assert await written(intake) == replace(
        before, rejections=before.rejections + 1, rejected_events=before.rejected_events + 1
    )
    assert (await latest_rejection(intake)).invoice_number == first["invoice_number"]


async def test_an_invoice_number_repeated_within_a_batch_refuses_only_the_repeat(intake):
    original = claim_body()
    repeat = claim_body(invoice_number=original["invoice_number"], principal_ore=77_00)

    response = await intake.client.post(
        "/v1/claims", json=[original, repeat], headers=intake.token()
    )

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results[0]["status"] == "registered"
    assert results[1]["status"] == "rejected"
    assert codes(results[1]["errors"]) == [("claim.invoice_number_repeated", "invoice_number")]
    [kept] = await claims_with_invoice_number(intake, original["invoice_number"])
    assert kept.principal_ore == original["principal_ore"]
    assert await registered_events_for(intake, original["invoice_number"]) == 1


def one_claim_json() -> bytes:
    return json.dumps(claim_body()).encode()


def oversize_batch_json() -> bytes:
    return json.dumps([claim_body() for _ in range(1001)]).encode()


@dataclass(frozen=True)
class BadRequest:
    """A request intake must refuse as a whole, before looking at any claim."""

    content: Callable[[], bytes]
    content_type: str | None
    code: str
    status: int


BAD_REQUESTS = [
    pytest.param(
        BadRequest(
            lambda: b'{"municipality": "3301",', "application/json", "request.not_json", 400
        ),
        id="body-that-is-not-json",
    ),
    pytest.param(
        BadRequest(lambda: b"\xff\xfe not utf-8", "application/json", "request.not_json", 400),
        id="body-that-is-not-utf-8",
    ),
    pytest.param(
        BadRequest(one_claim_json, "text/plain", "request.unsupported_media_type", 415),
        id="json-sent-as-text-plain",
    ),
    pytest.param(
        BadRequest(one_claim_json, None, "request.unsupported_media_type", 415),
        id="json-sent-without-a-content-type",
    ),
    pytest.param(
        BadRequest(lambda: b"[]", "application/json", "request.batch_empty", 422),
        id="empty-batch",
    ),
    pytest.param(
        BadRequest(oversize_batch_json, "application/json", "request.batch_too_large", 413),
        id="batch-of-1001-claims",
    ),
    pytest.param(
        BadRequest(lambda: b'"INV-1"', "application/json", "request.body_invalid", 422),
        id="json-string-instead-of-a-claim",
    ),
    pytest.param(
        BadRequest(lambda: b"42", "application/json", "request.body_invalid", 422),
        id="json-number-instead-of-a-claim",
    ),
]


@pytest.mark.parametrize("bad", BAD_REQUESTS)
async def test_a_malformed_request_is_refused_as_a_whole_and_writes_nothing(
    intake, bad: BadRequest
):
    headers = intake.token()
    if bad.content_type:
        headers["Content-Type"] = bad.content_type
    before = await written(intake)

    response = await intake.client.post("/v1/claims", content=bad.content(), headers=headers)

    assert response.status_code == bad.status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == bad.code
    assert await written(intake) == before


async def test_a_mixed_batch_registers_the_good_claims_and_rejects_each_bad_one_at_its_index(
    intake,
):
    good = [claim_body(), claim_body(claim_type="sfo"), claim_body(debtor=debtor(id=d_number()))]
    bad = {
        1: (
            claim_body(debtor=debtor(id=with_wrong_check_digit(fodselsnummer()))),
            "claim.debtor_id_invalid",
        ),
        3: (claim_body(principal_ore=0), "claim.amount_not_positive"),
        4: (without(claim_body(), "description"), "claim.field_missing"),
        6: (claim_body(claim_type="hundeskatt"), "claim.claim_type_unknown"),
        7: (claim_body(invoice_number=good[0]["invoice_number"]), "claim.invoice_number_repeated"),
    }
    batch = [good[0], bad[1][0], good[1], bad[3][0], bad[4][0], good[2], bad[6][0], bad[7][0]]
    before = await written(intake)

    response = await intake.client.post("/v1/claims", json=batch, headers=intake.token())

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["registered"], answer["rejected"]) == (3, 5)
    results = answer["results"]
    assert [r["index"] for r in results] == list(range(len(batch)))
    assert [results[i]["status"] for i in (0, 2, 5)] == ["registered"] * 3
    for index, (_, code) in bad.items():
        assert results[index]["status"] == "rejected"
        assert [e["code"] for e in results[index]["errors"]] == [code]
    for index, claim in zip((0, 2, 5), good, strict=True):
        [row] = await claims_with_invoice_number(intake, claim["invoice_number"])
        assert str(row.id) == results[index]["id"]
        assert await registered_events_for(intake, claim["invoice_number"]) == 1
    for index in (1, 3, 6):
        assert await claims_with_invoice_number(intake, bad[index][0]["invoice_number"]) == []
    assert await written(intake) == Written(
        claims=before.claims + 3,
        registered_events=before.registered_events + 3,
        rejections=before.rejections + 5,
        rejected_events=before.rejected_events + 5,
    )
