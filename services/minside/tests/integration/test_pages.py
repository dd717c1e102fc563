"""The pages: what a citizen sees, and what nobody else can see, by page or by guessed URL."""

from __future__ import annotations

import re
from datetime import date, timedelta
from uuid import uuid4

import pytest

from minside import queries
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

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


async def _kari_with_claims(minside):
    pid = fodselsnummer()
    ref = minside.ref(pid)
    due = date.today() + timedelta(days=10)
    drammen = registered(ref, principal_ore=120_000, due=due, description="Vann og avløp 1. termin")
    kongsberg = registered(
        ref,
        municipality="3303",
        principal_ore=80_000,
        due=due + timedelta(days=5),
        description="SFO november",
    )
    await minside.apply(
        drammen,
        kongsberg,
        account_opened(ref, drammen.payload.claim_id),
        balance(ref, drammen.payload.claim_id, principal_ore=120_000, fees_ore=3_500),
    )
    user = minside.idporten.person(pid)
    return user, drammen, kongsberg


async def test_the_overview_groups_open_claims_by_municipality_with_totals(minside):
    user, drammen, _ = await _kari_with_claims(minside)
    client = await minside.login(user)

    page = await client.get("/")

    text = page.text.replace("\u00a0", " ")
    assert page.status_code == 200
    assert "Drammen kommune" in text and "Kongsberg kommune" in text
    assert "1 235,00 kr" in text  # 1 200 kr principal + 35 kr fee, due date still ahead
    assert "800,00 kr" in text
    assert "2 035,00 kr" in text  # the total today
    assert f"/claims/{drammen.payload.claim_id}" in text


async def test_the_claim_page_splits_the_amount_and_says_what_happens_next(minside):
    user, drammen, _ = await _kari_with_claims(minside)
    ref = minside.ref(user.employee_number)
    case_id, notice_id = uuid4(), uuid4()
    deadline = date.today() + timedelta(days=12)
    document_id = uuid4()
    minside.notification.documents[document_id] = b"%PDF-1.7 letter"
    minside.notification.owners[document_id] = ref
    claim_id = drammen.payload.claim_id
    await minside.apply(
        case_opened(ref, [claim_id], case_id=case_id),
        step_taken(case_id, [claim_id], deadline=deadline),
        notice_requested(ref, case_id, claim_id, notice_id=notice_id),
        notice_delivered(notice_id, case_id, document_id),
    )
    client = await minside.login(user)

    page = await client.get(f"/claims/{claim_id}")
    letter = await client.get(f"/letters/{notice_id}")

    assert page.status_code == 200
    for word in (
        "Hovedstol",
        "Forsinkelsesrenter",
        "Gebyrer",
        "Hva skjer videre",
        "Betalingspåminnelse",
    ):
        assert word in page.text
    assert "Vi sendte en betalingspåminnelse" in page.text
    assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    assert minside.notification.fetched[-1] == (document_id, ref)


async def test_two_citizens_cannot_see_each_others_claims_or_letters(minside):
    kari, karis_claim, _ = await _kari_with_claims(minside)
    ola_pid = fodselsnummer()
    ola_ref = minside.ref(ola_pid)
    olas_claim = registered(ola_ref, description="Eiendomsskatt 2026")
    case_id, notice_id, document_id = uuid4(), uuid4(), uuid4()
    minside.notification.documents[document_id] = b"%PDF-1.7 ola"
    await minside.apply(
        olas_claim,
        notice_requested(ola_ref, case_id, olas_claim.payload.claim_id, notice_id=notice_id),
        notice_delivered(notice_id, case_id, document_id),
    )
    ola = minside.idporten.person(ola_pid)
    kari_client, ola_client = await minside.login(kari), await minside.login(ola)

    karis_overview = await kari_client.get("/")
    guessed_claim = await kari_client.get(f"/claims/{olas_claim.payload.claim_id}")
    guessed_letter = await kari_client.get(f"/letters/{notice_id}")
    guessed_pay = await kari_client.get(f"/pay?claim={olas_claim.payload.claim_id}")
    guessed_plan = await kari_client.get(f"/requests/new/plan?claim={olas_claim.payload.claim_id}")
    olas_own = await ola_client.get(f"/claims/{olas_claim.payload.claim_id}")

    assert "Eiendomsskatt 2026" not in karis_overview.text
    assert guessed_claim.status_code == 404 and "Eiendomsskatt 2026" not in guessed_claim.text
    assert guessed_letter.status_code == 404 and not guessed_letter.content.startswith(b"%PDF")
    assert guessed_pay.status_code == 404 and guessed_plan.status_code == 404
    assert olas_own.status_code == 200 and "Eiendomsskatt 2026" in olas_own.text
    assert f"/claims/{karis_claim.payload.claim_id}" not in (await ola_client.get("/")).text


@pytest.mark.parametrize(
    "path", ["/", "/history", "/pay", "/requests", "/requests/new/plan", "/accessibility"]
)
async def test_every_page_carries_strict_security_headers(minside, path):
    user, _, _ = await _kari_with_claims(minside)
    client = await minside.login(user)

    page = await client.get(path)

    assert page.status_code == 200
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["cache-control"] == "no-store"
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), "inline script"
    assert " style=" not in page.text and "<style" not in page.text


async def test_pages_need_a_login(minside):
    anonymous = minside.browser()

    page = await anonymous.get("/claims/" + str(uuid4()))
    start = await anonymous.get("/")

    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=/claims/")
    assert start.status_code == 200 and 'href="/login"' in start.text


async def test_a_form_post_without_the_csrf_token_is_refused(minside):
    user, drammen, _ = await _kari_with_claims(minside)
    client = await minside.login(user)
    form = {
        "form_token": "t" * 32,
        "claim_ids": str(drammen.payload.claim_id),
        "text": "Feil beløp",
    }

    without = await client.post("/requests/new/dispute", data=form)
    wrong = await client.post("/requests/new/dispute", data=form | {"csrf_token": "guess"})
    logout = await client.post("/logout", data={})

    async with minside.container.runtime.engine.connect() as conn:
        stored = await queries.requests_of(conn, minside.ref(user.employee_number))
    assert without.status_code == 403 and wrong.status_code == 403 and logout.status_code == 403
    assert stored == []
    assert (await client.get("/")).status_code == 200  # still logged in


async def test_the_language_switch_speaks_nynorsk_and_english(minside):
    client = minside.browser()

    nynorsk = await client.get("/language", params={"lang": "nn", "next": "/accessibility"})
    nn_page = await client.get("/accessibility")
    await client.get("/language", params={"lang": "en", "next": "//evil.example"})
    en_page = await client.get("/")

    assert nynorsk.headers["location"] == "/accessibility"
    assert '<html lang="nn"' in nn_page.text and "Tilgjengelegheitserklæring" in nn_page.text
    assert '<html lang="en"' in en_page.text and "Log in with ID-porten" in en_page.text


async def test_an_unknown_page_is_a_friendly_404(minside):
    page = await minside.browser().get("/no/such/page")

    assert page.status_code == 404 and "Fant ikke siden" in page.text
