"""A citizen's claim from intake to Min side and paid off, over real processes.

intake, payments and minside run as real processes (``kravflyt serve``) on the stack's
PostgreSQL and NATS; the citizen logs in to minside through a real OpenID Connect provider
(pytest-iam's Canaille, configured with ID-porten's ``pid`` and ``acr``). The claim shows up with
its KID once payments has opened its account; an OCR giro file pays it, and Min side moves it
to the paid claims.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.local_issuer import LocalIssuer
from runtime.localstack import LocalStack

REPO = Path(__file__).parents[2]
sys.path.insert(0, str(REPO / "services/minside/tests"))
sys.path.insert(0, str(REPO / "services/payments/tests/unit/files"))
from payment_file_builders import Assignment, Tx, encode, ocr_lines  # noqa: E402

import minside_idporten  # noqa: E402
from minside_factories import fodselsnummer  # noqa: E402

pytestmark = pytest.mark.e2e

SESSION, LOGIN = "__Host-minside-session", "__Host-minside-login"


@pytest.fixture(scope="module")
def idporten(iam_server: Any) -> Iterator[minside_idporten.IdPorten]:
    """The ID-porten-like provider the minside process logs citizens in with."""
    provider = minside_idporten.start(iam_server)
    with minside_idporten.idporten_claims(provider.acr_by_user):
        yield provider


def _cookie(response: httpx.Response, name: str) -> str:
    # The cookies are Secure; httpx keeps them off plain http, so the test carries them by hand.
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return header.split(";", 1)[0]
    raise AssertionError(f"no {name} cookie in {response.headers}")


def _log_in(base: str, idporten: minside_idporten.IdPorten, user: Any) -> dict[str, str]:
    with httpx.Client(trust_env=False, timeout=30) as http:
        start = http.get(base + "/login")
        idporten.server.login(user)
        idporten.server.consent(user)
        try:
            answer = http.get(start.headers["location"])
        finally:
            idporten.server.logout()
        callback = answer.headers["location"]
        done = http.get(callback, headers={"Cookie": _cookie(start, LOGIN)})
    assert done.status_code == 303, done.text
    return {"Cookie": _cookie(done, SESSION)}


def _until(check: Callable[[], str | None], what: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_citizen_sees_her_claim_with_its_kid_and_then_as_paid(
    local_stack: LocalStack,
    claim_body: Callable[..., dict[str, Any]],
    idporten: Any,
    tmp_path: Path,
) -> None:
    base = local_stack.service_url("minside")
    idporten.register_redirects(base)
    staff = LocalIssuer.load_or_create(
        tmp_path / "office-idp",
        issuer="http://localhost/office-idp-local",
        audience="kravflyt-staff",
    )
    staff_env = {
        "KRAVFLYT_STAFF_AUTH_ISSUER": staff.issuer,
        "KRAVFLYT_STAFF_AUTH_AUDIENCE": staff.audience,
        "KRAVFLYT_STAFF_AUTH_JWKS_URL": staff.jwks_url,
    }
    local_stack.start_service("intake")
    local_stack.start_service("payments", extra_env=staff_env)
    local_stack.start_service(
        "minside",
        extra_env={
            "KRAVFLYT_MINSIDE_PUBLIC_BASE_URL": base,
            "KRAVFLYT_MINSIDE_OIDC_ISSUER": idporten.issuer,
            "KRAVFLYT_MINSIDE_OIDC_CLIENT_ID": minside_idporten.CLIENT_ID,
            "KRAVFLYT_MINSIDE_OIDC_CLIENT_SECRET": minside_idporten.CLIENT_SECRET,
        },
    )
    pid = fodselsnummer()
    body = claim_body(
        principal_ore=125_000,
        debtor={"id": pid, "name": "Kari Nordmann"},
        description="Foreldrebetaling barnehage E2E",
    )
    due = date.fromisoformat(body["due_date"])
    caseworker = staff.issue_staff_token(
        subject="e2e", name="E2E", roles=["payments"], municipalities=["3301"]
    )

    with httpx.Client(trust_env=False, timeout=30) as client:
        created = client.post(
            local_stack.service_url("intake") + "/v1/claims",
            json=body,
            headers={"Authorization": f"Bearer {local_stack.token()}"},
        )
        assert created.status_code == 201, created.text
        claim_id = created.json()["id"]
        citizen = _log_in(base, idporten, idporten.person(pid))

        def kid_shown() -> str | None:
            page = client.get(f"{base}/pay?claim={claim_id}", headers=citizen)
            if page.status_code != 200 or "KID" not in page.text:
                return None
            kid = page.text.split('id="kid-1">', 1)
            return kid[1].split("<", 1)[0] if len(kid) == 2 else None

        kid = _until(kid_shown, "the claim and its KID on Min side")
        overview = client.get(base + "/", headers=citizen).text
        tx = Tx("10", 125_000, due, kid=kid, archive="000000001", debit="12345678903")
        ocr = encode(
            ocr_lines(
                "9000001",
                "00012345",
                [Assignment("001234567", "9000001", "86011117947", (tx,))],
                due,
            )
        )
        imported = client.post(
            local_stack.service_url("payments") + "/v1/payment-files",
            content=ocr,
            headers={"Authorization": f"Bearer {caseworker}", "Content-Type": "text/plain"},
        )
        assert imported.status_code == 201, imported.text

        def paid() -> str | None:
            text = client.get(base + "/history", headers=citizen).text
            return text if "Foreldrebetaling barnehage E2E" in text else None

        history = _until(paid, "the paid claim in the history")
        stranger = _log_in(base, idporten, idporten.person(fodselsnummer()))
        guessed = client.get(f"{base}/claims/{claim_id}", headers=stranger)

    assert "Foreldrebetaling barnehage E2E" in overview and "Drammen kommune" in overview
    assert "Betalt" in history
    assert guessed.status_code == 404
