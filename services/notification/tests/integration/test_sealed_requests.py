"""The debtor's name and address reach notification sealed; the letter shows them opened."""

from __future__ import annotations

from uuid import UUID

from notification_factories import DEBTOR_NAME, envelope, fodselsnummer, requested, sealed_request
from pdf_tools import pdf_text, require_poppler
from runtime.personal_data import PersonalDataKeys
from runtime.testing import publish_bytes, read_events


async def letter_text(notification, row) -> str:
    response = await notification.client.get(
        f"/v1/documents/{row.document_id}", headers=notification.minside(row.debtor_ref)
    )
    assert response.status_code == 200
    return pdf_text(response.content)


async def test_a_sealed_request_is_a_letter_to_the_opened_name_and_address(notification):
    require_poppler("pdftotext")
    payload = requested(notification.keys, fodselsnummer(day=5))

    await notification.publish(payload)
    row = await notification.wait_status(payload.notice_id, "delivered")

    text = await letter_text(notification, row)
    assert DEBTOR_NAME in text
    assert "Storgata 1" in text
    assert "3015 Drammen" in text
    assert (row.debtor_name, row.debtor_address["lines"]) == (DEBTOR_NAME, ["Storgata 1"])


async def test_a_request_left_in_the_topic_as_v1_is_still_delivered(notification):
    payload = requested(notification.keys, fodselsnummer(day=6))

    await notification.publish(payload, sealed=False)

    row = await notification.wait_status(payload.notice_id, "delivered")
    assert row.debtor_name == DEBTOR_NAME


async def test_details_no_configured_key_opens_go_to_the_dead_letters_without_the_name(
    notification,
):
    payload = requested(notification.keys, fodselsnummer(day=7))
    foreign = PersonalDataKeys.generate("gone1")
    sealed = envelope(sealed_request(foreign, payload))

    await publish_bytes(notification.nats_url, sealed.type, sealed.model_dump_json().encode())

    [dead] = await read_events(
        notification.nats_url,
        "deadletters.recorded.v1",
        lambda e: e["payload"]["event_id"] == str(sealed.id),
        expect=1,
    )
    message = dead["payload"]["error_message"]
    assert "debtor_details_sealed" in message
    assert "gone1" in message
    assert DEBTOR_NAME not in dead["payload"]["original"]
    assert await notification.notice(UUID(str(payload.notice_id))) is None
