"""Kafka beyond publish and subscribe: credentials, topics, consumer lag, reading a topic.

One :class:`KafkaOptions` (from the ``KRAVFLYT_KAFKA_*`` settings) gives the FastStream broker,
its readiness ping and every admin client here the same credentials and TLS.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from contracts.registry import EVENTS
from runtime.settings import ServiceSettings, load_settings

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_CLASSES: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}
# Dead letters wait for an operator: keep them until replayed and cleaned up by hand.
DEAD_LETTER_TOPIC_CONFIG = {"retention.ms": "-1", "cleanup.policy": "delete"}


@dataclass(frozen=True)
class KafkaOptions:
    """How to reach Kafka, beyond the bootstrap servers in ``BUS_URL``."""

    security_protocol: str = ""
    sasl_mechanism: str = ""
    sasl_username: str = ""
    sasl_password: str = field(default="", repr=False)
    ssl_ca_file: str = ""
    idempotent_producer: bool = True

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> KafkaOptions:
        return cls(
            security_protocol=settings.kafka_security_protocol,
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_username=settings.kafka_sasl_username,
            sasl_password=settings.kafka_sasl_password,
            ssl_ca_file=settings.kafka_ssl_ca_file,
            idempotent_producer=settings.kafka_idempotent_producer,
        )

    @classmethod
    def from_environment(cls, service: str) -> KafkaOptions:
        """``KRAVFLYT_<SERVICE>_KAFKA_*`` over ``KRAVFLYT_KAFKA_*``, as every setting."""
        return cls.from_settings(load_settings(ServiceSettings, service))


def broker_security(options: KafkaOptions) -> BaseSecurity | None:
    """FastStream's security object for these options (``None``: plaintext, no credentials)."""
    protocol = (options.security_protocol or "PLAINTEXT").upper()
    if protocol not in SECURITY_PROTOCOLS:
        raise ValueError(f"Kafka security protocol must be one of {SECURITY_PROTOCOLS}")
    # aiokafka refuses SSL without a context; no CA file means the system's trusted CAs.
    ssl_context = (
        create_ssl_context(cafile=options.ssl_ca_file or None) if "SSL" in protocol else None
    )
    if protocol.startswith("SASL"):
        mechanism = (options.sasl_mechanism or "PLAIN").upper()
        if mechanism not in SASL_CLASSES:
            raise ValueError(f"Kafka SASL mechanism must be one of {tuple(SASL_CLASSES)}")
        if not options.sasl_username:
            raise ValueError(f"{protocol} needs a user name (KRAVFLYT_KAFKA_SASL_USERNAME)")
        return SASL_CLASSES[mechanism](
            options.sasl_username,
            options.sasl_password,
            ssl_context=ssl_context,
            use_ssl=ssl_context is not None,
        )
    return BaseSecurity(ssl_context=ssl_context) if ssl_context else None


def client_options(servers: list[str], options: KafkaOptions, client_id: str) -> dict[str, Any]:
    """Keyword arguments for an aiokafka client, with the broker's credentials and TLS."""
    return {
        "bootstrap_servers": servers,
        "client_id": client_id,
        **parse_security(broker_security(options)),
    }


def wanted_topics(
    partitions: int, replication_factor: int, *, dead_letter_type: str, prefix: str
) -> list[NewTopic]:
    """One topic per registered event type, and the dead-letter topic with unlimited retention."""
    topics = []
    for event_type in sorted(set(EVENTS) | {dead_letter_type}):
        config = DEAD_LETTER_TOPIC_CONFIG if event_type == dead_letter_type else {}
        topics.append(
            NewTopic(
                prefix + event_type,
                num_partitions=partitions,
                replication_factor=replication_factor,
                topic_configs=dict(config),
            )
        )
    return topics


@dataclass(frozen=True)
class TopicReport:
    """What ``ensure_topics`` did: created, found, and found with another partition count."""

    created: list[str]
    present: list[str]
    differing: dict[str, int]


async def ensure_topics(
    client: dict[str, Any], topics: list[NewTopic], *, wait_seconds: float = 60.0
) -> TopicReport:
    """Create the missing topics; never changes one that exists.

    A differing partition count is reported, not fixed: adding partitions moves keys, and so
    reorders a claim's events.
    """
    admin = AIOKafkaAdminClient(**client)
    await _start_waiting(admin, wait_seconds)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        created = await _create(admin, missing) if missing else []
        present = [t for t in topics if t.name in existing]
        counts = await _partition_counts(admin, [t.name for t in present]) if present else {}
        differing = {
            t.name: counts[t.name]
            for t in present
            if counts.get(t.name) and counts[t.name] != t.num_partitions
        }
        return TopicReport(created, sorted(t.name for t in present), differing)
    finally:
        await admin.close()


