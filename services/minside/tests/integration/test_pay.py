"""Paying: the exact amount today, KID and account to copy, and Vipps through payments (faked)."""

from __future__ import annotations

import asyncio
from calendar import isleap
from datetime import date, timedelta
from fractions import Fraction

from minside.web.security import origin_of
from minside_factories import account_opened, balance, fodselsnummer, registered
from minside_pages import csrf_of, form_token_of
from rules.money import format_ore
from rules.rates import forsinkelsesrente_on
from rules.rounding import round_half_up


async def _citizen(minside, *, due: date, principal_ore: int = 100_000, as_of: date | None = None):
    pid = fodselsnummer()
    ref = minside.ref(pid)
    claim = registered(ref, principal_ore=principal_ore, due=due)
    claim_id = claim.payload.claim_id
    await minside.apply(
        claim,
        account_opened(ref, claim_id),
        balance(
            ref,
            claim_id,
            principal_ore=principal_ore,
            fees_ore=3_500,
            as_of=as_of or date.today(),
            interest_through=as_of,
        ),
    )
    return await minside.login(minside.idporten.person(pid)), ref, claim_id


async def test_the_pay_page_shows_kid_account_and_todays_exact_amount(minside):
    due = date(2026, 1, 15)
    as_of = date.today() - timedelta(days=30)
    client, _, claim_id = await _citizen(minside, due=due, principal_ore=1_000_000, as_of=as_of)

    page = await client.get(f"/pay?claim={claim_id}")

    # The ledger booked interest through 30 days ago; the page adds the 30 days since, on the
    # principal only, at the rate in force (no half-year boundary lies in those 30 days here).
    rate = Fraction(forsinkelsesrente_on(date.today())) / 100
    unbooked = round_half_up(
        1_000_000 * rate * Fraction(30, 366 if isleap(date.today().year) else 365)
    )
    assert format_ore(1_000_000 + 3_500 + unbooked) in page.text
    assert "2345676" in page.text and "1503.20.80000" in page.text


async def test_vipps_is_started_once_however_often_the_form_is_sent(minside):
    client, ref, claim_id = await _citizen(minside, due=date.today() + timedelta(days=5))
    page = await client.get("/pay")
    form = {
        "csrf_token": csrf_of(page),
        "form_token": form_token_of(page),
        "claim_ids": str(claim_id),
    }

    answers = await asyncio.gather(*(client.post("/pay/vipps", data=form) for _ in range(3)))

    payments = [p for p in minside.payments.payments.values() if p["debtor_ref"] == ref]
    assert {a.status_code for a in answers} == {303}
    assert len({a.headers["location"] for a in answers}) == 1
    assert answers[0].headers["location"].startswith(minside.payments.redirect_base)
    assert len(payments) == 1
    assert payments[0]["amount_ore"] == 103_500 and payments[0]["claim_ids"] == [str(claim_id)]
    assert payments[0]["return_url"] == minside.container.base_url + "/pay/done"


async def test_vipps_for_someone_elses_claim_is_refused(minside):
    kari, _, _ = await _citizen(minside, due=date.today())
    _, _, olas_claim = await _citizen(minside, due=date.today())
    page = await kari.get("/pay")

    refused = await kari.post(
        "/pay/vipps",
        data={
            "csrf_token": csrf_of(page),
            "form_token": form_token_of(page),
            "claim_ids": str(olas_claim),
        },
    )

    assert refused.status_code == 404


async def test_when_payments_is_down_the_page_offers_the_bank_instead(minside):
    client, _, claim_id = await _citizen(minside, due=date.today())
    page = await client.get("/pay")
    minside.payments.fail = True
    try:
        answer = await client.post(
            "/pay/vipps",
            data={
                "csrf_token": csrf_of(page),
                "form_token": form_token_of(page),
                "claim_ids": str(claim_id),
            },
        )
    finally:
        minside.payments.fail = False

    assert answer.status_code == 503 and "KID" in answer.text


async def test_forms_may_lead_only_to_us_the_login_and_the_configured_vipps(minside):
    page = await minside.client.get("/")

    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";")
    )
    own, *others = policy["form-action"].split()
    assert own == "'self'"
    assert set(others) == {"https://vipps.fake", origin_of(minside.settings.oidc_issuer)}


async def test_a_redirect_outside_vipps_is_not_followed(minside):
    client, _, claim_id = await _citizen(minside, due=date.today())
    page = await client.get("/pay")
    minside.payments.redirect_base = "https://elsewhere.example/fake/landing"
    try:
        answer = await client.post(
            "/pay/vipps",
            data={
                "csrf_token": csrf_of(page),
                "form_token": form_token_of(page),
                "claim_ids": str(claim_id),
            },
        )
    finally:
        minside.payments.redirect_base = "https://vipps.fake/fake/landing"

    assert answer.status_code == 503 and "location" not in answer.headers


async def test_when_the_amount_has_changed_the_pay_page_shows_the_new_amount_to_confirm_again(
    minside,
):
    client, ref, claim_id = await _citizen(minside, due=date.today() + timedelta(days=5))
    page = await client.get(f"/pay?claim={claim_id}")
    # The ledger moved after the page was shown: a fee booked, so payments refuses the old sum.
    await minside.apply(
        balance(ref, claim_id, principal_ore=100_000, fees_ore=5_000, as_of=date.today())
    )
    minside.payments.amount_changed = True
    try:
        answer = await client.post(
            "/pay/vipps",
            data={
                "csrf_token": csrf_of(page),
                "form_token": form_token_of(page),
                "claim_ids": str(claim_id),
            },
            headers={"accept-language": "en"},
        )
    finally:
        minside.payments.amount_changed = False

    assert answer.status_code == 409 and "location" not in answer.headers
    assert "The amount has changed" in answer.text and format_ore(105_000) in answer.text
    assert form_token_of(answer) != form_token_of(page)
    # Confirming again starts the payment of the new amount.
    again = await client.post(
        "/pay/vipps",
        data={
            "csrf_token": csrf_of(answer),
            "form_token": form_token_of(answer),
            "claim_ids": str(claim_id),
        },
    )
    assert again.status_code == 303
    assert minside.payments.requests[-1]["amount_ore"] == 105_000
