"""One configuration, every service: the stack on non-default ports, with the office's rates.

Every service and fake of the stack listens on a free (so never a default) port, set only the
way ``make run`` sets it (``LocalStack``'s ports, as ``KRAVFLYT_*_HTTP_PORT`` /
``KRAVFLYT_FAKE_*_PORT`` give them); every process reads one rates file
(``KRAVFLYT_RATES_FILE``) whose forsinkelsesrente is not the packaged one. A citizen logs in
through the fake ID-porten, reads the letter the daily run sent (Min side fetches the PDF from
notification) and starts a Vipps payment (Min side asks payments, payments asks the fake
Vipps). The interest on the letter, in the ledger and on Min side is the same to the øre, and
differs from the packaged rates'.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from html import unescape
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_helpers import claim_in_notice, daily_run, until_kid_known

from rules.calendar import oslo_today, roll_forward
from rules.interest import interest_ore
from rules.money import format_ore
from rules.rates import DEFAULT_RATES, load_rates
from runtime.localstack import LocalStack
from runtime.testing import read_events

pytestmark = pytest.mark.e2e

SESSION, LOGIN = "__Host-minside-session", "__Host-minside-login"
OFFICE_RATE = "30.00"
SERVICES = ("intake", "payments", "dunning", "notification", "minside")


@pytest.fixture(scope="module")
def rates_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged rates with every forsinkelsesrente set to ``OFFICE_RATE`` percent."""
    packaged = (files("rules") / "data" / "rates.toml").read_text(encoding="utf-8")
    head, section, tail = packaged.partition("[forsinkelsesrente]")
    body, next_section, rest = tail.partition("\n[rettsgebyr]")
    body = re.sub(r'percent = "[0-9.]+"', f'percent = "{OFFICE_RATE}"', body)
    path = tmp_path_factory.mktemp("office") / "rates.toml"
    path.write_text(head + section + body + next_section + rest)
    assert load_rates(path).forsinkelsesrente != DEFAULT_RATES.forsinkelsesrente
    return path


@pytest.fixture(scope="module")
def stack(local_stack: LocalStack, rates_file: Path) -> Iterator[LocalStack]:
    """Fakes and every service, configured by the stack alone, plus the office's rates file."""
    local_stack.start_fakes()
    for name in SERVICES:
        local_stack.start_service(name, {"KRAVFLYT_RATES_FILE": str(rates_file)}, wait=False)
    for name in SERVICES:
        local_stack.wait_ready(name)
    yield local_stack
    for name in SERVICES:
        local_stack.stop_service(name)


def working_day_before(day: date, days: int) -> date:
    """A weekday ``days`` or more before ``day`` (a due date no roll-forward moves)."""
    due = day - timedelta(days=days)
    while roll_forward(due) != due:
        due -= timedelta(days=1)
    return due


def cookie(response: httpx.Response, name: str) -> str:
    # Min side's cookies are Secure (__Host-); httpx keeps them off plain http: carried by hand.
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return header.split(";", 1)[0]
    raise AssertionError(f"no {name} cookie in {response.headers}")