async def _start_waiting(admin: AIOKafkaAdminClient, wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            await admin.start()
            return
        except KafkaConnectionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(2.0)


async def _create(admin: AIOKafkaAdminClient, missing: list[NewTopic]) -> list[str]:
    response = (await admin.create_topics(missing)).to_object()
    created = []
    for result in response["topic_errors"]:
        code = result["error_code"]
        if code == 0:
            created.append(result["topic"])
        elif code != TopicAlreadyExistsError.errno:  # another run won the race: fine
            message = result.get("error_message") or ""
            raise RuntimeError(f"{result['topic']}: Kafka error {code} {message}")
    return created


async def _partition_counts(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    return {
        info["topic"]: len(info.get("partitions", []))
        for info in await admin.describe_topics(names)
    }


def pending_messages(
    end_offsets: Mapping[TopicPartition, int],
    committed: Mapping[TopicPartition, int],
    beginning_offsets: Mapping[TopicPartition, int],
) -> int:
    """Messages a consumer group has still to process, over the given partitions.

    A committed offset is the next one to read; a partition without one (``-1`` or missing) is
    read from its beginning (``auto_offset_reset="earliest"``).
    """
    pending = 0
    for partition, end in end_offsets.items():
        position = committed.get(partition, -1)
        if position < 0:
            position = beginning_offsets.get(partition, 0)
        pending += max(0, end - position)
    return pending


class LagProbe:
    """Measures consumer groups' lag: end offsets minus committed offsets, per topic."""

    def __init__(self, client: dict[str, Any]) -> None:
        self._admin = AIOKafkaAdminClient(**client)
        # No group: it only asks for offsets, never joins or commits.
        self._offsets = AIOKafkaConsumer(**client, enable_auto_commit=False)
        self._started = False

    async def pending(self, group: str, topics: Iterable[str]) -> dict[str, int]:
        """Messages waiting for ``group`` on each topic."""
        if not self._started:
            # Both or neither: a half-started probe is closed, and the caller makes a new one.
            self._started = True
            await self._admin.start()
            await self._offsets.start()
        by_topic = await self._partitions(list(topics))
        partitions = [p for ps in by_topic.values() for p in ps]
        if not partitions:
            return dict.fromkeys(by_topic, 0)
        # Explicit partitions: some Kafka-compatible brokers mis-encode "all of the group's".
        offsets = await self._admin.list_consumer_group_offsets(group, partitions=partitions)
        committed = {p: meta.offset for p, meta in offsets.items()}
        ends = await self._offsets.end_offsets(partitions)
        beginnings = await self._offsets.beginning_offsets(partitions)
        return {
            topic: pending_messages({p: ends[p] for p in ps}, committed, beginnings)
            for topic, ps in by_topic.items()
        }

    async def _partitions(self, topics: list[str]) -> dict[str, list[TopicPartition]]:
        described = await self._admin.describe_topics(topics)
        return {
            info["topic"]: [
                TopicPartition(info["topic"], p["partition"]) for p in info["partitions"]
            ]
            for info in described
            if info.get("error_code", 0) == 0
        }

    async def close(self) -> None:
        if self._started:
            await self._offsets.stop()
            await self._admin.close()
            self._started = False


async def read_topic(
    client: dict[str, Any], topic: str, *, group_prefix: str, wait_seconds: float = 60.0
) -> list[bytes]:
    """Every message on ``topic`` from the beginning, oldest first, under a throwaway group.

    The group (``<group_prefix><random>``) never commits, so it leaves no offsets behind; a
    prefix lets a broker's ACLs grant it. Stops at the end offsets seen once assigned.
    """
    consumer = AIOKafkaConsumer(
        topic,
        **client,
        group_id=f"{group_prefix}{uuid.uuid4().hex[:12]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        if topic not in await consumer.topics():
            return []
        return await _read_to_end(consumer, time.monotonic() + wait_seconds)
    finally:
        await consumer.stop()


async def _read_to_end(consumer: AIOKafkaConsumer, deadline: float) -> list[bytes]:
    records: list[tuple[int, int, int, bytes]] = []
    ends: dict[TopicPartition, int] | None = None
    while True:
        batches = await consumer.getmany(timeout_ms=500)
        records.extend(
            (m.timestamp, m.partition, m.offset, m.value or b"")
            for messages in batches.values()
            for m in messages
        )
        if ends is None and consumer.assignment():
            ends = await consumer.end_offsets(list(consumer.assignment()))
        if ends is not None and await _reached(consumer, ends):
            return [value for *_, value in sorted(records)]
        if time.monotonic() > deadline:
            raise TimeoutError(f"could not read {consumer.subscription()} to its end")


async def _reached(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if partition not in consumer.assignment():
            return False  # rebalanced away meanwhile: keep polling
        if await consumer.position(partition) < end:
            return False
    return True
