"""The bus on a real Kafka (KRaft, through testcontainers): the transport docker compose and the
Helm chart run in production.

Runs where a Docker engine answers; elsewhere every test is skipped with the reason (the `docker`
client binary may exist without an engine, so the check is a ping, not `shutil.which`).

Two behaviours are known gaps of the runtime and are marked `xfail(strict=True)`, so they turn
into failures the day the runtime fixes them and the marker should go (deploy/README.md, "What
depends on runtime support"): a new consumer group must read what was published before it
joined, and dead letters must be replayable on Kafka.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime

import pytest
from deploy_helpers import REPO

from contracts.claims import ClaimRejectedV1, RejectionProblem
from contracts.envelope import Envelope, new_envelope
from runtime.bus import Bus, PermanentError, subject_for

EVENT = "claims.rejected.v1"
DEAD_LETTERS = "deadletters.recorded.v1"
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"


def _no_docker_reason() -> str | None:
    try:
        import docker

        docker.from_env().ping()
    except Exception as error:  # DockerException, connection refused, no socket
        return f"no Docker engine answers ({type(error).__name__}: {str(error)[:160]})"
    return None


NO_DOCKER = _no_docker_reason()
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(NO_DOCKER is not None, reason=f"Kafka end-to-end needs Docker: {NO_DOCKER}"),
]


@pytest.fixture(scope="module")
def kafka_broker() -> Iterator[str]:
    """kafka://host:port of a single-node KRaft broker."""
    try:
        from testcontainers.community.kafka import KafkaContainer  # type: ignore[import-not-found]
    except ImportError:
        from testcontainers.kafka import KafkaContainer

    with KafkaContainer(KAFKA_IMAGE).with_kraft() as kafka:
        yield f"kafka://{kafka.get_bootstrap_server()}"


@pytest.fixture(scope="module")
async def kafka_url(kafka_broker: str) -> str:
    """The broker with Kravflyt's topics, made by deploy/scripts/kafka_topics.py as compose does."""
    topics = _load_topics_script()
    created, _ = await topics.ensure_topics(
        topics.client_options({"KRAVFLYT_BUS_URL": kafka_broker}),
        topics.wanted_topics(partitions=3, replication_factor=1),
    )
    assert subject_for(EVENT) in created
    return kafka_broker


def _load_topics_script():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "kravflyt_deploy_kafka_topics_e2e", REPO / "deploy" / "scripts" / "kafka_topics.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def envelope(invoice: str, claim: str) -> Envelope:
    payload = ClaimRejectedV1(
        municipality="3301",
        invoice_number=invoice,
        source_event_id=None,
        problems=[RejectionProblem(code="claim.test", message="test")],
        rejected_at=datetime.now(UTC),
    )
    return new_envelope(
        EVENT,
        source="e2e",
        tenant="3301",
        subject=claim,
        payload=payload,
        occurred_at=datetime.now(UTC),
    )


async def publish(bus: Bus, sent: Envelope) -> None:
    await bus.publish(EVENT, sent.model_dump_json(), key=sent.subject, event_id=sent.id, headers={})


