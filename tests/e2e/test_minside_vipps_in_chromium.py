"""A citizen pays one of two claims with Vipps from Min side, in headless Chromium.

Real processes, as ``make run`` starts them (``kravflyt serve`` for intake, payments and minside;
``python -m fakes`` for the local ID-porten and Vipps), on free ports. The citizen logs in
through the fake ID-porten, ticks one of her two claims, sees its amount, is sent to the fake
Vipps landing page and presses "Godkjenn"; Vipps' webhook makes payments ask Vipps' API,
capture and book. Back on Min side that claim is paid and the other untouched, and the ledger
shows one payment: submitting the same pay form again, or approving again, pays nothing twice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.localstack import LocalStack

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
PERSON = "15038500047"  # made-up, valid check digits (README's walkthrough uses it too)


@pytest.fixture(scope="module")
def stack(local_stack: LocalStack) -> Iterator[LocalStack]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    local_stack.start_fakes()
    for name in ("intake", "payments", "minside"):
        local_stack.start_service(name)
    yield local_stack


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _until(check: Callable[[], Any], what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_citizen_pays_one_of_two_claims_with_vipps_and_only_that_one_once(
    stack: LocalStack, browser: Any, claim_body: Callable[..., dict[str, Any]]
) -> None:
    minside = f"http://localhost:{stack.ports['minside']}"
    payments = stack.service_url("payments")
    vipps = stack.fake_url("vipps")
    staff = stack.staff_issuer.issue_staff_token(
        subject="e2e", name="E2E", roles=["payments"], municipalities=["3301"]
    )
    with httpx.Client(trust_env=False, timeout=30) as http:
        ids = {}
        for label, principal in (("Vipps E2E A", 80_000), ("Vipps E2E B", 50_000)):
            body = claim_body(
                principal_ore=principal,
                debtor={"id": PERSON, "name": "Kari Nordmann"},
                description=label,
            )
            created = http.post(
                stack.service_url("intake") + "/v1/claims",
                json=body,
                headers={"Authorization": f"Bearer {stack.token()}"},
            )
            assert created.status_code == 201, created.text
            ids[label] = created.json()["id"]

        def ledger(claim_id: str, what: str = "balance") -> Any:
            answer = http.get(
                f"{payments}/v1/accounts/{claim_id}/{what}",
                headers={"Authorization": f"Bearer {staff}"},
            )
            assert answer.status_code == 200, answer.text
            return answer.json()

        context = browser.new_context(locale="nb-NO")
        page = context.new_page()
        page.goto(minside + "/login")
        page.fill("input[name=login]", PERSON)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(re.escape(minside) + r"/.*"))

        def both_with_kid() -> bool:
            page.goto(minside + "/pay")
            return page.locator("[id^=kid-]").count() == 2

        _until(both_with_kid, "both claims with their KIDs on Min side")
        page.get_by_label(re.compile("Vipps E2E A")).check()
        page.get_by_label(re.compile("Vipps E2E B")).uncheck()
        page.get_by_role("button", name="Vis beløpet for valgte krav").click()
        owed = ledger(ids["Vipps E2E A"])["total_ore"]
        kroner = f"{owed // 100:,}".replace(",", "\u00a0") + f",{owed % 100:02d}"
        pay = page.get_by_role("button", name=re.compile("med Vipps"))
        assert kroner in pay.inner_text()
        form = page.eval_on_selector(
            "form[action='/pay/vipps']",
            "f => Array.from(new FormData(f).entries())",
        )

        pay.click()
        page.wait_for_url(re.compile(re.escape(vipps) + "/fake/landing/"))
        landing = page.url
        assert kroner.replace("\u00a0", " ") in page.locator("#amount").inner_text()
        # The same pay form sent again (a retried click): the same Vipps payment, not a second.
        again = context.request.post(minside + "/pay/vipps", form=dict(form), max_redirects=0)
        assert again.status == 303 and again.headers["location"] == landing

        page.get_by_role("button", name="Godkjenn").click()
        page.wait_for_url(minside + "/pay/done")
        assert "Takk for betalingen" in page.content()

        def paid_in_history() -> bool:
            page.goto(minside + "/history")
            return "Vipps E2E A" in page.content()

        _until(paid_in_history, "the paid claim in Min side's history")
        assert "Vipps E2E B" not in page.content()
        page.goto(minside + "/")
        assert "Vipps E2E B" in page.content()

        # Approving again on Vipps' page pays nothing more.
        page.goto(landing)
        page.get_by_role("button", name="Godkjenn").click()
        page.wait_for_url(minside + "/pay/done")
        time.sleep(1)

        paid, untouched = ledger(ids["Vipps E2E A"]), ledger(ids["Vipps E2E B"])
        assert paid["settled"] is True and paid["paid_ore"] == owed
        assert untouched["paid_ore"] == 0 and untouched["settled"] is False
        postings = ledger(ids["Vipps E2E A"], "postings")["items"]
        assert len({p["payment_id"] for p in postings if p["payment_id"]}) == 1
        made = http.get(vipps + "/_admin/payments").json()["payments"]
        assert [p["amount"]["value"] for p in made] == [owed]
        context.close()
