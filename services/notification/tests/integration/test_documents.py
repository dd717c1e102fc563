"""Stored letters: the debtor (through Min side) and staff may read them; every read is audited."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from notification_factories import fodselsnummer, requested

PDF = "application/pdf"


@pytest.fixture(scope="module")
async def letter(notification):
    payload = requested(notification.keys, fodselsnummer(day=24))
    await notification.publish(payload)
    row = await notification.wait_status(payload.notice_id, "delivered")
    return row


async def reads(notification, document_id) -> list:
    async with notification.container.runtime.engine.connect() as conn:
        query = sa.text("SELECT * FROM document_read WHERE document_id = :d ORDER BY id")
        return list((await conn.execute(query, {"d": document_id})).all())


async def test_the_debtor_gets_the_letter_through_min_side(notification, letter):
    response = await notification.client.get(
        f"/v1/documents/{letter.document_id}", headers=notification.minside(letter.debtor_ref)
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == PDF
    assert response.content.startswith(b"%PDF")
    assert response.headers["x-content-sha256"] == hashlib.sha256(response.content).hexdigest()
    [message] = await notification.fakes.digipost_messages(str(letter.id))
    assert message["pdf_sha256"] == hashlib.sha256(response.content).hexdigest()


async def test_another_debtor_gets_not_found(notification, letter):
    response = await notification.client.get(
        f"/v1/documents/{letter.document_id}", headers=notification.minside("ref1_someone_else")
    )

    assert response.status_code == 404
    assert response.json()["code"] == "document.not_found"


async def test_a_service_token_without_the_citizen_scope_is_forbidden(notification, letter):
    headers = notification.minside(letter.debtor_ref, scopes=("kravflyt:claims.read",))

    response = await notification.client.get(f"/v1/documents/{letter.document_id}", headers=headers)

    assert response.status_code == 403


async def test_a_client_other_than_min_side_is_forbidden(notification, letter):
    headers = notification.minside(letter.debtor_ref, client_id="someone")

    response = await notification.client.get(f"/v1/documents/{letter.document_id}", headers=headers)

    assert response.status_code == 403


async def test_a_caseworker_read_is_audited_with_who_when_and_why(notification, letter):
    headers = {
        **notification.staff(),
        "Kravflyt-Read-Reason": "Innsigelse fra skyldner, sak 2026/17",
    }

    response = await notification.client.get(f"/v1/documents/{letter.document_id}", headers=headers)

    assert response.status_code == 200
    audit = [r for r in await reads(notification, letter.document_id) if r.reader_kind == "staff"]
    assert [(r.reader_subject, r.reader_name, r.reason) for r in audit] == [
        ("kari.saksbehandler", "Kari Saksbehandler", "Innsigelse fra skyldner, sak 2026/17")
    ]
    assert audit[0].read_at is not None


async def test_a_caseworker_must_say_why(notification, letter):
    response = await notification.client.get(
        f"/v1/documents/{letter.document_id}", headers=notification.staff()
    )

    assert response.status_code == 400
    assert response.json()["code"] == "document.reason_missing"


async def test_a_caseworker_of_another_municipality_gets_not_found(notification, letter):
    headers = {**notification.staff(municipalities=("3303",)), "Kravflyt-Read-Reason": "curious"}

    response = await notification.client.get(f"/v1/documents/{letter.document_id}", headers=headers)

    assert response.status_code == 404


async def test_staff_without_the_role_is_forbidden_and_nothing_is_audited(notification, letter):
    before = len(await reads(notification, letter.document_id))
    headers = {**notification.staff(roles=("viewer",)), "Kravflyt-Read-Reason": "curious"}

    response = await notification.client.get(f"/v1/documents/{letter.document_id}", headers=headers)

    assert response.status_code == 403
    assert len(await reads(notification, letter.document_id)) == before


async def test_no_token_is_unauthorised(notification, letter):
    response = await notification.client.get(f"/v1/documents/{letter.document_id}")

    assert response.status_code == 401


async def test_a_caseworker_sees_how_a_notice_went(notification, letter):
    response = await notification.client.get(
        f"/v1/notices/{letter.id}", headers=notification.staff()
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "delivered"
    assert body["deliveries"][0]["channel"] == "digipost"
    assert "Digipost" in body["deliveries"][0]["why"]
