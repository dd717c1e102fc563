"""Citizens' requests: one request and one event per form, and a status that follows dunning."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from uuid import UUID

import sqlalchemy as sa

from minside import db
from minside_factories import (
    case_opened,
    fodselsnummer,
    paused,
    plan_agreed,
    registered,
    resumed,
)
from minside_pages import csrf_of as _csrf
from minside_pages import form_token_of as _token


async def _citizen_with_claim(minside, principal_ore=600_000):
    pid = fodselsnummer()
    ref = minside.ref(pid)
    claim = registered(ref, principal_ore=principal_ore, due=date.today() + timedelta(days=3))
    await minside.apply(claim)
    client = await minside.login(minside.idporten.person(pid))
    return client, ref, claim.payload.claim_id


async def _outbox(minside, event_type: str, ref: str) -> list[dict]:
    async with minside.container.runtime.engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT body FROM outbox WHERE event_type = :t"), {"t": event_type}
        )
        bodies = [json.loads(r.body) for r in rows]
    return [b for b in bodies if b["payload"]["debtor_ref"] == ref]


async def test_a_double_submitted_dispute_makes_one_request_and_one_event(minside):
    client, ref, claim_id = await _citizen_with_claim(minside)
    form_page = await client.get(f"/requests/new/dispute?claim={claim_id}")
    form = {
        "csrf_token": _csrf(form_page),
        "form_token": _token(form_page),
        "claim_ids": str(claim_id),
        "text": "Barnet mitt sluttet i barnehagen i august.",
    }

    first, second = await asyncio.gather(
        client.post("/requests/new/dispute", data=form),
        client.post("/requests/new/dispute", data=form),
    )
    retried = await client.post("/requests/new/dispute", data=form)

    events = await _outbox(minside, "requests.dispute.v1", ref)
    assert first.status_code == second.status_code == retried.status_code == 303
    assert first.headers["location"] == second.headers["location"] == retried.headers["location"]
    assert len(events) == 1
    assert events[0]["payload"]["claim_ids"] == [str(claim_id)]
    assert events[0]["tenant"] == "3301" and events[0]["subject"] == str(claim_id)


async def test_a_plan_is_previewed_before_it_is_sent_and_then_shows_its_status(minside):
    client, ref, claim_id = await _citizen_with_claim(minside, principal_ore=600_000)
    form_page = await client.get(f"/requests/new/plan?claim={claim_id}")
    first_due = (date.today() + timedelta(days=14)).isoformat()
    form = {
        "csrf_token": _csrf(form_page),
        "form_token": _token(form_page),
        "claim_ids": str(claim_id),
        "choice": "months",
        "months": "3",
        "monthly_kroner": "",
        "first_due_date": first_due,
    }

    preview = await client.post("/requests/new/plan/preview", data=form)
    events_after_preview = await _outbox(minside, "requests.plan.v1", ref)
    sent = await client.post("/requests/new/plan", data=form)
    status = await client.get(sent.headers["location"])
    [event] = await _outbox(minside, "requests.plan.v1", ref)

    assert preview.status_code == 200
    assert preview.text.replace("\u00a0", " ").count("2 000,00 kr") == 3
    assert events_after_preview == []
    assert event["payload"]["months"] == 3 and event["payload"]["monthly_amount_ore"] is None
    assert event["payload"]["first_due_date"] == first_due
    assert "Mottatt" in status.text and "automatisk" in status.text


async def test_a_plan_request_becomes_granted_when_dunning_agrees_a_plan(minside):
    client, ref, claim_id = await _citizen_with_claim(minside)
    request_url = await _send_plan(client, claim_id)
    case = case_opened(ref, [claim_id])

    await minside.apply(case, plan_agreed(case.payload.case_id, [claim_id], ref))
    status = await client.get(request_url)
    claim_page = await client.get(f"/claims/{claim_id}")

    assert "Innvilget" in status.text
    assert "Din betalingsavtale" in claim_page.text and "Neste avdrag" in claim_page.text


async def test_a_plan_outside_the_limits_shows_it_is_with_a_caseworker(minside):
    client, ref, claim_id = await _citizen_with_claim(minside)
    request_url = await _send_plan(client, claim_id)
    case = case_opened(ref, [claim_id])

    await minside.apply(case, paused(case.payload.case_id, "caseworker"))
    status = await client.get(request_url)

    assert "Til behandling hos saksbehandler" in status.text


async def test_a_dispute_pauses_the_case_and_then_is_decided(minside):
    client, ref, claim_id = await _citizen_with_claim(minside)
    page = await client.get(f"/requests/new/dispute?claim={claim_id}")
    sent = await client.post(
        "/requests/new/dispute",
        data={
            "csrf_token": _csrf(page),
            "form_token": _token(page),
            "claim_ids": str(claim_id),
            "text": "Feil",
        },
    )
    case = case_opened(ref, [claim_id])

    await minside.apply(case, paused(case.payload.case_id, "dispute"))
    while_paused = await client.get(sent.headers["location"])
    await minside.apply(resumed(case.payload.case_id))
    decided = await client.get(sent.headers["location"])

    assert "Saken er satt på pause" in while_paused.text
    assert "Avgjort – saken fortsetter" in decided.text


async def test_a_contact_message_is_stored_once_without_an_event(minside):
    client, ref, claim_id = await _citizen_with_claim(minside)
    page = await client.get("/requests/new/contact")
    form = {
        "csrf_token": _csrf(page),
        "form_token": _token(page),
        "claim_id": str(claim_id),
        "text": "Kan dere ringe meg?",
    }

    await client.post("/requests/new/contact", data=form)
    await client.post("/requests/new/contact", data=form)

    async with minside.container.runtime.engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(db.citizen_request).where(db.citizen_request.c.debtor_ref == ref)
            )
        ).all()
    assert [(r.kind, r.claim_ids, r.event_id) for r in rows] == [("contact", [claim_id], None)]


async def test_a_deferral_with_a_date_in_the_past_is_shown_again_with_the_error(minside):
    client, ref, claim_id = await _citizen_with_claim(minside)
    page = await client.get(f"/requests/new/deferral?claim={claim_id}")

    refused = await client.post(
        "/requests/new/deferral",
        data={
            "csrf_token": _csrf(page),
            "form_token": _token(page),
            "claim_ids": str(claim_id),
            "until": "2020-01-01",
            "reason": "Venter på lønn",
        },
    )

    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.text and "Venter på lønn" in refused.text
    assert await _outbox(minside, "requests.deferral.v1", ref) == []


async def test_the_same_form_token_cannot_be_used_by_someone_else(minside):
    kari, _, karis_claim = await _citizen_with_claim(minside)
    ola, _, olas_claim = await _citizen_with_claim(minside)
    page = await kari.get(f"/requests/new/dispute?claim={karis_claim}")
    token = _token(page)
    await kari.post(
        "/requests/new/dispute",
        data={
            "csrf_token": _csrf(page),
            "form_token": token,
            "claim_ids": str(karis_claim),
            "text": "Feil",
        },
    )
    olas_page = await ola.get(f"/requests/new/dispute?claim={olas_claim}")

    taken = await ola.post(
        "/requests/new/dispute",
        data={
            "csrf_token": _csrf(olas_page),
            "form_token": token,
            "claim_ids": str(olas_claim),
            "text": "Feil",
        },
    )

    assert taken.status_code == 409


async def _send_plan(client, claim_id: UUID) -> str:
    page = await client.get(f"/requests/new/plan?claim={claim_id}")
    sent = await client.post(
        "/requests/new/plan",
        data={
            "csrf_token": _csrf(page),
            "form_token": _token(page),
            "claim_ids": str(claim_id),
            "choice": "monthly",
            "monthly_kroner": "1 500",
            "months": "",
            "first_due_date": (date.today() + timedelta(days=10)).isoformat(),
        },
    )
    assert sent.status_code == 303, sent.text
    return sent.headers["location"]