async def eventually(check: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def joined(producer: Bus, received: Callable[[], list[Envelope]]) -> None:
    """Publish probes until the consumer group has its partitions and one arrives."""
    deadline = time.monotonic() + 90
    while not any(e.payload.invoice_number.startswith("PROBE") for e in received()):
        assert time.monotonic() < deadline, "the consumer group never got its partitions"
        await publish(producer, envelope(f"PROBE-{uuid.uuid4().hex[:6]}", str(uuid.uuid4())))
        await asyncio.sleep(1.0)


async def read_topic(kafka_url: str, event_type: str, idle_seconds: float = 3.0) -> list[Envelope]:
    """Everything on an event type's topic, from the beginning (no consumer group)."""
    from aiokafka import AIOKafkaConsumer

    from contracts.envelope import parse_envelope

    consumer = AIOKafkaConsumer(
        subject_for(event_type),
        bootstrap_servers=kafka_url.removeprefix("kafka://").split(","),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Envelope] = []
    try:
        while batches := await consumer.getmany(timeout_ms=int(idle_seconds * 1000)):
            found.extend(parse_envelope(m.value) for messages in batches.values() for m in messages)
    finally:
        await consumer.stop()
    return found


def collector() -> tuple[list[Envelope], Callable[[Envelope], Awaitable[None]]]:
    seen: list[Envelope] = []

    async def handler(e: Envelope) -> None:
        seen.append(e)

    return seen, handler


async def test_each_service_gets_every_event_once_in_claim_order(kafka_url):
    tag = uuid.uuid4().hex[:6]
    producer = Bus(kafka_url, f"e2e-intake-{tag}")
    dunning_seen, dunning_handler = collector()
    payments_seen, payments_handler = collector()
    dunning = Bus(kafka_url, f"e2e-dunning-{tag}")
    payments = Bus(kafka_url, f"e2e-payments-{tag}")
    dunning.subscribe(EVENT, dunning_handler)
    payments.subscribe(EVENT, payments_handler)
    await producer.start()
    await dunning.start()
    await payments.start()
    try:
        await joined(producer, lambda: dunning_seen)
        await joined(producer, lambda: payments_seen)
        claims = [str(uuid.uuid4()) for _ in range(3)]
        sent = [envelope(f"{tag}-{i}", claims[i % 3]) for i in range(30)]
        for event in sent:
            await publish(producer, event)

        def real(seen: list[Envelope]) -> list[Envelope]:
            return [e for e in seen if e.payload.invoice_number.startswith(tag)]

        await eventually(lambda: len(real(dunning_seen)) >= 30 and len(real(payments_seen)) >= 30)
        await asyncio.sleep(2)  # time for a duplicate to show up
        for seen in (dunning_seen, payments_seen):
            got = real(seen)
            assert sorted(e.id for e in got) == sorted(e.id for e in sent), (
                "each event exactly once"
            )
            for claim in claims:
                # Key = claim id: one partition per claim, so its events keep their order.
                assert [e.id for e in got if e.subject == claim] == [
                    e.id for e in sent if e.subject == claim
                ]
    finally:
        for bus in (dunning, payments, producer):
            await bus.stop()


async def test_a_poisoned_event_lands_in_the_dead_letters_with_its_error(kafka_url):
    tag = uuid.uuid4().hex[:6]
    producer = Bus(kafka_url, f"e2e-intake-{tag}")
    applied, _ = collector()

    async def handler(e: Envelope) -> None:
        if e.payload.invoice_number == f"POISON-{tag}":
            raise PermanentError("claim type barnehage is not set up for 3301")
        applied.append(e)

    consumer = Bus(kafka_url, f"e2e-notification-{tag}", max_attempts=2, retry_base_seconds=0.01)
    consumer.subscribe(EVENT, handler)
    await producer.start()
    await consumer.start()
    try:
        await joined(producer, lambda: applied)
        poison = envelope(f"POISON-{tag}", str(uuid.uuid4()))
        healthy = envelope(f"AFTER-{tag}", str(uuid.uuid4()))
        await publish(producer, poison)
        await publish(producer, healthy)
        # The partition moves on past the poison.
        await eventually(lambda: any(e.id == healthy.id for e in applied))

        deadline = time.monotonic() + 60
        while not (
            mine := [
                d
                for d in await read_topic(kafka_url, DEAD_LETTERS)
                if d.payload.event_id == poison.id
            ]
        ):
            assert time.monotonic() < deadline, "no dead letter"
        (letter,) = mine
        assert letter.payload.consumer == f"e2e-notification-{tag}.{EVENT}"
        assert letter.payload.error_type == "PermanentError"
        assert "not set up" in letter.payload.error_message
        assert letter.payload.attempts == 1, "a permanent error is not retried"
        assert poison.id not in [e.id for e in applied]
    finally:
        await consumer.stop()
        await producer.stop()


async def test_a_new_consumer_group_reads_what_was_published_before_it_joined(kafka_url):
    tag = uuid.uuid4().hex[:6]
    producer = Bus(kafka_url, f"e2e-intake-{tag}")
    await producer.start()
    early = envelope(f"EARLY-{tag}", str(uuid.uuid4()))
    await publish(producer, early)
    await producer.stop()

    seen, handler = collector()
    newcomer = Bus(kafka_url, f"e2e-newcomer-{tag}")
    newcomer.subscribe(EVENT, handler)
    await newcomer.start()
    try:
        await eventually(lambda: any(e.id == early.id for e in seen), seconds=30)
    finally:
        await newcomer.stop()


@pytest.mark.xfail(
    strict=True,
    raises=NotImplementedError,
    reason="kravflyt deadletters replay reads NATS only (deploy/README.md: runtime support)",
)
async def test_a_dead_letter_is_replayed_once_the_fix_is_in(kafka_url):
    from runtime.operations import read_dead_letters, replay_dead_letter

    tag = uuid.uuid4().hex[:6]
    fixed = False
    applied, _ = collector()

    async def handler(e: Envelope) -> None:
        if not fixed and e.payload.invoice_number == f"POISON-{tag}":
            raise PermanentError("not yet")
        applied.append(e)

    producer = Bus(kafka_url, f"e2e-intake-{tag}")
    consumer = Bus(kafka_url, f"e2e-notification-{tag}", max_attempts=1)
    consumer.subscribe(EVENT, handler)
    await producer.start()
    await consumer.start()
    try:
        await joined(producer, lambda: applied)
        poison = envelope(f"POISON-{tag}", str(uuid.uuid4()))
        await publish(producer, poison)

        async def letter_id() -> str | None:
            found = [
                d for d in await read_dead_letters(kafka_url) if d.payload.event_id == poison.id
            ]
            return str(found[0].id) if found else None

        deadline = time.monotonic() + 60
        while (dead := await letter_id()) is None:
            assert time.monotonic() < deadline, "no dead letter"
            await asyncio.sleep(1)
        fixed = True
        await replay_dead_letter(kafka_url, dead)
        await eventually(lambda: [e.id for e in applied].count(poison.id) == 1)
    finally:
        await consumer.stop()
        await producer.stop()
