"""Login as ID-porten does it, against a real OIDC provider over HTTP: PKCE, state, nonce, acr."""

from __future__ import annotations

import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import RSAKey

from minside import db
from minside.oidc import LoginError
from minside.web.session import SESSION_COOKIE
from minside_factories import fodselsnummer
from minside_pages import csrf_of


async def test_a_citizen_logs_in_with_pkce_and_lands_on_the_overview(minside):
    user = minside.idporten.person(fodselsnummer())
    client = minside.browser()

    start = await client.get("/login", params={"next": "/history"})
    query = parse_qs(urlsplit(start.headers["location"]).query)
    callback = await minside.provider_answer(start.headers["location"], user)
    done = await client.get(callback.path, params=dict(callback.params))
    page = await client.get(done.headers["location"])

    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"] and query["nonce"]
    assert query["acr_values"] == ["idporten-loa-substantial"]
    assert done.status_code == 303 and done.headers["location"] == "/history"
    cookie = done.headers["set-cookie"].lower()
    assert SESSION_COOKIE.lower() in cookie and "secure" in cookie and "httponly" in cookie
    assert "samesite=lax" in cookie
    assert page.status_code == 200 and 'action="/logout"' in page.text


async def test_a_callback_with_another_state_is_refused(minside):
    user = minside.idporten.person(fodselsnummer())
    client = minside.browser()
    callback = await minside.authorize(client, user)

    params = dict(callback.params) | {"state": "not-the-state-we-sent"}
    refused = await client.get(callback.path, params=params)

    assert refused.status_code == 400
    assert SESSION_COOKIE not in client.cookies


async def test_a_callback_started_in_another_browser_is_refused(minside):
    user = minside.idporten.person(fodselsnummer())
    callback = await minside.authorize(minside.browser(), user)

    refused = await minside.browser().get(callback.path, params=dict(callback.params))

    assert refused.status_code == 400


async def test_a_replayed_callback_is_refused(minside):
    user = minside.idporten.person(fodselsnummer())
    client = minside.browser()
    callback = await minside.authorize(client, user)
    first = await client.get(callback.path, params=dict(callback.params))
    client.cookies.clear()

    again = await client.get(callback.path, params=dict(callback.params))

    assert first.status_code == 303
    assert again.status_code == 400
    assert SESSION_COOKIE not in client.cookies


async def test_a_used_code_is_refused_by_the_provider_even_with_a_fresh_state(minside):
    user = minside.idporten.person(fodselsnummer())
    client = minside.browser()
    old = await minside.authorize(client, user)
    await client.get(old.path, params=dict(old.params))
    fresh = await minside.authorize(client, user)

    replay = await client.get(
        fresh.path, params={"state": fresh.params["state"], "code": old.params["code"]}
    )

    assert replay.status_code == 400
    assert "ID-porten" in replay.text


async def test_an_id_token_for_another_nonce_is_refused(minside):
    user = minside.idporten.person(fodselsnummer())
    client = minside.browser()
    start = await client.get("/login")
    tampered = start.headers["location"].replace("nonce=", "nonce=other")

    callback = await minside.provider_answer(tampered, user)
    refused = await client.get(callback.path, params=dict(callback.params))

    assert refused.status_code == 400
    assert SESSION_COOKIE not in client.cookies


async def test_a_login_below_substantial_is_refused(minside):
    user = minside.idporten.person(fodselsnummer(), acr="idporten-loa-low")
    client = minside.browser()
    callback = await minside.authorize(client, user)

    refused = await client.get(callback.path, params=dict(callback.params))

    assert refused.status_code == 401
    assert SESSION_COOKIE not in client.cookies


async def test_a_login_at_high_is_accepted(minside):
    user = minside.idporten.person(fodselsnummer(), acr="idporten-loa-high")

    client = await minside.login(user)

    assert (await client.get("/")).status_code == 200
    assert SESSION_COOKIE in client.cookies


def _provider_key(minside) -> RSAKey:
    [jwk] = minside.idporten.server.app.config["CANAILLE_OIDC"]["ACTIVE_JWKS"]
    return RSAKey.import_key(jwk)


def _id_token(minside, key: RSAKey, **claims) -> str:
    now = int(time.time())
    body = {
        "iss": minside.idporten.issuer,
        "aud": [minside.settings.oidc_client_id],
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        "acr": "idporten-loa-substantial",
        "pid": fodselsnummer(),
    } | claims
    return jwt.encode({"alg": "RS512", "kid": key.kid}, body, key, algorithms=["RS512"])


async def test_an_expired_id_token_is_refused(minside):
    key = _provider_key(minside)
    expired = _id_token(minside, key, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)

    with pytest.raises(LoginError) as refused:
        await minside.container.oidc.verify_id_token(expired, nonce="n-1")

    assert refused.value.code == "login.id_token_expired"


async def test_an_id_token_signed_with_another_key_is_refused(minside):
    stranger = RSAKey.generate_key(2048, parameters={"kid": _provider_key(minside).kid})
    forged = _id_token(minside, stranger)

    with pytest.raises(LoginError) as refused:
        await minside.container.oidc.verify_id_token(forged, nonce="n-1")

    assert refused.value.code == "login.id_token_invalid"


async def test_an_id_token_for_another_audience_is_refused(minside):
    token = _id_token(minside, _provider_key(minside), aud=["someone-else"])

    with pytest.raises(LoginError) as refused:
        await minside.container.oidc.verify_id_token(token, nonce="n-1")

    assert refused.value.code == "login.id_token_invalid"


async def test_a_valid_id_token_from_the_provider_is_accepted(minside):
    token = _id_token(minside, _provider_key(minside))

    claims = await minside.container.oidc.verify_id_token(token, nonce="n-1")

    assert claims["acr"] == "idporten-loa-substantial"


async def test_logout_ends_the_session_here_and_at_the_provider(minside):
    user = minside.idporten.person(fodselsnummer())
    client = await minside.login(user)
    csrf = csrf_of(await client.get("/"))

    out = await client.post("/logout", data={"csrf_token": csrf})
    after = await client.get("/history")

    target = urlsplit(out.headers["location"])
    query = parse_qs(target.query)
    assert out.status_code == 303
    assert target.path == "/oauth/end_session" and query["id_token_hint"]
    assert query["post_logout_redirect_uri"] == [minside.container.base_url + "/logged-out"]
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


async def test_a_new_login_ends_the_session_it_replaces(minside):
    client = await minside.login(minside.idporten.person(fodselsnummer()))
    replaced = client.cookies[SESSION_COOKIE]

    await minside.login(minside.idporten.person(fodselsnummer()), client)
    stale = minside.browser()
    stale.cookies.set(SESSION_COOKIE, replaced, domain="minside.test")

    assert (await stale.get("/history")).status_code == 303
    assert (await client.get("/history")).status_code == 200


async def test_an_idle_session_expires(minside):
    client = await minside.login(minside.idporten.person(fodselsnummer()))
    async with minside.container.runtime.engine.begin() as conn:
        mine = (
            db.web_session.c.id_hash
            == hashlib.sha256(client.cookies[SESSION_COOKIE].encode()).hexdigest()
        )
        await conn.execute(sa.update(db.web_session).where(mine).values(expires_at=sa.func.now()))

    assert (await client.get("/history")).status_code == 303
