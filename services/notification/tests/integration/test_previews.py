"""Previews: a caseworker renders a notice from posted data; nothing is stored or sent."""

from __future__ import annotations

import sqlalchemy as sa

from pdf_tools import pdf_text, require_poppler


def body(**overrides):
    values = {
        "step_kind": "betalingsoppfordring",
        "municipality": "3301",
        "language": "nn",
        "debtor_name": "Ola Nordmann",
        "debtor_address": {"lines": ["Kirkegata 2"], "postal_code": "3616", "city": "Kongsberg"},
        "claims": [
            {
                "invoice_number": "2026-9",
                "description": "Kulturskole haust",
                "due_date": "2026-03-01",
                "principal_ore": 120000,
                "interest_ore": 0,
                "fees_ore": 10500,
            }
        ],
        "principal_ore": 120000,
        "interest_ore": 0,
        "fees_ore": 10500,
        "new_fee_ore": 10500,
        "total_ore": 130500,
        "interest_rate_percent": "12.00",
        "interest_from": "2026-03-02",
        "kid": "2345676",
        "account_number": "12345678903",
        "sent_date": "2026-03-31",
        "deadline_date": "2026-04-14",
        "legal_basis": "inkassolova § 10",
    }
    values.update(overrides)
    return values


async def documents(notification) -> int:
    async with notification.container.runtime.engine.connect() as conn:
        return (await conn.execute(sa.text("SELECT count(*) FROM document"))).scalar_one()


async def test_a_caseworker_previews_a_letter_without_storing_it(notification):
    require_poppler("pdftotext")
    before = await documents(notification)

    response = await notification.client.post(
        "/v1/previews", json=body(), headers=notification.staff()
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Betalingsoppmoding" in text and "Kulturskole haust" in text and "1 305,00 kr" in text
    assert await documents(notification) == before


async def test_a_preview_missing_what_the_law_requires_is_refused_with_every_reason(notification):
    response = await notification.client.post(
        "/v1/previews",
        json=body(interest_rate_percent=None, interest_from=None),
        headers=notification.staff(),
    )

    assert response.status_code == 422
    codes = [e["code"] for e in response.json()["errors"]]
    assert codes == ["notice.interest_rate_missing", "notice.interest_from_missing"]


async def test_a_preview_for_a_municipality_the_caseworker_does_not_serve_is_forbidden(
    notification,
):
    response = await notification.client.post(
        "/v1/previews", json=body(municipality="3303"), headers=notification.staff()
    )

    assert response.status_code == 403
