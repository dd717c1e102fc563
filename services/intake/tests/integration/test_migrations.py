"""Intake's migrations create exactly the schema its code uses."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from intake.db import metadata
from runtime.db import OUTBOX, create_engine, inbox_table, outbox_table
from runtime.migrations import upgrade

MIGRATIONS = Path(__import__("intake").__file__).with_name("migrations")


async def test_the_migrated_schema_has_no_drift_from_the_table_definitions(intake_db):
    expected = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(expected)
    outbox_table(expected)
    inbox_table(expected)
    engine = create_engine(intake_db)

    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), expected)
        )
    await engine.dispose()

    assert diff == []


def _v1(sent: bool) -> dict[str, Any]:
    payload = {
        "claim_id": str(uuid.uuid4()),
        "debtor_name": "Kari Nordmann",
        "debtor_address": {"lines": ["Storgata 1"], "postal_code": "3015", "city": "Drammen"},
        "principal_ore": 100_000,
    }
    now = datetime.now(UTC)
    return {
        "event_id": uuid.uuid4(),
        "event_type": "claims.registered.v1",
        "message_key": payload["claim_id"],
        "body": json.dumps({"type": "claims.registered.v1", "payload": payload}),
        "headers": {},
        "created_at": now,
        "sent_at": now if sent else None,
    }


async def _write(url: str, rows: list[dict[str, Any]]) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.insert(OUTBOX), rows)
    await engine.dispose()


async def _bodies(url: str) -> dict[bool, dict[str, Any]]:
    engine = create_engine(url)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(OUTBOX.c.body, OUTBOX.c.sent_at))).all()
    await engine.dispose()
    return {row.sent_at is not None: json.loads(row.body)["payload"] for row in rows}


def test_sent_claims_registered_v1_rows_lose_the_name_and_address_unsent_ones_keep_them(
    fresh_database,
):
    url = fresh_database("intake")
    upgrade(MIGRATIONS, url, "0003")
    asyncio.run(_write(url, [_v1(sent=True), _v1(sent=False)]))

    upgrade(MIGRATIONS, url)

    bodies = asyncio.run(_bodies(url))
    assert "debtor_name" not in bodies[True]
    assert "debtor_address" not in bodies[True]
    assert bodies[True]["principal_ore"] == 100_000
    assert bodies[False]["debtor_name"] == "Kari Nordmann"
