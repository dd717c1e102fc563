"""Anything intake accepts, a letter can print: names, addresses and descriptions in every
script of a Norwegian register go through a running intake and come out in a rendered letter.

Dunning and notification pass these strings on unchanged, so the letter is rendered from what
intake stored and answered. The letter is PDF/A, where typst refuses a character no font has:
a rendered letter means every character was printed. What the fonts lack (emoji), intake
refuses with ``text.unprintable`` and the code point.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import httpx
import pytest

from notification.domain.notice import Address, ClaimLine, Notice
from notification.letters.render import Renderer

pytestmark = pytest.mark.e2e

# name, address line, city, description: one debtor per script
SCRIPTS = {
    "norwegian": ("Åse Ødegård Ærø", "Bjørkåsen 7", "Bærum", "Foreldrebetaling barnehage"),
    "sami": ("Máret Ŋuolja-Čáhppes", "Šiellájohka 3", "Guovdageaidnu", "Ǯiehtanas ǥiella ǩ"),
    "eastern-european": ("Łukasz Żółć-Dvořák", "Ulica Şerban 5", "Ţăranu", "Őrség Űr"),
    "cyrillic": ("Вера Ивановна Щукина", "Улица Ленина 1", "Мурманск", "Оплата детсада"),
    "greek": ("Ελένη Παπαδοπούλου", "Οδός Αθηνάς 12", "Αθήνα", "Δίδακτρα"),
    "arabic": ("محمد عبد الله", "شارع النيل 4", "القاهرة", "رسوم الروضة"),
    "vietnamese": ("Nguyễn Thị Ngọc Ánh", "Đường Lê Lợi 9", "Hà Nội", "Học phí mẫu giáo"),
    "chinese": ("王小明", "长安街 1 号", "北京", "幼儿园费用"),
    "japanese": ("山田 はなこ", "カタカナ通り 2", "東京", "保育料"),
    "korean": ("김민준", "세종대로 110", "서울", "어린이집 보육료"),
}


def letter_for(name: str, lines: list[str], city: str, description: str) -> Notice:
    today = date.today()
    line = ClaimLine(
        claim_id=str(uuid4()),
        invoice_number="E2E-1",
        claim_type="barnehage",
        description=description,
        due_date=today - timedelta(days=10),
        principal_ore=125_000,
        interest_ore=0,
        fees_ore=0,
    )
    return Notice(
        notice_id=uuid4(),
        case_id=uuid4(),
        step_kind="purring",
        municipality="3301",
        language="nb",
        debtor_ref="ref1_e2e",
        debtor_kind="person",
        debtor_name=name,
        debtor_address=Address(tuple(lines), "3015", city),
        claims=(line,),
        principal_ore=125_000,
        interest_ore=0,
        fees_ore=0,
        new_fee_ore=0,
        total_ore=125_000,
        interest_rate_percent="12.00",
        interest_from=today - timedelta(days=9),
        kid="2345676",
        account_number="12345678903",
        sent_date=today,
        deadline_date=today + timedelta(days=14),
        legal_basis="inkassoloven § 9",
    )


def test_every_script_intake_accepts_comes_out_in_a_rendered_letter(local_stack, claim_body):
    local_stack.start_service("intake")
    headers = {"Authorization": f"Bearer {local_stack.token()}"}
    batch = [
        claim_body(
            debtor={
                **claim_body()["debtor"],
                "name": name,
                "address": {"lines": [street], "postal_code": "3015", "city": city},
            },
            description=description,
        )
        for name, street, city, description in SCRIPTS.values()
    ]
    emoji = claim_body(description="Barnehage \U0001f476")

    with httpx.Client(base_url=local_stack.service_url("intake"), trust_env=False) as client:
        answer = client.post("/v1/claims", json=batch, headers=headers).json()
        stored = [
            client.get(f"/v1/claims/{r['id']}", headers=headers).json() for r in answer["results"]
        ]
        refused = client.post("/v1/claims", json=emoji, headers=headers)

    assert answer["registered"] == len(SCRIPTS), answer
    renderer = Renderer()
    try:
        for claim, submitted in zip(stored, batch, strict=True):
            address = submitted["debtor"]["address"]
            notice = letter_for(
                claim["debtor"]["name"], address["lines"], address["city"], claim["description"]
            )
            assert renderer.render_sync(notice).pages >= 1
    finally:
        renderer.close()
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert (error["code"], error["field"]) == ("text.unprintable", "description")
    assert "U+1F476" in error["message"]
