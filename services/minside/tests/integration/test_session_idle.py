"""The session check each page makes: the idle time restarts, and the restart is kept."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from minside import db
from minside.web.session import SESSION_COOKIE
from minside_factories import fodselsnummer


async def _expires_at(minside, client):
    mine = (
        db.web_session.c.id_hash
        == hashlib.sha256(client.cookies[SESSION_COOKIE].encode()).hexdigest()
    )
    async with minside.container.runtime.engine.connect() as conn:
        return mine, (
            await conn.execute(sa.select(db.web_session.c.expires_at).where(mine))
        ).scalar()


async def test_the_overview_restarts_the_idle_time_and_keeps_it(minside):
    client = await minside.login(minside.idporten.person(fodselsnummer()))
    mine, _ = await _expires_at(minside, client)
    async with minside.container.runtime.engine.begin() as conn:
        soon = sa.func.now() + timedelta(minutes=5)
        await conn.execute(sa.update(db.web_session).where(mine).values(expires_at=soon))

    page = await client.get("/")
    _, expires = await _expires_at(minside, client)

    assert page.status_code == 200 and 'action="/logout"' in page.text
    now = minside.container.runtime.clock()
    assert expires - now > timedelta(minutes=minside.settings.session_idle_minutes - 1)


async def test_the_overview_of_an_expired_session_is_the_start_page(minside):
    client = await minside.login(minside.idporten.person(fodselsnummer()))
    mine, _ = await _expires_at(minside, client)
    async with minside.container.runtime.engine.begin() as conn:
        await conn.execute(sa.update(db.web_session).where(mine).values(expires_at=sa.func.now()))

    page = await client.get("/")

    assert page.status_code == 200 and 'action="/logout"' not in page.text
