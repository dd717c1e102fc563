"""Operator tools: metrics, outbox backlog, consumer lag, dead-letter replay."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa

from contracts.claims import ClaimRejectedV1, RejectionProblem
from contracts.envelope import Envelope
from runtime.bus import Bus
from runtime.db import UnitOfWork, create_engine, inbox_table, outbox_table
from runtime.operations import outbox_backlog_of, read_dead_letters, replay_dead_letter
from runtime.outbox import OutboxRelay
from runtime.service import Runtime, service_app
from runtime.settings import ServiceSettings


def rejected(invoice: str) -> ClaimRejectedV1:
    return ClaimRejectedV1(
        municipality="3301",
        invoice_number=invoice,
        source_event_id=None,
        problems=[RejectionProblem(code="claim.test", message="test")],
        rejected_at=datetime.now(UTC),
    )


async def migrated(fresh_database) -> str:
    url = fresh_database("ops")
    engine = create_engine(url)
    metadata = sa.MetaData()
    outbox_table(metadata)
    inbox_table(metadata)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    return url


async def test_the_outbox_backlog_counts_unpublished_events(fresh_database):
    url = await migrated(fresh_database)
    engine = create_engine(url)
    async with UnitOfWork(engine, source="ops") as uow:
        for n in range(3):
            uow.add_event(
                "claims.rejected.v1", tenant="3301", subject=f"s{n}", payload=rejected(f"i{n}")
            )
        await uow.commit()
    await engine.dispose()

    backlog = await outbox_backlog_of(url)

    assert backlog.rows == 3
    assert backlog.oldest_age_seconds >= 0


async def test_metrics_show_requests_and_the_api_role_registers_no_consumer(
    fresh_database, nats_url
):
    url = await migrated(fresh_database)
    runtime = Runtime(
        ServiceSettings(service="opsapi", database_url=url, bus_url=nats_url, role="api")
    )
    runtime.bus.subscribe("claims.rejected.v1", lambda e: asyncio.sleep(0))
    app = service_app(runtime, title="t")
    await runtime.start()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        await client.get("/health/live")
        metrics = (await client.get("/metrics")).text
    await runtime.stop()

    assert (
        'kravflyt_http_requests_total{method="GET",route="/health/live",service="opsapi",status="200"}'
        in metrics
    )
    assert runtime.bus.broker.subscribers == []


async def test_a_dead_letter_is_replayed_once_fixed_and_then_applied(fresh_database, nats_url):
    url = await migrated(fresh_database)
    engine = create_engine(url)
    marker = uuid.uuid4().hex
    broken = True
    applied: list[str] = []
    consumer = Bus(nats_url, f"replay{marker[:6]}", max_attempts=2, retry_base_seconds=0.01)

    async def handler(envelope: Envelope) -> None:
        if envelope.payload.invoice_number != marker:
            return
        if broken:
            raise RuntimeError("bug in the handler")
        applied.append(envelope.payload.invoice_number)

    consumer.subscribe("claims.rejected.v1", handler)
    await consumer.start()
    try:
        async with UnitOfWork(engine, source="ops") as uow:
            uow.add_event(
                "claims.rejected.v1", tenant="3301", subject=marker, payload=rejected(marker)
            )
            await uow.commit()
        await OutboxRelay(engine, consumer).publish_pending()
        letter = None
        for _ in range(50):
            letters = [
                d
                for d in await read_dead_letters(nats_url, idle_seconds=0.3)
                if marker in d.payload.original
            ]
            if letters:
                letter = letters[0]
                break
        assert letter is not None
        lag = await consumer.measure_lag()

        broken = False
        await replay_dead_letter(nats_url, str(letter.id))
        for _ in range(100):
            if applied:
                break
            await asyncio.sleep(0.05)
    finally:
        await consumer.stop()
        await engine.dispose()

    assert applied == [marker]
    assert all(v >= 0 for v in lag.values())
