"""Shared setup of the browser tests: a citizen with claims, and a login through the provider."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from minside_factories import (
    account_opened,
    balance,
    case_opened,
    fodselsnummer,
    notice_delivered,
    notice_requested,
    registered,
    step_taken,
)
from minside_idporten import PASSWORD

LANGS = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}
LOGIN = {
    "nb": "Logg inn med ID-porten",
    "nn": "Logg inn med ID-porten",
    "en": "Log in with ID-porten",
}


async def citizen(served: Any) -> dict[str, Any]:
    """Kari: two open claims in Drammen (one with a reminder and its letter), one in Kongsberg,
    one paid; and an earlier dispute and plan request to show."""
    pid = fodselsnummer()
    ref = served.ref(pid)
    today = date.today()
    vann = registered(
        ref,
        principal_ore=412_500,
        due=today - timedelta(days=25),
        description="Vann og avløp, 2. termin",
        claim_type="eiendomsgebyr",
    )
    sfo = registered(
        ref, principal_ore=189_000, due=today + timedelta(days=9), description="SFO november"
    )
    helse = registered(
        ref,
        municipality="3303",
        principal_ore=96_000,
        due=today + timedelta(days=20),
        description="Praktisk bistand oktober",
        claim_type="helse_omsorg",
    )
    paid = registered(
        ref,
        principal_ore=50_000,
        due=today - timedelta(days=90),
        description="Kulturskole vår",
        claim_type="kulturskole",
    )
    case_id, notice_id, document_id = uuid4(), uuid4(), uuid4()
    served.notification.documents[document_id] = b"%PDF-1.7\n% betalingspaminnelse\n%%EOF\n"
    vann_id = vann.payload.claim_id
    await served.apply(
        vann,
        sfo,
        helse,
        paid,
        *(
            account_opened(ref, c.payload.claim_id, municipality=c.payload.municipality)
            for c in (vann, sfo, helse)
        ),
        balance(ref, vann_id, principal_ore=412_500, interest_ore=2_040, fees_ore=3_500),
        balance(ref, paid.payload.claim_id, principal_ore=0, paid_ore=50_000, cause="payment"),
        case_opened(ref, [vann_id], case_id=case_id),
        step_taken(
            case_id, [vann_id], sent=today - timedelta(days=10), deadline=today + timedelta(days=4)
        ),
        notice_requested(ref, case_id, vann_id, notice_id=notice_id),
        notice_delivered(notice_id, case_id, document_id),
    )
    user = served.idporten.person(pid)
    served.idporten.server.consent(user)
    return {
        "user": user,
        "ref": ref,
        "vann": vann_id,
        "sfo": sfo.payload.claim_id,
        "helse": helse.payload.claim_id,
        "paid": paid.payload.claim_id,
        "case": case_id,
        "notice": notice_id,
    }


async def log_in(
    served: Any, chromium: Any, user: Any, lang: str = "nb", shots: Path | None = None
) -> Any:
    context = await chromium.new_context(locale=LANGS[lang], base_url=served.container.base_url)
    page = await context.new_page()
    await page.goto("/")
    if shots:
        await page.screenshot(path=str(shots / "01-start.png"), full_page=True)
    await page.get_by_role(
        "link",
        name={
            "nb": "Logg inn med ID-porten",
            "nn": "Logg inn med ID-porten",
            "en": "Log in with ID-porten",
        }[lang],
    ).click()
    await page.fill("#login", user.user_name)
    if shots:
        await page.screenshot(path=str(shots / "02-provider-login.png"), full_page=True)
    await page.get_by_role("button", name="Continue").click()
    await page.fill("input[name=password]", PASSWORD)
    await page.locator("button[type=submit]").last.click()
    await page.wait_for_url(served.container.base_url + "/**")
    return page
