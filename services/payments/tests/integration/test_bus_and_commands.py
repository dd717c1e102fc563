"""Payments on the real bus, balances as of a day, and the commands an operator runs."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path

from typer.testing import CliRunner

from payments.commands import commands
from payments_checks import kid_of, outbox
from payments_factories import ocr_file, plan_agreed, registered
from rules.interest import interest_on
from runtime.testing import publish_bytes, read_events

DUE = date(2025, 3, 3)


def run_command(payments, *args: str):
    """``kravflyt payments …`` against the test database, in a thread (it runs its own loop)."""
    env = {"KRAVFLYT_PAYMENTS_DATABASE_URL": payments.settings.database_url}
    return asyncio.to_thread(CliRunner().invoke, commands, list(args), env=env)


async def test_a_claim_registered_on_the_bus_gets_its_kid_announced_on_the_bus(payments, nats_url):
    claim = registered(principal_ore=150_000)

    await publish_bytes(nats_url, claim.type, claim.model_dump_json().encode())
    opened = await read_events(
        nats_url,
        "accounts.opened.v1",
        lambda e: e["payload"]["claim_id"] == str(claim.payload.claim_id),
        expect=1,
    )

    assert len(opened) == 1
    assert opened[0]["tenant"] == "3301"
    assert opened[0]["payload"]["kid"] == await kid_of(payments, claim.payload.claim_id)


async def test_the_balance_as_of_a_day_adds_the_interest_accrued_since_the_last_booking(payments):
    claim = registered(principal_ore=1_000_000, due_date=DUE)
    await payments.apply(claim)

    response = await payments.client.get(
        f"/v1/accounts/{claim.payload.claim_id}/balance?as_of=2025-04-02", headers=payments.token()
    )

    body = response.json()
    assert response.status_code == 200, response.text
    assert body["interest_booked_ore"] == 0
    assert body["interest_accrued_ore"] == interest_on(1_000_000, DUE, date(2025, 4, 2)) == 10_274
    assert body["total_ore"] == 1_010_274
    other = await payments.client.get(
        f"/v1/accounts/{claim.payload.claim_id}/balance",
        headers=payments.token(municipalities=("3303",)),
    )
    assert other.status_code == 404


async def test_the_import_command_books_a_file_once(payments, tmp_path: Path):
    claim = registered(principal_ore=20_000, due_date=DUE)
    await payments.apply(claim)
    path = tmp_path / "ocr.txt"
    path.write_bytes(ocr_file((await kid_of(payments, claim.payload.claim_id), 20_000, DUE)))

    first = await run_command(payments, "import", str(path))
    again = await run_command(payments, "import", str(path))

    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["duplicate"] is False
    assert json.loads(again.output)["duplicate"] is True
    balance = (await outbox(payments, "accounts.balance_changed.v1", str(claim.payload.claim_id)))[
        -1
    ]
    assert balance["settled"] is True


async def test_the_import_command_refuses_a_rejected_file_and_books_nothing(payments, tmp_path):
    golden = Path(__file__).parents[1] / "unit" / "files" / "golden" / "ocr_wrong_totals.txt"

    result = await run_command(payments, "import", str(golden))

    assert result.exit_code == 2
    assert "ocr.totals_mismatch" in result.output


async def test_a_missed_instalment_is_reported_once(payments):
    claim = registered(principal_ore=100_000, due_date=DUE)
    await payments.apply(claim)
    schedule = [(date(2025, 5, 15), 50_000), (date(2025, 6, 16), 50_000)]
    plan = plan_agreed([claim.payload.claim_id], schedule, datetime(2025, 5, 1, 10, tzinfo=UTC))
    assert await payments.apply(plan)
    kid = await kid_of(payments, claim.payload.claim_id)
    await payments.client.post(
        "/v1/payment-files",
        content=ocr_file((kid, 50_000, date(2025, 5, 14))),
        headers={**payments.token(), "Content-Type": "text/plain"},
    )

    first = await run_command(payments, "check-plans", "--date", "2025-06-20")
    again = await run_command(payments, "check-plans", "--date", "2025-06-21")

    assert first.exit_code == 0, first.output
    missed = [
        e
        for e in await outbox(payments, "plans.instalment_missed.v1")
        if e["plan_id"] == str(plan.payload.plan_id)
    ]
    assert len(missed) == 1
    assert missed[0]["instalment_due_date"] == "2025-06-16"
    assert (missed[0]["amount_due_ore"], missed[0]["paid_ore"]) == (50_000, 0)
    assert "0 missed" in again.output


async def test_the_settle_command_writes_the_remittance_as_csv_and_json(payments, tmp_path):
    claim = registered(principal_ore=30_000, due_date=date(2025, 8, 1), municipality="3312")
    await payments.apply(claim)
    kid = await kid_of(payments, claim.payload.claim_id)
    await payments.client.post(
        "/v1/payment-files",
        content=ocr_file((kid, 30_000, date(2025, 8, 1))),
        headers={**payments.token(), "Content-Type": "text/plain"},
    )

    result = await run_command(
        payments, "settle", "--municipality", "3312", "--period", "2025-08", "--out", str(tmp_path)
    )

    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "settlement-3312-2025-08.json").read_text())
    assert document["remitted_ore"] == 30_000
    assert (tmp_path / "settlement-3312-2025-08.csv").read_text().count("\n") == 2
