"""The local ID-porten (``python -m fakes oidc``) as a real process: discovery, and a citizen's
login by authorization code with PKCE, the way Min side does it."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from runtime.embedded import free_port

SECRET = "fake-oidc-test-secret"
MINSIDE = "http://minside.test:8005"
CALLBACK = MINSIDE + "/login/callback"
DEMO_CITIZEN = "07038512360"  # the first of fakes.oidc.DEMO_PEOPLE
NEW_CITIZEN = "15038540189"  # not a demo person, valid check digits
BAD_CHECK_DIGITS = "15038540180"


@dataclass
class FakeOidc:
    issuer: str

    def metadata(self) -> dict[str, Any]:
        return httpx.get(self.issuer + "/.well-known/openid-configuration").json()


@pytest.fixture(scope="module")
def fake_oidc(repo_root: Path) -> Iterator[FakeOidc]:
    """The fake on a free port, told its issuer, client secret and Min side's URL."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(repo_root),
        "OIDC_CLIENT_SECRET": SECRET,
        "MINSIDE_URLS": MINSIDE,
    }
    command = [sys.executable, "-m", "fakes", "oidc", "--port", str(port), "--issuer", issuer]
    process = subprocess.Popen(command, cwd=repo_root, env=env)
    try:
        _wait_healthy(issuer, process)
        yield FakeOidc(issuer)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url + "/_admin/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the oidc fake did not start")


@dataclass
class Login:
    """One login's secrets, as Min side keeps them between redirect and callback."""

    verifier: str = ""
    nonce: str = ""

    def __post_init__(self) -> None:
        self.verifier = secrets.token_urlsafe(48)
        self.nonce = secrets.token_urlsafe(16)

    def params(self) -> dict[str, str]:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return {
            "response_type": "code",
            "client_id": "kravflyt-minside",
            "redirect_uri": CALLBACK,
            "scope": "openid profile",
            "state": "state-1",
            "nonce": self.nonce,
            "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
            "code_challenge_method": "S256",
            "acr_values": "idporten-loa-substantial",
            "ui_locales": "nb",
        }


def type_number(browser: httpx.Client, authorize: httpx.Response, number: str) -> httpx.Response:
    """Follow the provider to its login page and submit ``number`` (TestID: no password)."""
    assert authorize.status_code == 302, authorize.text
    page = browser.get(authorize.headers["location"])
    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
    return browser.post(page.url, data={**form, "login": number})


def log_in(fake: FakeOidc, number: str, login: Login) -> httpx.URL:
    """A whole login in the provider's pages; Min side's callback URL it ends at."""
    meta = fake.metadata()
    with httpx.Client(base_url=fake.issuer) as browser:
        answer = type_number(
            browser, browser.get(meta["authorization_endpoint"], params=login.params()), number
        )
        while not answer.headers.get("location", "").startswith(MINSIDE):
            assert answer.status_code == 302, answer.text
            answer = browser.get(answer.headers["location"])
    return httpx.URL(answer.headers["location"])


def exchange(fake: FakeOidc, code: str, verifier: str) -> httpx.Response:
    return httpx.post(
        fake.metadata()["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": "kravflyt-minside",
            "client_secret": SECRET,
            "code_verifier": verifier,
        },
    )


def verified_claims(fake: FakeOidc, id_token: str) -> dict[str, Any]:
    keys = KeySet.import_key_set(httpx.get(fake.metadata()["jwks_uri"]).json())
    token = jwt.decode(id_token, keys, algorithms=["RS512"])
    return dict(token.claims)


def test_discovery_names_the_configured_issuer_and_only_s256_pkce(fake_oidc):
    meta = fake_oidc.metadata()

    assert meta["issuer"] == fake_oidc.issuer
    assert meta["authorization_endpoint"].startswith(fake_oidc.issuer + "/")
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "RS512" in meta["id_token_signing_alg_values_supported"]


def test_a_demo_citizen_logs_in_with_pkce_and_the_id_token_carries_pid_and_acr(fake_oidc):
    login = Login()

    callback = log_in(fake_oidc, DEMO_CITIZEN, login)
    tokens = exchange(fake_oidc, callback.params["code"], login.verifier)

    assert callback.params["state"] == "state-1"
    assert tokens.status_code == 200, tokens.text
    claims = verified_claims(fake_oidc, tokens.json()["id_token"])
    assert claims["pid"] == DEMO_CITIZEN
    assert claims["acr"] == "idporten-loa-substantial"
    assert claims["iss"] == fake_oidc.issuer
    assert claims["aud"] == ["kravflyt-minside"]
    assert claims["nonce"] == login.nonce
    assert claims["sub"] != DEMO_CITIZEN


def test_any_number_with_valid_check_digits_logs_in_as_that_person(fake_oidc):
    login = Login()

    callback = log_in(fake_oidc, NEW_CITIZEN, login)
    tokens = exchange(fake_oidc, callback.params["code"], login.verifier)

    assert verified_claims(fake_oidc, tokens.json()["id_token"])["pid"] == NEW_CITIZEN


def test_a_number_with_wrong_check_digits_stays_on_the_login_page(fake_oidc):
    meta = fake_oidc.metadata()

    with httpx.Client(base_url=fake_oidc.issuer) as browser:
        authorize = browser.get(meta["authorization_endpoint"], params=Login().params())
        answer = type_number(browser, authorize, BAD_CHECK_DIGITS)

    assert answer.status_code == 200
    assert "does not exist" in answer.text


def test_the_code_is_refused_without_the_pkce_verifier(fake_oidc):
    login = Login()
    callback = log_in(fake_oidc, DEMO_CITIZEN, login)

    tokens = exchange(fake_oidc, callback.params["code"], "not-the-verifier-" + "x" * 40)

    assert tokens.status_code == 400
    assert tokens.json()["error"] == "invalid_grant"
