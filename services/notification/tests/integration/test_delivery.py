"""At most once per channel, retries with back-off, permanent failures back to dunning."""

from __future__ import annotations

import asyncio

import pytest

from notification.handlers import outcomes
from notification.handlers.accept import accept_notice
from notification.handlers.dispatch import deliver_notice
from notification_factories import envelope, fodselsnummer, requested
from notification_fixtures import start_notification, stop_notification
from runtime.testing import read_events


@pytest.fixture(autouse=True)
async def no_faults(notification):
    yield
    await notification.fakes.clear_faults()


async def test_the_same_request_delivered_twice_ends_in_one_letter_at_the_mailbox(notification):
    payload = requested(notification.keys, fodselsnummer(day=16))
    event_id = await notification.publish(payload)

    await notification.publish(payload, event_id=event_id)
    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")
    await asyncio.sleep(1.5)

    assert len(await notification.fakes.digipost_messages(str(payload.notice_id))) == 1
    assert len(await notification.events("notices.delivered.v1", payload.notice_id)) == 1
    assert len(await notification.deliveries(payload.notice_id)) == 1


@pytest.mark.parametrize(("day", "provider"), [(17, "digipost"), (3, "svarut")])
async def test_a_restart_between_sent_and_recorded_ends_in_one_letter(
    notification, monkeypatch, day, provider
):
    payload = requested(notification.keys, fodselsnummer(day=day))
    c = notification.container

    async def crash(*args, **kwargs):
        raise SystemExit("the process died after the provider accepted the letter")

    monkeypatch.setattr(outcomes, "record_delivered", crash)
    async with c.runtime.uow() as uow:
        await accept_notice(uow, envelope(payload), renderer=c.renderer, store=c.store)
        await uow.commit()
    with pytest.raises(SystemExit):
        await deliver_notice(c.dispatcher, payload.notice_id)
    monkeypatch.undo()
    restarted, client = await start_notification(
        notification.settings.model_copy(update={"sweep_interval_seconds": 0.1})
    )
    try:
        await notification.wait_status(payload.notice_id, "delivered")
    finally:
        await stop_notification(restarted, client)

    sent = (
        await notification.fakes.digipost_messages(str(payload.notice_id))
        if provider == "digipost"
        else await notification.fakes.svarut_letters(str(payload.notice_id))
    )
    assert len(sent) == 1
    assert len(await notification.events("notices.delivered.v1", payload.notice_id)) == 1
    [letter] = await notification.deliveries(payload.notice_id)
    assert (letter.channel, letter.status) == (provider, "delivered")


async def test_transient_errors_are_retried_with_back_off_and_then_succeed(notification):
    await notification.fakes.fault("digipost", status=503, times=2, path="/messages")
    payload = requested(notification.keys, fodselsnummer(day=18))

    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")

    [letter] = await notification.deliveries(payload.notice_id)
    assert (letter.status, letter.attempts) == ("delivered", 3)
    assert len(await notification.fakes.digipost_messages(str(payload.notice_id))) == 1


async def test_a_timeout_counts_as_transient(notification):
    await notification.fakes.fault("digipost", mode="timeout", seconds=3, times=1, path="/messages")
    payload = requested(notification.keys, fodselsnummer(day=19))

    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")

    [letter] = await notification.deliveries(payload.notice_id)
    assert letter.attempts == 2


async def test_a_permanent_error_fails_the_notice_with_the_providers_reason(notification):
    await notification.fakes.fault(
        "digipost",
        status=400,
        code="INVALID_PDF_CONTENT",
        message="The PDF has a form field",
        times=1,
        path="/messages",
    )
    payload = requested(notification.keys, fodselsnummer(day=21))

    await notification.publish(payload)
    row = await notification.wait_status(payload.notice_id, "failed")

    [event] = await notification.events("notices.failed.v1", payload.notice_id)
    assert event["payload"]["reason_code"] == "delivery.rejected"
    assert "INVALID_PDF_CONTENT" in event["payload"]["reason"]
    assert "The PDF has a form field" in event["payload"]["reason"]
    assert event["payload"]["channel"] == "digipost"
    assert event["payload"]["permanent"] is True
    assert row.failure_code == "delivery.rejected"
    [letter] = await notification.deliveries(payload.notice_id)
    assert (letter.status, letter.error_code) == ("failed", "INVALID_PDF_CONTENT")


async def test_a_provider_down_for_longer_is_tried_again_later_by_the_sweeper(notification):
    await notification.fakes.fault("svarut", status=503, times=3, path="/sendForsendelse")
    payload = requested(notification.keys, fodselsnummer(day=3))

    await notification.publish(payload)
    postponed = await notification.wait_postponed(payload.notice_id)
    await asyncio.sleep(0.3)
    await notification.container.sweeper.sweep_once()

    row = await notification.wait_status(payload.notice_id, "delivered")
    assert postponed.status == "accepted" and row.dispatch_attempts == 1
    assert len(await notification.fakes.svarut_letters(str(payload.notice_id))) == 1


async def test_a_betalingsoppfordring_without_the_interest_rate_is_refused_and_reported(
    notification,
):
    payload = requested(notification.keys, fodselsnummer(day=22), interest_rate_percent="")

    await notification.publish(payload)
    row = await notification.wait_status(payload.notice_id, "refused")

    [event] = await notification.events("notices.failed.v1", payload.notice_id)
    assert event["payload"]["reason_code"] == "notice.interest_rate_missing"
    assert event["payload"]["permanent"] is True
    assert row.document_id is None
    assert await notification.deliveries(payload.notice_id) == []
    assert await notification.fakes.digipost_messages(str(payload.notice_id)) == []


async def test_outcomes_reach_the_bus(notification):
    payload = requested(notification.keys, fodselsnummer(day=23))

    await notification.publish(payload)
    events = await read_events(
        notification.nats_url,
        "notices.delivered.v1",
        lambda e: e["payload"]["notice_id"] == str(payload.notice_id),
        expect=1,
    )

    assert len(events) == 1
    assert events[0]["subject"] == str(payload.case_id)
    assert events[0]["tenant"] == "3301"


async def test_a_letter_to_print_without_a_postal_address_fails_with_that_reason(notification):
    payload = requested(notification.keys, None, debtor_address=None)

    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "failed")

    [event] = await notification.events("notices.failed.v1", payload.notice_id)
    assert event["payload"]["reason_code"] == "delivery.no_postal_address"
    assert event["payload"]["channel"] == "print"
    assert await notification.fakes.svarut_letters(str(payload.notice_id)) == []
