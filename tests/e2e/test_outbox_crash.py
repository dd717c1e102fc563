"""The outbox over real processes: intake killed between publish and mark loses nothing."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest
import sqlalchemy as sa

from contracts.envelope import Envelope
from runtime.bus import Bus
from runtime.db import UnitOfWork, create_engine, inbox_table
from runtime.localstack import LocalStack

pytestmark = pytest.mark.e2e

LOCK = 424242
# Test-only fault injection in intake's database: marking outbox rows sent waits for a lock
# the test holds, so the process can be killed after publishing and before marking.
HOLD_MARKING = f"""
CREATE OR REPLACE FUNCTION hold_outbox_marking() RETURNS trigger AS $$
BEGIN PERFORM pg_advisory_xact_lock_shared({LOCK}); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER hold_outbox_marking BEFORE UPDATE ON outbox
FOR EACH ROW EXECUTE FUNCTION hold_outbox_marking();
"""


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


class CountingConsumer:
    """A real subscriber with an inbox: counts deliveries and applications per claim."""

    def __init__(self, nats_url: str, database_url: str) -> None:
        self.bus = Bus(nats_url, "crashtest", retry_base_seconds=0.01)
        self.engine = create_engine(database_url)
        self.deliveries: dict[str, int] = {}
        self.bus.subscribe("claims.registered.v2", self.on_registered)

    async def start(self) -> None:
        metadata = sa.MetaData()
        inbox_table(metadata)
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await conn.execute(sa.text("CREATE TABLE applied (claim_id text)"))
        await self.bus.start()

    async def on_registered(self, envelope: Envelope) -> None:
        self.deliveries[envelope.subject] = self.deliveries.get(envelope.subject, 0) + 1
        async with UnitOfWork(self.engine, source="crashtest") as uow:
            if await uow.first_delivery("crashtest", envelope.id, envelope.type):
                await uow.conn.execute(
                    sa.text("INSERT INTO applied VALUES (:c)"), {"c": envelope.subject}
                )
            await uow.commit()

    async def applied(self, claim_id: str) -> int:
        async with self.engine.connect() as conn:
            query = sa.text("SELECT count(*) FROM applied WHERE claim_id = :c")
            return (await conn.execute(query, {"c": claim_id})).scalar_one()

    async def stop(self) -> None:
        await self.bus.stop()
        await self.engine.dispose()


async def eventually(check: Callable[[], Any], timeout: float = 20.0) -> None:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_intake_killed_after_publish_before_mark_republishes_and_consumers_apply_once(
    local_stack: LocalStack, claim_body: Callable[..., dict[str, Any]], fresh_database
) -> None:
    consumer = CountingConsumer(local_stack.nats_url, fresh_database("crashtest"))
    await consumer.start()
    intake_db = await asyncpg.connect(dsn(local_stack.database_url("intake")))
    holder = await asyncpg.connect(dsn(local_stack.database_url("intake")))
    await asyncio.to_thread(local_stack.start_service, "intake")
    try:
        await intake_db.execute(HOLD_MARKING)
        await holder.execute(f"SELECT pg_advisory_lock({LOCK})")
        headers = {"Authorization": f"Bearer {local_stack.token()}"}
        async with httpx.AsyncClient(
            base_url=local_stack.service_url("intake"), headers=headers, trust_env=False
        ) as client:
            created = await client.post("/v1/claims", json=claim_body())
        claim_id = created.json()["id"]

        async def delivered() -> bool:
            return consumer.deliveries.get(claim_id, 0) >= 1

        await eventually(delivered)
        unsent_before_kill = await intake_db.fetchval(
            "SELECT count(*) FROM outbox WHERE message_key = $1 AND sent_at IS NULL", claim_id
        )
        killed = await asyncio.to_thread(local_stack.stop_service, "intake", signal.SIGKILL)
        # The killed process's transaction still waits for the lock: let it end (it aborts, its
        # client being gone) before the trigger can be dropped.
        await holder.execute(f"SELECT pg_advisory_unlock({LOCK})")
        await intake_db.execute("DROP TRIGGER hold_outbox_marking ON outbox")
        await asyncio.to_thread(local_stack.start_service, "intake")

        async def marked_sent() -> bool:
            unsent = await intake_db.fetchval(
                "SELECT count(*) FROM outbox WHERE message_key = $1 AND sent_at IS NULL", claim_id
            )
            return unsent == 0

        await eventually(marked_sent)
        await asyncio.sleep(1.0)
        applied = await consumer.applied(claim_id)
    finally:
        await holder.close()
        await intake_db.close()
        await consumer.stop()
        await asyncio.to_thread(local_stack.stop_service, "intake")

    assert created.status_code == 201
    assert unsent_before_kill == 1
    assert killed == -signal.SIGKILL
    assert consumer.deliveries[claim_id] >= 1
    assert applied == 1