def log_in(stack: LocalStack, pid: str) -> dict[str, str]:
    """Log in to Min side through the stack's fake ID-porten, as a person types it there."""
    base = stack.service_url("minside")
    with httpx.Client(trust_env=False, timeout=30) as http:
        start = http.get(base + "/login")
        assert start.status_code in (302, 303, 307), start.text
        page = http.get(start.headers["location"], follow_redirects=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf, page.text[:2000]
        answer = http.post(str(page.url), data={"csrf_token": csrf[1], "login": pid, "answer": ""})
        while "/login/callback?" not in answer.headers.get("location", ""):
            assert answer.is_redirect, answer.text[:2000]
            answer = http.get(httpx.URL(str(answer.url)).join(answer.headers["location"]))
        done = http.get(answer.headers["location"], headers={"Cookie": cookie(start, LOGIN)})
    assert done.status_code == 303, done.text
    return {"Cookie": cookie(done, SESSION)}


def until(check: Callable[[], Any], what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def shown_interest(page: str) -> str:
    """The interest cell of Min side's claim page."""
    row = re.search(r"Forsinkelsesrenter</th><td[^>]*>([^<]+)</td>", page)
    assert row, page
    return unescape(row[1])


def test_a_stack_on_other_ports_serves_the_letter_and_vipps_at_the_office_rate(
    stack: LocalStack, rates_file: Path, claim_body: Callable[..., dict[str, Any]]
) -> None:
    today = oslo_today(datetime.now(UTC))
    due = working_day_before(today, 35)
    body = claim_body(
        principal_ore=250_000,
        issue_date=(due - timedelta(days=30)).isoformat(),
        due_date=due.isoformat(),
    )
    pid = body["debtor"]["id"]  # born on the 15th: a Digipost user to the fakes
    base = stack.service_url("minside")
    caseworker = stack.staff_issuer.issue_staff_token(
        subject="e2e", name="E2E", roles=["payments"], municipalities=["3301"]
    )

    with httpx.Client(trust_env=False, timeout=30) as client:
        created = client.post(
            stack.service_url("intake") + "/v1/claims",
            json=body,
            headers={"Authorization": f"Bearer {stack.token()}"},
        )
        assert created.status_code == 201, created.text
        claim_id = created.json()["id"]
        asyncio.run(until_kid_known(stack.database_url("dunning"), claim_id))

        # The daily run (the CronJob's command) sends the first letter, at the office's rate.
        report = daily_run(stack, today, {"KRAVFLYT_RATES_FILE": str(rates_file)})
        assert report["taken"] >= 1, report
        [notice] = asyncio.run(
            read_events(stack.nats_url, "notices.requested.v2", claim_in_notice(claim_id), 1)
        )
        [line] = [c for c in notice["payload"]["claims"] if c["claim_id"] == claim_id]
        letter_interest = line["interest_ore"]

        # The ledger, asked as a caseworker asks it.
        balance = client.get(
            f"{stack.service_url('payments')}/v1/accounts/{claim_id}/balance",
            headers={"Authorization": f"Bearer {caseworker}"},
        )
        assert balance.status_code == 200, balance.text
        ledger_interest = balance.json()["interest_ore"]

        # Min side: the claim's interest today, and the letter's PDF through its link.
        citizen = log_in(stack, pid)
        notice_id = notice["payload"]["notice_id"]

        def letter_listed() -> str | None:
            page = client.get(f"{base}/claims/{claim_id}", headers=citizen)
            return page.text if f"/letters/{notice_id}" in page.text else None

        claim_page = until(letter_listed, "the letter on Min side's claim page")
        pdf = until(
            lambda: (
                (r := client.get(f"{base}/letters/{notice_id}", headers=citizen)).status_code == 200
                and r
            ),
            "the letter's PDF from notification",
        )

        # Vipps: Min side asks payments, payments asks the fake Vipps, the citizen is sent there.
        pay = client.get(f"{base}/pay?claim={claim_id}", headers=citizen)
        assert pay.status_code == 200, pay.text
        tokens = dict(re.findall(r'name="(csrf_token|form_token)" value="([^"]+)"', pay.text))
        started = client.post(
            f"{base}/pay/vipps",
            data={**tokens, "claim_ids": claim_id},
            headers=citizen | {"Origin": base},
        )

    packaged = interest_ore([(due, 250_000)], due, today, rates=DEFAULT_RATES)
    office = interest_ore([(due, 250_000)], due, today, rates=load_rates(rates_file))
    assert letter_interest == ledger_interest == office != packaged
    assert shown_interest(claim_page) == format_ore(office)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert started.status_code == 303, started.text
    assert started.headers["location"].startswith(stack.fake_url("vipps"))
