"""Intake on the bus: a real NATS JetStream server, real subscribers, the outbox relay."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

from contracts.claims import ClaimSubmittedV1, ClaimSubmittedV2, PostalAddress, SubmittedDebtor
from contracts.envelope import new_envelope
from intake_factories import claim_body, fodselsnummer
from runtime.personal_data import encrypt_debtor_for_office, encrypt_for_office
from runtime.testing import publish_bytes, read_events


def submitted_event(
    intake,
    tenant: str = "3301",
    event_id: uuid.UUID | None = None,
    *,
    v1: bool = False,
    **overrides: Any,
) -> bytes:
    """A claims.submitted.v2 envelope as a municipality's integration publishes it (``v1``: as
    one that has not moved yet publishes it, the name and address in clear)."""
    jwk = intake.app.state.container.submission_public_jwk
    today = date.today()
    number, name = fodselsnummer(), "Ola Nordmann"
    address = PostalAddress(lines=["Fjordgata 9"], postal_code="3015", city="Drammen")
    debtor: dict[str, Any] = (
        {
            "debtor_identity_jwe": encrypt_for_office(jwk, number),
            "debtor_name": name,
            "debtor_address": address,
        }
        if v1
        else {
            "debtor_jwe": encrypt_debtor_for_office(
                jwk, SubmittedDebtor(identity_number=number, name=name, address=address)
            )
        }
    )
    fields: dict[str, Any] = {
        "invoice_number": f"BUS-{uuid.uuid4().hex[:10]}",
        "claim_type": "sfo",
        **debtor,
        "principal_ore": 150000,
        "issue_date": today - timedelta(days=40),
        "due_date": today - timedelta(days=20),
        "description": "SFO september",
    }
    fields.update(overrides)
    model = ClaimSubmittedV1 if v1 else ClaimSubmittedV2
    envelope = new_envelope(
        model.EVENT_TYPE,
        source="municipality-3301",
        tenant=tenant,
        subject=fields["invoice_number"],
        payload=model(**fields),
        occurred_at=datetime.now(UTC),
        id=event_id,
    )
    return envelope.model_dump_json().encode()


def invoice_of(body: bytes) -> str:
    return json.loads(body)["payload"]["invoice_number"]


async def claim_rows(intake, invoice: str) -> int:
    async with intake.app.state.container.runtime.engine.connect() as conn:
        query = sa.text("SELECT count(*) FROM claim WHERE invoice_number = :n")
        return (await conn.execute(query, {"n": invoice})).scalar_one()


async def test_a_claim_posted_over_http_yields_exactly_one_registered_event_on_nats(
    intake, nats_url
):
    body = claim_body()

    response = await intake.client.post("/v1/claims", json=body, headers=intake.token())
    events = await read_events(
        nats_url,
        "claims.registered.v2",
        lambda e: e["payload"]["invoice_number"] == body["invoice_number"],
        expect=1,
    )

    assert response.status_code == 201
    assert len(events) == 1
    assert events[0]["subject"] == response.json()["id"]
    assert events[0]["tenant"] == "3301"
    assert events[0]["payload"]["debtor_ref"] == response.json()["debtor"]["ref"]


@pytest.mark.parametrize("v1", [False, True], ids=["v2", "v1 not yet moved"])
async def test_a_claim_published_as_submitted_yields_exactly_one_registered_event(
    intake, nats_url, v1
):
    body = submitted_event(intake, v1=v1)

    await publish_bytes(nats_url, json.loads(body)["type"], body)
    events = await read_events(
        nats_url,
        "claims.registered.v2",
        lambda e: e["payload"]["invoice_number"] == invoice_of(body),
        expect=1,
    )

    assert len(events) == 1
    assert events[0]["payload"]["principal_ore"] == 150000
    assert await claim_rows(intake, invoice_of(body)) == 1
    async with intake.app.state.container.runtime.engine.connect() as conn:
        query = sa.text("SELECT debtor_name, debtor_address FROM claim WHERE invoice_number = :n")
        row = (await conn.execute(query, {"n": invoice_of(body)})).one()
    assert (row.debtor_name, row.debtor_address["lines"]) == ("Ola Nordmann", ["Fjordgata 9"])


async def test_a_submitted_debtor_the_office_cannot_decrypt_is_rejected_naming_the_field(
    intake, nats_url
):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    jwk = dict(RSAKey.import_key(stranger).as_dict(private=False))
    debtor = SubmittedDebtor(identity_number=fodselsnummer(), name="Ola Nordmann")
    body = submitted_event(intake, debtor_jwe=encrypt_debtor_for_office(jwk, debtor))

    await publish_bytes(nats_url, "claims.submitted.v2", body)
    [rejected] = await read_events(
        nats_url,
        "claims.rejected.v1",
        lambda e: e["payload"]["invoice_number"] == invoice_of(body),
        expect=1,
    )

    [problem] = rejected["payload"]["problems"]
    assert (problem["code"], problem["field"]) == ("claim.debtor_unreadable", "debtor_jwe")
    assert "Ola" not in json.dumps(rejected)


async def test_the_same_submitted_event_delivered_twice_is_applied_once(intake, nats_url):
    good = submitted_event(intake)
    bad = submitted_event(intake, principal_ore=-5)

    # No Nats-Msg-Id: the server stores both copies, so intake really receives each twice.
    for body in (good, bad, good, bad):
        await publish_bytes(nats_url, "claims.submitted.v2", body)
    registered = await read_events(
        nats_url,
        "claims.registered.v2",
        lambda e: e["payload"]["invoice_number"] == invoice_of(good),
        expect=1,
        settle=2.0,
    )
    rejected = await read_events(
        nats_url,
        "claims.rejected.v1",
        lambda e: e["payload"]["invoice_number"] == invoice_of(bad),
        expect=1,
        settle=0.5,
    )

    assert len(registered) == 1
    # A rejection is not idempotent by itself: only the inbox stops the second one.
    assert len(rejected) == 1
    assert await claim_rows(intake, invoice_of(good)) == 1


async def test_the_same_claim_republished_under_a_new_event_id_is_not_booked_again(
    intake, nats_url
):
    first = submitted_event(intake)
    again = json.loads(first)
    again["id"] = str(uuid.uuid4())

    await publish_bytes(nats_url, "claims.submitted.v2", first)
    await publish_bytes(nats_url, "claims.submitted.v2", json.dumps(again).encode())
    registered = await read_events(
        nats_url,
        "claims.registered.v2",
        lambda e: e["payload"]["invoice_number"] == invoice_of(first),
        expect=1,
        settle=2.0,
    )
    rejected = await read_events(
        nats_url,
        "claims.rejected.v1",
        lambda e: e["payload"]["invoice_number"] == invoice_of(first),
        expect=0,
        settle=0.5,
    )

    assert len(registered) == 1
    assert rejected == []
    assert await claim_rows(intake, invoice_of(first)) == 1


async def test_a_submitted_claim_that_breaks_a_rule_is_rejected_on_the_bus_with_its_reason(
    intake, nats_url
):
    body = submitted_event(intake, principal_ore=0)

    await publish_bytes(nats_url, "claims.submitted.v2", body)
    rejected = await read_events(
        nats_url,
        "claims.rejected.v1",
        lambda e: e["payload"]["invoice_number"] == invoice_of(body),
        expect=1,
    )

    assert len(rejected) == 1
    assert [p["code"] for p in rejected[0]["payload"]["problems"]] == ["claim.amount_not_positive"]
    assert rejected[0]["payload"]["source_event_id"] == json.loads(body)["id"]
    assert await claim_rows(intake, invoice_of(body)) == 0


async def test_an_unreadable_message_ends_in_dead_letters_with_the_reason(intake, nats_url):
    marker = uuid.uuid4().hex

    await publish_bytes(
        nats_url,
        "claims.submitted.v1",
        b'{"type": "claims.submitted.v1", "junk": "' + marker.encode() + b'"}',
    )
    letters = await read_events(
        nats_url,
        "deadletters.recorded.v1",
        lambda e: marker in e["payload"]["original"],
        expect=1,
    )

    assert len(letters) == 1
    assert letters[0]["payload"]["consumer"] == "intake.claims.submitted.v1"
    assert letters[0]["payload"]["error_type"] == "ValidationError"
    assert "payload" in letters[0]["payload"]["error_message"]


async def test_the_trace_of_the_http_request_continues_in_the_registered_event(intake, nats_url):
    trace_id = uuid.uuid4().hex
    body = claim_body()
    headers = {**intake.token(), "traceparent": f"00-{trace_id}-{'1' * 16}-01"}

    await intake.client.post("/v1/claims", json=body, headers=headers)
    events = await read_events(
        nats_url,
        "claims.registered.v2",
        lambda e: e["payload"]["invoice_number"] == body["invoice_number"],
        expect=1,
    )

    assert events[0]["traceparent"].split("-")[1] == trace_id


async def test_a_submitted_claim_with_text_a_letter_cannot_print_is_rejected_naming_the_field(
    intake, nats_url
):
    clear = submitted_event(intake, v1=True, debtor_name="Ola\u0000Nordmann", description="SFO")
    sealed = submitted_event(intake, description="SFO \U0001f600")

    await publish_bytes(nats_url, "claims.submitted.v1", clear)
    await publish_bytes(nats_url, "claims.submitted.v2", sealed)
    rejected = {
        e["payload"]["invoice_number"]: [(p["code"], p["field"]) for p in e["payload"]["problems"]]
        for e in await read_events(
            nats_url,
            "claims.rejected.v1",
            lambda e: e["payload"]["invoice_number"] in {invoice_of(clear), invoice_of(sealed)},
            expect=2,
        )
    }

    assert rejected == {
        invoice_of(clear): [("text.control_character", "debtor.name")],
        invoice_of(sealed): [("text.unprintable", "description")],
    }
    assert (
        await claim_rows(intake, invoice_of(clear)) + await claim_rows(intake, invoice_of(sealed))
        == 0
    )


async def test_a_claim_published_under_drammens_old_number_registers_under_3301(intake, nats_url):
    body = submitted_event(intake, tenant="3005")

    await publish_bytes(nats_url, "claims.submitted.v2", body)
    [event] = await read_events(
        nats_url,
        "claims.registered.v2",
        lambda e: e["payload"]["invoice_number"] == invoice_of(body),
        expect=1,
    )

    assert event["tenant"] == "3301"
    assert (event["payload"]["municipality"], event["payload"]["original_municipality"]) == (
        "3301",
        "3005",
    )
