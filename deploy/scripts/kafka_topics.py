"""Create Kravflyt's Kafka topics: one per event type (and the dead-letter topic), idempotently.

Run inside the Kravflyt image (the Dockerfile copies it to /opt/kravflyt/kafka_topics.py):

    python /opt/kravflyt/kafka_topics.py --partitions 12 --replication-factor 3

docker compose runs it once before the services start; the Helm chart runs it as a hook Job
when `bus.topics.create` is true. Topics that exist are left alone (a differing partition count
is reported, never changed: adding partitions moves keys, and so reorders a claim's events).
The bus address and credentials come from the same KRAVFLYT_* variables as the services.

Belongs in the runtime as ``kravflyt bus ensure-topics`` (deploy/README.md); until then it lives
here and reads the event types from ``contracts.registry`` and the topic names from
``runtime.bus``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from contracts.registry import EVENTS
from runtime.bus import DEAD_LETTER_TYPE, parse_bus_url, subject_for

# Dead letters wait for an operator: keep them until replayed and cleaned up by hand.
DEAD_LETTER_CONFIG = {"retention.ms": "-1", "cleanup.policy": "delete"}
TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno


def wanted_topics(partitions: int, replication_factor: int) -> list[NewTopic]:
    """One topic per registered event type, the dead-letter topic with unlimited retention."""
    topics = []
    for event_type in sorted(set(EVENTS) | {DEAD_LETTER_TYPE}):
        config = DEAD_LETTER_CONFIG if event_type == DEAD_LETTER_TYPE else {}
        topics.append(
            NewTopic(
                subject_for(event_type),
                num_partitions=partitions,
                replication_factor=replication_factor,
                topic_configs=dict(config),
            )
        )
    return topics


def client_options(environ: dict[str, str] | os._Environ[str] = os.environ) -> dict[str, Any]:
    """aiokafka connection options from KRAVFLYT_BUS_URL and KRAVFLYT_KAFKA_*."""
    address = parse_bus_url(environ.get("KRAVFLYT_BUS_URL", "kafka://127.0.0.1:9092"))
    if address.kind != "kafka":
        raise SystemExit("KRAVFLYT_BUS_URL is not kafka://…; NATS needs no topics")
    options: dict[str, Any] = {"bootstrap_servers": address.servers, "client_id": "kravflyt-topics"}
    protocol = environ.get("KRAVFLYT_KAFKA_SECURITY_PROTOCOL", "")
    if protocol:
        options["security_protocol"] = protocol
    if "SSL" in protocol:
        from aiokafka.helpers import create_ssl_context

        options["ssl_context"] = create_ssl_context(
            cafile=environ.get("KRAVFLYT_KAFKA_SSL_CA_FILE") or None
        )
    if protocol.startswith("SASL"):
        options["sasl_mechanism"] = environ.get("KRAVFLYT_KAFKA_SASL_MECHANISM", "PLAIN")
        options["sasl_plain_username"] = environ.get("KRAVFLYT_KAFKA_SASL_USERNAME")
        options["sasl_plain_password"] = environ.get("KRAVFLYT_KAFKA_SASL_PASSWORD")
    return options


async def ensure_topics(
    options: dict[str, Any], topics: list[NewTopic], *, wait_seconds: float = 60.0
) -> tuple[list[str], list[str]]:
    """Create the missing topics; returns (created, already there)."""
    admin = AIOKafkaAdminClient(**options)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            await admin.start()
            break
        except KafkaConnectionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(2.0)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        created = []
        if missing:
            response = (await admin.create_topics(missing)).to_object()
            for result in response["topic_errors"]:
                code = result["error_code"]
                if code == 0:
                    created.append(result["topic"])
                elif code != TOPIC_ALREADY_EXISTS:  # another run won the race: fine
                    message = result.get("error_message") or ""
                    raise RuntimeError(f"{result['topic']}: Kafka error {code} {message}")
        present = [t for t in topics if t.name in existing]
        for info in await admin.describe_topics([t.name for t in present]) if present else []:
            count = len(info.get("partitions", []))
            wanted = next(t.num_partitions for t in present if t.name == info.get("topic"))
            if count and count != wanted:
                print(
                    f"note: {info['topic']} has {count} partitions, not {wanted}; left as it is",
                    file=sys.stderr,
                )
        return created, sorted(existing & {t.name for t in topics})
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the broker")
    args = parser.parse_args(argv)
    topics = wanted_topics(args.partitions, args.replication_factor)
    created, present = asyncio.run(ensure_topics(client_options(), topics, wait_seconds=args.wait))
    for name in created:
        print(f"created {name}")
    print(f"{len(created)} topics created, {len(present)} already there")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
