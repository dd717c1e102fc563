"""Channel choice against the fake national services over real HTTP, driven from the bus."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from contracts.dunning import NoticeClaim
from notification_factories import ORGNR, fodselsnummer, requested


@pytest.fixture(autouse=True)
async def no_faults(notification):
    yield
    await notification.fakes.clear_faults()


async def test_a_person_with_a_digipost_mailbox_gets_the_letter_there(notification):
    payload = requested(notification.keys, fodselsnummer(day=15))

    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")

    [message] = await notification.fakes.digipost_messages(str(payload.notice_id))
    assert message["signature_verified"] is True
    assert message["subject"] == "Betalingsoppfordring"
    assert await notification.fakes.svarut_letters(str(payload.notice_id)) == []
    [event] = await notification.events("notices.delivered.v1", payload.notice_id)
    assert event["payload"]["channel"] == "digipost"
    assert event["payload"]["receipt"] == "delivered"


async def test_a_reserved_person_gets_the_letter_through_svarut_and_an_sms_about_it(notification):
    payload = requested(notification.keys, fodselsnummer(day=1))

    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")

    assert await notification.fakes.digipost_messages(str(payload.notice_id)) == []
    [letter] = await notification.fakes.svarut_letters(str(payload.notice_id))
    assert letter["mottaker"]["postAdresse"]["postNummer"] == "3015"
    [order] = await notification.fakes.wait_altinn_orders(str(payload.notice_id))
    assert order["channel"] == "sms"
    [event] = await notification.events("notices.delivered.v1", payload.notice_id)
    assert event["payload"]["channel"] == "svarut"


async def test_a_person_without_a_mailbox_gets_the_letter_through_svarut(notification):
    payload = requested(notification.keys, fodselsnummer(day=3))

    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")

    [letter] = await notification.fakes.svarut_letters(str(payload.notice_id))
    assert "fodselsNummer" in letter["mottaker"]["digitalAdresse"]
    assert await notification.fakes.digipost_messages(str(payload.notice_id)) == []


async def test_an_organisation_gets_the_letter_through_svarut_on_the_altinn_route(notification):
    payload = requested(notification.keys, ORGNR, debtor_kind="organisation")

    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")

    [letter] = await notification.fakes.svarut_letters(str(payload.notice_id))
    assert letter["mottaker"]["digitalAdresse"] == {"organisasjonsNummer": ORGNR}
    assert letter["route"] == "altinn"
    assert await notification.fakes.altinn_orders(str(payload.notice_id)) == []


async def test_a_debtor_without_identity_number_gets_a_printed_letter(notification):
    payload = requested(notification.keys, None)

    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")

    [letter] = await notification.fakes.svarut_letters(str(payload.notice_id))
    assert "digitalAdresse" not in letter["mottaker"]
    assert letter["mottaker"]["postAdresse"]["adresse1"] == "Storgata 1"
    [event] = await notification.events("notices.delivered.v1", payload.notice_id)
    assert event["payload"]["channel"] == "print"


async def test_digipost_not_knowing_the_recipient_sends_the_letter_through_svarut(notification):
    payload = requested(notification.keys, fodselsnummer(day=5))

    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")

    deliveries = await notification.deliveries(payload.notice_id)
    assert [(d.channel, d.status) for d in deliveries if d.kind == "letter"] == [
        ("digipost", "failed"),
        ("svarut", "delivered"),
    ]
    assert len(await notification.fakes.svarut_letters(str(payload.notice_id))) == 1


async def test_an_sms_reminder_goes_as_an_sms_to_the_number_in_krr(notification):
    payload = requested(
        notification.keys,
        fodselsnummer(day=20),
        step_kind="sms_paminnelse",
        new_fee_ore=0,
        fees_ore=0,
        total_ore=326234,
        claims=[_claim_without_fee()],
    )

    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")

    [order] = await notification.fakes.altinn_orders(str(payload.notice_id))
    body = order["recipient"]["recipientSms"]["smsSettings"]["body"]
    assert "2345676" in body and "14.\u00a0april\u00a02026" in body
    [event] = await notification.events("notices.delivered.v1", payload.notice_id)
    assert event["payload"]["channel"] == "sms"


def _claim_without_fee() -> NoticeClaim:
    return NoticeClaim(
        claim_id=uuid4(),
        invoice_number="1",
        claim_type="sfo",
        description="SFO mars",
        due_date=date(2026, 3, 1),
        principal_ore=325000,
        interest_ore=1234,
        fees_ore=0,
    )
