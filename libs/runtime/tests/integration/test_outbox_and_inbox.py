"""The outbox relay and the inbox against a real PostgreSQL and NATS JetStream."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import nats
import pytest
import sqlalchemy as sa
from nats.js.api import DeliverPolicy

from contracts.claims import ClaimRejectedV1, RejectionProblem
from contracts.envelope import Envelope
from runtime.bus import Bus
from runtime.db import OUTBOX, UnitOfWork, create_engine, inbox_table, outbox_table
from runtime.outbox import OutboxRelay


def rejected(invoice: str) -> ClaimRejectedV1:
    return ClaimRejectedV1(
        municipality="3301",
        invoice_number=invoice,
        source_event_id=None,
        problems=[RejectionProblem(code="claim.test", message="test")],
        rejected_at=datetime.now(UTC),
    )


@pytest.fixture(scope="module")
async def engine(fresh_database):
    engine = create_engine(fresh_database("runtime"))
    metadata = sa.MetaData()
    outbox_table(metadata)
    inbox_table(metadata)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def bus(nats_url) -> AsyncIterator[Bus]:
    bus = Bus(nats_url, "runtimetest", max_attempts=3, retry_base_seconds=0.01)
    await bus.start()
    yield bus
    await bus.stop()


async def read_subject(
    nats_url: str, event_type: str, marker: str, settle: float = 1.0
) -> list[dict]:
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().subscribe(
            f"kravflyt.{event_type}", ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
        )
        found = []
        while True:
            try:
                msg = await sub.next_msg(timeout=settle)
            except nats.errors.TimeoutError:
                break
            body = json.loads(msg.data)
            if marker in json.dumps(body):
                found.append(body)
        return found
    finally:
        await nc.close()


async def test_events_of_a_rolled_back_transaction_are_never_published(engine):
    marker = uuid.uuid4().hex

    async with UnitOfWork(engine, source="test") as uow:
        uow.add_event("claims.rejected.v1", tenant="3301", subject=marker, payload=rejected(marker))
        await uow.conn.execute(sa.text("SELECT 1"))
    async with engine.connect() as conn:
        count = (
            await conn.execute(sa.select(sa.func.count()).where(OUTBOX.c.message_key == marker))
        ).scalar_one()

    assert count == 0


async def test_the_relay_publishes_committed_events_in_order_and_marks_them_sent(
    engine, bus, nats_url
):
    marker = uuid.uuid4().hex
    async with UnitOfWork(engine, source="test") as uow:
        for n in range(5):
            uow.add_event(
                "claims.rejected.v1",
                tenant="3301",
                subject=marker,
                payload=rejected(f"{marker}-{n}"),
            )
        await uow.commit()

    published = await OutboxRelay(engine, bus).publish_pending()
    seen = await read_subject(nats_url, "claims.rejected.v1", marker)
    async with engine.connect() as conn:
        unsent = (
            await conn.execute(
                sa.select(sa.func.count()).where(
                    OUTBOX.c.message_key == marker, OUTBOX.c.sent_at.is_(None)
                )
            )
        ).scalar_one()

    assert published >= 5
    assert [e["payload"]["invoice_number"] for e in seen] == [f"{marker}-{n}" for n in range(5)]
    assert unsent == 0


class FailingBus:
    """Publishes through a real bus, then fails as a crash before marking would."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self.address = bus.address

    async def publish(self, *args, **kwargs) -> None:
        await self.bus.publish(*args, **kwargs)
        raise ConnectionError("lost the database between publish and mark")


async def test_a_failure_between_publish_and_mark_publishes_again_and_loses_nothing(
    engine, bus, nats_url
):
    marker = uuid.uuid4().hex
    async with UnitOfWork(engine, source="test") as uow:
        uow.add_event("claims.rejected.v1", tenant="3301", subject=marker, payload=rejected(marker))
        await uow.commit()

    with pytest.raises(ConnectionError):
        await OutboxRelay(engine, FailingBus(bus)).publish_pending()  # type: ignore[arg-type]
    async with engine.connect() as conn:
        still_unsent = (
            await conn.execute(
                sa.select(sa.func.count()).where(
                    OUTBOX.c.message_key == marker, OUTBOX.c.sent_at.is_(None)
                )
            )
        ).scalar_one()
    await OutboxRelay(engine, bus).publish_pending()
    seen = await read_subject(nats_url, "claims.rejected.v1", marker)

    assert still_unsent == 1
    # The republish carries the same event id; JetStream's duplicate window keeps one copy.
    assert len(seen) == 1
    assert seen[0]["payload"]["invoice_number"] == marker


async def test_the_inbox_says_an_event_is_new_only_once(engine):
    event_id = uuid.uuid4()

    async with UnitOfWork(engine, source="test") as uow:
        first = await uow.first_delivery("consumer-a", event_id, "claims.registered.v1")
        again = await uow.first_delivery("consumer-a", event_id, "claims.registered.v1")
        other = await uow.first_delivery("consumer-b", event_id, "claims.registered.v1")
        await uow.commit()

    assert (first, again, other) == (True, False, True)


async def test_a_handler_that_keeps_failing_is_retried_then_dead_lettered(engine, nats_url):
    marker = uuid.uuid4().hex
    attempts: list[int] = []
    consumer = Bus(nats_url, f"flaky{marker[:8]}", max_attempts=3, retry_base_seconds=0.01)

    async def flaky(envelope: Envelope) -> None:
        if envelope.payload.invoice_number == marker:
            attempts.append(1)
            raise RuntimeError("the database is down")

    consumer.subscribe("claims.rejected.v1", flaky)
    await consumer.start()
    try:
        async with UnitOfWork(engine, source="test") as uow:
            uow.add_event(
                "claims.rejected.v1", tenant="3301", subject=marker, payload=rejected(marker)
            )
            await uow.commit()
        await OutboxRelay(engine, consumer).publish_pending()
        for _ in range(100):
            if len(attempts) >= 3:
                break
            await asyncio.sleep(0.05)
        letters = await read_subject(nats_url, "deadletters.recorded.v1", marker, settle=1.5)
    finally:
        await consumer.stop()

    assert len(attempts) == 3
    assert len(letters) == 1
    assert letters[0]["payload"]["attempts"] == 3
    assert letters[0]["payload"]["error_type"] == "RuntimeError"
    assert letters[0]["payload"]["error_message"] == "the database is down"
