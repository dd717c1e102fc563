"""One behavioural suite for the bus on every transport, with FastStream's test brokers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.nats import NatsBroker, TestNatsBroker

from contracts.claims import ClaimRejectedV1, RejectionProblem
from contracts.envelope import Envelope, new_envelope
from runtime.bus import Bus, parse_bus_url

TRANSPORTS = {
    "nats": ("nats://127.0.0.1:4222", TestNatsBroker),
    "kafka": ("kafka://127.0.0.1:9092,127.0.0.1:9093", TestKafkaBroker),
}


def envelope(invoice: str) -> Envelope:
    payload = ClaimRejectedV1(
        municipality="3301",
        invoice_number=invoice,
        source_event_id=None,
        problems=[RejectionProblem(code="claim.test", message="test")],
        rejected_at=datetime.now(UTC),
    )
    return new_envelope(
        "claims.rejected.v1",
        source="test",
        tenant="3301",
        subject=invoice,
        payload=payload,
        occurred_at=datetime.now(UTC),
    )


def test_bus_urls_choose_the_transport():
    assert parse_bus_url("nats://a:4222,b:4222").servers == ["nats://a:4222", "nats://b:4222"]
    assert parse_bus_url("kafka://k1:9092,k2:9092").kind == "kafka"
    assert isinstance(Bus("kafka://k1:9092", "intake").broker, KafkaBroker)
    assert isinstance(Bus("nats://n:4222", "intake").broker, NatsBroker)
    with pytest.raises(ValueError, match="nats:// or kafka://"):
        parse_bus_url("amqp://rabbit:5672")


def test_the_kafka_producer_is_idempotent():
    bus = Bus("kafka://k1:9092", "intake")

    assert bus.broker._connection_kwargs["enable_idempotence"] is True


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_subscriber_receives_the_validated_envelope(transport):
    url, test_broker = TRANSPORTS[transport]
    bus = Bus(url, "component")
    received: list[Envelope] = []

    async def handler(e: Envelope) -> None:
        received.append(e)

    bus.subscribe("claims.rejected.v1", handler)
    sent = envelope("INV-1")
    async with test_broker(bus.broker):
        await bus.publish(
            "claims.rejected.v1",
            sent.model_dump_json(),
            key=sent.subject,
            event_id=sent.id,
            headers={},
        )

    assert [e.id for e in received] == [sent.id]
    assert received[0].payload.invoice_number == "INV-1"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_failing_handler_is_retried_and_then_dead_lettered(transport):
    url, test_broker = TRANSPORTS[transport]
    bus = Bus(url, "component", max_attempts=3, retry_base_seconds=0.001)
    attempts = []
    letters: list[Envelope] = []

    async def failing(e: Envelope) -> None:
        attempts.append(e.id)
        raise RuntimeError("boom")

    async def dead_letters(e: Envelope) -> None:
        letters.append(e)

    bus.subscribe("claims.rejected.v1", failing)
    bus.subscribe("deadletters.recorded.v1", dead_letters, name="operator")
    sent = envelope(f"INV-{uuid.uuid4().hex[:6]}")
    async with test_broker(bus.broker):
        await bus.publish(
            "claims.rejected.v1",
            sent.model_dump_json(),
            key=sent.subject,
            event_id=sent.id,
            headers={},
        )

    assert len(attempts) == 3
    assert [(d.payload.event_id, d.payload.attempts, d.payload.error_message) for d in letters] == [
        (sent.id, 3, "boom")
    ]
