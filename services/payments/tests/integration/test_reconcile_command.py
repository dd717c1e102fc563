"""``kravflyt payments reconcile``: passes on a sound ledger, names the first discrepancy."""

from __future__ import annotations

import asyncio
from datetime import date

from typer.testing import CliRunner

from payments.commands import commands
from payments_checks import kid_of
from payments_factories import fee_charged, ocr_file, registered

DUE = date(2025, 3, 3)


def reconcile(payments):
    env = {"KRAVFLYT_PAYMENTS_DATABASE_URL": payments.settings.database_url}
    return asyncio.to_thread(CliRunner().invoke, commands, ["reconcile"], env=env)


async def test_reconcile_passes_on_a_sound_ledger_and_names_a_tampered_account(payments):
    claims = [registered(principal_ore=50_000, due_date=DUE) for _ in range(3)]
    for claim in claims:
        await payments.apply(claim)
    await payments.apply(fee_charged(claims[0].payload.claim_id, 3_500, DUE))
    kids = [await kid_of(payments, c.payload.claim_id) for c in claims]
    body = ocr_file((kids[0], 60_000, DUE, "12345678903"), (kids[1], 10_000, DUE), ("", 5_000, DUE))
    await payments.client.post(
        "/v1/payment-files",
        content=body,
        headers={**payments.token(), "Content-Type": "text/plain"},
    )

    sound = await reconcile(payments)
    async with payments.runtime.engine.begin() as conn:
        import sqlalchemy as sa

        await conn.execute(
            sa.text("UPDATE account SET principal_ore = principal_ore + 1 WHERE claim_id = :c"),
            {"c": claims[2].payload.claim_id},
        )
    tampered = await reconcile(payments)

    assert sound.exit_code == 0, sound.output
    assert "the ledger reconciles" in sound.output
    assert tampered.exit_code == 1
    assert f"account {claims[2].payload.claim_id}" in tampered.output
