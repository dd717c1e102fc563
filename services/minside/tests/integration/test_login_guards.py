"""Min side's boundaries against a careless or hostile client: anonymous logins cost nothing
and are rate-limited, bad callbacks and bad form text get the HTML error page."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
import sqlalchemy as sa

import minside_idporten
from minside.bootstrap import create_app
from minside_factories import fodselsnummer, registered
from minside_fakes import FakeNotification, FakePayments
from minside_pages import csrf_of, form_token_of
from minside_testing import BASE_URL, MinsideUnderTest, minside_settings


@pytest.fixture(scope="module")
async def limited(
    minside_db: str,
    nats_url: str,
    personal_keys: dict[str, str],
    idporten: minside_idporten.IdPorten,
) -> AsyncIterator[MinsideUnderTest]:
    """Min side with its login limit at 5 a minute per client address."""
    settings = minside_settings(
        minside_db, nats_url, personal_keys, idporten.issuer, login_rate_limit="5/minute"
    )
    payments, notification = FakePayments(), FakeNotification()
    app = create_app(settings, payments=payments.client(), documents=notification.client())
    runtime = app.state.container.runtime
    await runtime.start()
    transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 40000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield MinsideUnderTest(app, client, settings, idporten, payments, notification)
    await runtime.stop()


def _from(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


async def _row_counts(minside) -> dict[str, int]:
    async with minside.container.runtime.engine.connect() as conn:
        tables = (
            await conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
        ).scalars()
        return {
            t: (await conn.execute(sa.text(f'SELECT count(*) FROM "{t}"'))).scalar_one()  # noqa: S608
            for t in list(tables)
        }


async def test_starting_a_login_writes_nothing_to_the_database(minside):
    before = await _row_counts(minside)

    starts = [await minside.browser().get("/login") for _ in range(30)]

    assert {s.status_code for s in starts} == {303}
    assert await _row_counts(minside) == before


async def test_logins_started_from_one_address_are_limited_with_the_html_error_page(limited):
    async with _from(limited.app, "198.51.100.7") as one, _from(limited.app, "198.51.100.8") as two:
        answers = [await one.get("/login") for _ in range(6)]
        other = await two.get("/login")

    assert [a.status_code for a in answers] == [303] * 5 + [429]
    assert answers[-1].headers["content-type"].startswith("text/html")
    assert "<h1" in answers[-1].text
    assert other.status_code == 303


async def test_a_callback_with_an_oversized_state_shows_the_login_error_page(minside):
    answer = await minside.browser().get(
        "/login/callback", params={"state": "s" * 201, "code": "c"}
    )

    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert 'href="/login"' in answer.text


async def test_a_callback_with_a_state_of_other_text_is_refused_as_a_mismatch(minside):
    client = minside.browser()
    await client.get("/login")

    answer = await client.get("/login/callback", params={"state": "tilstand-æøå", "code": "c"})

    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")


async def _dispute_form(minside) -> tuple[httpx.AsyncClient, dict[str, str], str]:
    pid = fodselsnummer()
    claim = registered(minside.ref(pid), due=date.today() + timedelta(days=3))
    await minside.apply(claim)
    client = await minside.login(minside.idporten.person(pid))
    page = await client.get(f"/requests/new/dispute?claim={claim.payload.claim_id}")
    form = {
        "csrf_token": csrf_of(page),
        "form_token": form_token_of(page),
        "claim_ids": str(claim.payload.claim_id),
    }
    return client, form, minside.ref(pid)


@pytest.mark.parametrize(
    ("bad", "reason", "character"),
    [
        ("\u0000", "text.control_character", "U+0000"),
        ("a\u0007b", "text.control_character", "U+0007"),
        ("\u0085", "text.control_character", "U+0085"),
        ("\u202e", "text.control_character", "U+202E"),
        ("\u0378", "text.unassigned", "U+0378"),
        ("\U000e0080", "text.unassigned", "U+E0080"),
    ],
    ids=["nul", "bell", "next-line", "bidi-override", "unassigned", "plane-14"],
)
async def test_a_refused_character_in_a_form_gets_the_html_error_page_naming_field_and_reason(
    minside, bad, reason, character
):
    client, form, _ = await _dispute_form(minside)
    before = await _row_counts(minside)

    answer = await client.post("/requests/new/dispute", data={**form, "text": f"Feil krav{bad}"})

    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "Teksten" in answer.text and character in answer.text and reason in answer.text
    assert bad not in answer.text
    assert await _row_counts(minside) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("claim_ids", "{claim}\n"), ("claim_ids", "{claim}\t"), ("kl\u0000age", "ja")],
    ids=["line-feed-in-a-one-line-field", "tab-in-a-one-line-field", "nul-in-a-field-name"],
)
async def test_a_line_break_outside_a_textarea_or_a_bad_field_name_gets_the_error_page(
    minside, field, value
):
    client, form, _ = await _dispute_form(minside)
    before = await _row_counts(minside)
    form = {**form, "text": "Feil krav", field: value.format(claim=form["claim_ids"])}

    answer = await client.post("/requests/new/dispute", data=form)

    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "Et felt i skjemaet" in answer.text and "text.control_character" in answer.text
    assert await _row_counts(minside) == before


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u2060\ufe0f", " \u3000\r\n\u200d"])
async def test_a_text_of_only_invisible_characters_is_asked_for_again_and_nothing_is_stored(
    minside, invisible
):
    client, form, _ = await _dispute_form(minside)
    before = await _row_counts(minside)

    answer = await client.post("/requests/new/dispute", data={**form, "text": invisible})

    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "Skriv hva som er feil med kravet." in answer.text
    assert await _row_counts(minside) == before


async def test_a_text_is_kept_in_nfc_with_its_line_breaks_and_tabs(minside):
    client, form, ref = await _dispute_form(minside)
    decomposed = "Kr\u0061\u030avet gjelder \u00c5sheim\r\n\tikke meg."

    answer = await client.post("/requests/new/dispute", data={**form, "text": decomposed})

    assert answer.status_code == 303
    async with minside.container.runtime.engine.connect() as conn:
        details = (
            await conn.execute(
                sa.text("SELECT details FROM citizen_request WHERE debtor_ref = :ref"), {"ref": ref}
            )
        ).scalar_one()
    assert details["text"] == "Kråvet gjelder Åsheim\r\n\tikke meg."
    assert unicodedata.is_normalized("NFC", details["text"])


async def test_a_csrf_token_in_other_letters_is_refused_not_a_crash(minside):
    pid = fodselsnummer()
    client = await minside.login(minside.idporten.person(pid))

    answer = await client.post("/logout", data={"csrf_token": "æøå"})

    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
