"""Notification's OpenAPI documents the fields of every answer, and the answers are what it says."""

from __future__ import annotations

import jsonschema

from notification_factories import fodselsnummer, requested
from runtime.testing import answer_schema, schemaless_answers


async def test_every_success_answer_is_documented_with_its_fields(notification):
    document = (await notification.client.get("/openapi.json")).json()

    assert schemaless_answers(document) == []


async def test_a_notices_status_matches_its_documented_schema(notification):
    document = (await notification.client.get("/openapi.json")).json()
    payload = requested(notification.keys, fodselsnummer(day=25))
    await notification.publish(payload)
    row = await notification.wait_status(payload.notice_id, "delivered")

    answer = await notification.client.get(f"/v1/notices/{row.id}", headers=notification.staff())

    assert answer.status_code == 200, answer.text
    schema = answer_schema(document, "/v1/notices/{notice_id}", "get", 200)
    jsonschema.validate(answer.json(), schema, format_checker=jsonschema.FormatChecker())
    assert answer.json()["deliveries"]
