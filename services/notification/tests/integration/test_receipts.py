"""Receipts after hand-over: opened letters are announced, refused ones go back to dunning."""

from __future__ import annotations

from notification_factories import fodselsnummer, requested


async def printed_letter(notification):
    payload = requested(notification.keys, fodselsnummer(day=1))
    await notification.publish(payload)
    await notification.wait_status(payload.notice_id, "delivered")
    [letter] = await notification.fakes.svarut_letters(str(payload.notice_id))
    return payload, letter


async def set_status(notification, forsendelse_id: str, status: str) -> None:
    await notification.fakes.admin(
        "svarut", "PUT", f"/forsendelser/{forsendelse_id}/status", json={"status": status}
    )


async def test_a_letter_the_person_opened_is_announced_once(notification):
    payload, letter = await printed_letter(notification)
    await notification.container.sweeper.sweep_once()
    await set_status(notification, letter["id"], "LEST")

    await notification.container.sweeper.sweep_once()
    await notification.container.sweeper.sweep_once()

    receipts = [
        e["payload"]["receipt"]
        for e in await notification.events("notices.delivered.v1", payload.notice_id)
    ]
    assert receipts == ["delivered", "opened"]
    [delivery] = [d for d in await notification.deliveries(payload.notice_id) if d.kind == "letter"]
    assert delivery.receipt == "opened"


async def test_a_letter_svarut_could_not_deliver_goes_back_to_dunning(notification):
    payload, letter = await printed_letter(notification)
    await set_status(notification, letter["id"], "IKKE_LEVERT")

    await notification.container.sweeper.sweep_once()

    [event] = await notification.events("notices.failed.v1", payload.notice_id)
    assert event["payload"]["reason_code"] == "delivery.returned"
    assert "IKKE_LEVERT" in event["payload"]["reason"]
    assert event["payload"]["channel"] == "svarut"
