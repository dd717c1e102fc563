"""A merger on day D splits a month's settlement: before D the old municipality, from D its
successor, each payment by the day it was booked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from payments.bootstrap import office_from
from payments.config import PaymentsSettings
from payments_checks import kid_of
from payments_factories import ocr_file, registered
from rules.municipalities import register_from

MERGER_DAY = date(2025, 6, 16)
# The office's addition to the register: Lier merges into Drammen on MERGER_DAY.
LIER_INTO_DRAMMEN = """
[[municipality]]
number = "3312"
name = "Lier"
valid_from = 2024-01-01
valid_to = 2025-06-16
successors = ["3301"]
"""
OCR = {"Content-Type": "text/plain"}


@pytest.fixture(scope="module")
def office_override(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path: Path = tmp_path_factory.mktemp("register") / "office.toml"
    path.write_text(LIER_INTO_DRAMMEN, encoding="utf-8")
    office = office_from(PaymentsSettings())
    return {"office": replace(office, register=register_from(str(path)))}


async def pay(payments, kid: str, amount_ore: int, day: date) -> None:
    response = await payments.client.post(
        "/v1/payment-files",
        content=ocr_file((kid, amount_ore, day)),
        headers={**payments.token(), **OCR},
    )
    assert response.status_code == 201, response.text


async def settle(payments, municipality: str, period: str) -> dict[str, Any]:
    wanted = {"municipality": municipality, "period": period}
    response = await payments.client.post("/v1/settlements", json=wanted, headers=payments.token())
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_month_of_a_merger_is_settled_to_the_old_before_d_and_the_successor_from_d(
    payments,
):
    lier = registered(principal_ore=100_000, due_date=date(2025, 6, 2), municipality="3312")
    await payments.apply(lier)
    kid = await kid_of(payments, lier.payload.claim_id)
    await pay(payments, kid, 40_000, MERGER_DAY.replace(day=15))
    await pay(payments, kid, 25_000, MERGER_DAY)

    old = await settle(payments, "3312", "2025-06")
    successor = await settle(payments, "3301", "2025-06")

    assert old["remitted_ore"] == 40_000
    assert successor["remitted_ore"] == 25_000
    assert [line["claim_id"] for line in successor["lines"]] == [str(lier.payload.claim_id)]


async def test_the_month_before_a_merger_stays_with_the_old_municipality(payments):
    lier = registered(principal_ore=100_000, due_date=date(2025, 5, 2), municipality="3312")
    await payments.apply(lier)
    kid = await kid_of(payments, lier.payload.claim_id)
    await pay(payments, kid, 30_000, date(2025, 5, 20))

    may_drammen = await payments.client.post(
        "/v1/settlements",
        json={"municipality": "3301", "period": "2025-05"},
        headers=payments.token(),
    )
    may_lier = await settle(payments, "3312", "2025-05")

    assert may_drammen.json()["code"] == "settlement.nothing_to_settle"
    assert may_lier["remitted_ore"] == 30_000
