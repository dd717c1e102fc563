"""Operator tasks: outbox backlog, and reading and replaying dead letters."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import nats
from nats.js.api import DeliverPolicy

from contracts.envelope import Envelope, parse_envelope
from runtime.bus import DEAD_LETTER_TYPE, Bus, BusAddress, parse_bus_url, subject_for
from runtime.db import create_engine
from runtime.kafka_admin import KafkaOptions, client_options, read_topic
from runtime.outbox import Backlog, outbox_backlog


async def outbox_backlog_of(database_url: str) -> Backlog:
    """The outbox backlog of the service whose database this is."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return await outbox_backlog(conn)
    finally:
        await engine.dispose()


async def read_dead_letters(
    bus_url: str, *, idle_seconds: float = 1.0, kafka: KafkaOptions | None = None
) -> list[Envelope[Any]]:
    """Every dead letter on the bus, oldest first.

    Kafka: the dead-letter topic from the beginning under a throwaway consumer group, with
    ``kafka`` (default: the operator's ``KRAVFLYT_KAFKA_*`` settings) for credentials.
    """
    address = parse_bus_url(bus_url)
    if address.kind == "kafka":
        return await _read_kafka_dead_letters(
            address, kafka or KafkaOptions.from_environment("operator")
        )
    nc = await nats.connect(address.servers)
    letters = []
    try:
        sub = await nc.jetstream().subscribe(
            subject_for(DEAD_LETTER_TYPE), ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
        )
        while True:
            try:
                msg = await sub.next_msg(timeout=idle_seconds)
            except nats.errors.TimeoutError:
                break
            letters.append(parse_envelope(msg.data))
        await sub.unsubscribe()
    finally:
        await nc.close()
    return letters


async def _read_kafka_dead_letters(address: BusAddress, kafka: KafkaOptions) -> list[Envelope[Any]]:
    client = client_options(address.servers, kafka, "kravflyt-operator")
    values = await read_topic(
        client, subject_for(DEAD_LETTER_TYPE), group_prefix="kravflyt-operator-deadletters-"
    )
    return [parse_envelope(value) for value in values]


async def replay_dead_letter(
    bus_url: str, dead_letter_id: str, *, kafka: KafkaOptions | None = None
) -> str:
    """Publish the original message of one dead letter again; returns its event type.

    Consumers that applied it before ignore it (their inbox); the one that failed retries.
    """
    letters = {str(letter.id): letter for letter in await read_dead_letters(bus_url, kafka=kafka)}
    if dead_letter_id not in letters:
        raise LookupError(f"no dead letter {dead_letter_id}")
    payload = letters[dead_letter_id].payload
    original = json.loads(payload.original)
    # On Kafka the key (the claim id) puts it on its claim's partition, behind its claim's events.
    bus = Bus(bus_url, "operator", kafka=kafka)
    await bus.start()
    try:
        await bus.publish(
            payload.event_type,
            payload.original,
            key=str(original.get("subject", dead_letter_id)),
            event_id=payload.event_id or UUID(dead_letter_id),
            headers={},
            dedupe_id=f"replay-{uuid4()}",
        )
    finally:
        await bus.stop()
    return str(payload.event_type)
