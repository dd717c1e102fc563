"""The only bus API services see: FastStream behind ``BUS_URL``.

``nats://host:4222`` gives NATS JetStream (one stream for all Kravflyt subjects, one durable
pull consumer per service and event type, explicit ack); ``kafka://host:9092,...`` gives Kafka
(topic per event type, consumer group per service, commit after processing, idempotent
producer, key = claim id; credentials and TLS from ``KRAVFLYT_KAFKA_*``). Handlers receive
a validated :class:`Envelope` and never see the broker. A failing handler is retried with
back-off; then the message goes to the dead-letter subject with the error and is acknowledged,
so nothing is dropped silently and nothing blocks.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker
from faststream.nats import JStream, NatsBroker, PullSub
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from contracts.envelope import Envelope, new_envelope, parse_envelope
from contracts.operations import DeadLetterV1
from contracts.registry import UnknownEventType
from runtime.db import utc_now
from runtime.kafka_admin import KafkaOptions, LagProbe, broker_security, client_options
from runtime.metrics import CONSUMER_PENDING, DEAD_LETTERS, EVENTS_CONSUMED
from runtime.telemetry import consumer_span, inject_trace_headers, producer_span

log = logging.getLogger(__name__)
# FastStream logs through our JSON handler (with its masking filter), not its own.
_BROKER_LOG = logging.getLogger("kravflyt.broker")

STREAM_NAME = "KRAVFLYT"
SUBJECT_PREFIX = "kravflyt."
DEAD_LETTER_TYPE = "deadletters.recorded.v1"

Handler = Callable[[Envelope[Any]], Awaitable[None]]


class PermanentError(Exception):
    """A handler error that retrying cannot fix: the message goes to dead letters at once."""


@dataclass(frozen=True)
class BusAddress:
    """A parsed ``BUS_URL``."""

    kind: str
    servers: list[str]


def parse_bus_url(url: str) -> BusAddress:
    """Split ``nats://a:4222,b:4222`` or ``kafka://a:9092,b:9092`` into kind and servers."""
    parts = urlsplit(url)
    if parts.scheme not in ("nats", "kafka"):
        raise ValueError(f"BUS_URL must start with nats:// or kafka://, not {parts.scheme!r}://")
    hosts = [h for h in parts.netloc.split(",") if h]
    if not hosts:
        raise ValueError("BUS_URL names no server")
    if parts.scheme == "nats":
        return BusAddress("nats", [f"nats://{h}" for h in hosts])
    return BusAddress("kafka", hosts)


def subject_for(event_type: str) -> str:
    """The NATS subject (or Kafka topic, without prefix) carrying one event type."""
    return SUBJECT_PREFIX + event_type


@dataclass
class Bus:
    """A FastStream broker for one service, with Kravflyt's retry and dead-letter policy."""

    url: str
    service: str
    max_attempts: int = 5
    retry_base_seconds: float = 0.2
    consume: bool = True
    # Kafka only; None reads the service's KRAVFLYT_KAFKA_* settings.
    kafka: KafkaOptions | None = None
    address: BusAddress = field(init=False)
    broker: NatsBroker | KafkaBroker = field(init=False)
    _stream: JStream | None = field(init=False, default=None)
    _durables: list[str] = field(init=False, default_factory=list)
    _topics: dict[str, str] = field(init=False, default_factory=dict)
    _lag_probe: LagProbe | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.address = parse_bus_url(self.url)
        if self.address.kind == "nats":
            self.broker = NatsBroker(
                self.address.servers, name=f"kravflyt-{self.service}", logger=_BROKER_LOG
            )
            self._stream = JStream(
                STREAM_NAME, subjects=[SUBJECT_PREFIX + ">"], duplicate_window=120.0
            )
        else:
            self.kafka = self.kafka or KafkaOptions.from_environment(self.service)
            self.broker = KafkaBroker(
                self.address.servers,
                enable_idempotence=self.kafka.idempotent_producer,
                client_id=f"kravflyt-{self.service}",
                logger=_BROKER_LOG,
                # Also what the readiness ping connects with.
                security=broker_security(self.kafka),
            )

    def subscribe(self, event_type: str, handler: Handler, *, name: str | None = None) -> None:
        """Deliver every ``event_type`` event to ``handler`` (durable, per this service).

        A process running only the API role (``consume=False``) registers nothing.
        """
        if not self.consume:
            return
        consumer = name or f"{self.service}.{event_type}"

        async def receive(message: Any = Context("message")) -> None:  # noqa: B008 - FastStream DI
            await self._deliver(consumer, event_type, message.body, message.headers, handler)

        receive.__name__ = "on_" + event_type.replace(".", "_")
        if isinstance(self.broker, NatsBroker):
            durable = consumer.replace(".", "_")
            self._durables.append(durable)
            self.broker.subscriber(
                subject_for(event_type),
                stream=self._stream,
                durable=durable,
                pull_sub=PullSub(batch_size=50, timeout=1.0),
                ack_policy=AckPolicy.NACK_ON_ERROR,
            )(receive)
        else:
            self._topics[consumer.replace(".", "_")] = subject_for(event_type)
            self.broker.subscriber(
                subject_for(event_type),
                group_id=self.service,
                # A new consumer group must read what was published before it joined.
                auto_offset_reset="earliest",
                # Offsets are committed only after the handler returned (or dead-lettered).
                ack_policy=AckPolicy.NACK_ON_ERROR,
            )(receive)

    async def start(self) -> None:
        """Connect, declare the stream and start the subscribers."""
        await self.broker.start()
        if isinstance(self.broker, NatsBroker) and not self.broker.subscribers:
            await self._declare_stream()

    async def _declare_stream(self) -> None:
        from nats.js.api import StreamConfig

        assert self._stream is not None
        js = self.broker.config.connection_state.stream
        config = StreamConfig(
            name=STREAM_NAME, subjects=[SUBJECT_PREFIX + ">"], duplicate_window=120.0
        )
        try:
            await js.add_stream(config)
        except Exception:
            await js.update_stream(config)

    async def measure_lag(self) -> dict[str, int]:
        """Messages waiting for each of this service's consumers, also set as gauges.

        NATS: pending plus unacknowledged of each durable. Kafka: end offsets minus the
        service's committed offsets over each topic's partitions.
        """
        if not isinstance(self.broker, NatsBroker):
            return await self._measure_kafka_lag()
        js = self.broker.config.connection_state.stream
        lag = {}
        for durable in self._durables:
            info = await js.consumer_info(STREAM_NAME, durable)
            lag[durable] = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
            CONSUMER_PENDING.labels(self.service, durable).set(lag[durable])
        return lag

    async def _measure_kafka_lag(self) -> dict[str, int]:
        if not self._topics:
            return {}
        if self._lag_probe is None:
            assert self.kafka is not None
            client = client_options(
                self.address.servers, self.kafka, f"kravflyt-{self.service}-lag"
            )
            self._lag_probe = LagProbe(client)
        try:
            by_topic = await self._lag_probe.pending(self.service, set(self._topics.values()))
        except Exception:
            await self._lag_probe.close()
            self._lag_probe = None  # a fresh one next time: the broker may be back
            raise
        lag = {}
        for consumer, topic in self._topics.items():
            if topic in by_topic:
                lag[consumer] = by_topic[topic]
                CONSUMER_PENDING.labels(self.service, consumer).set(lag[consumer])
        return lag

    async def stop(self) -> None:
        """Stop consuming and close the connection."""
        if self._lag_probe is not None:
            await self._lag_probe.close()
            self._lag_probe = None
        await self.broker.stop()

    async def publish(
        self,
        event_type: str,
        body: str | bytes,
        *,
        key: str,
        event_id: UUID,
        headers: dict[str, str],
        dedupe_id: str | None = None,
    ) -> None:
        """Publish one serialised envelope and wait for the broker's acknowledgement.

        ``dedupe_id`` (default: the event id) lets JetStream drop a republish within its
        duplicate window; an operator's replay passes a fresh one.
        """
        data = body.encode() if isinstance(body, str) else body
        all_headers = {
            **headers,
            "kravflyt-event-type": event_type,
            "kravflyt-event-id": str(event_id),
        }
        if isinstance(self.broker, NatsBroker):
            all_headers["Nats-Msg-Id"] = dedupe_id or str(event_id)
            await self.broker.publish(
                data, subject_for(event_type), headers=all_headers, stream=STREAM_NAME
            )
        else:
            await self.broker.publish(
                data, subject_for(event_type), key=key.encode(), headers=all_headers
            )

    async def _deliver(
        self,
        consumer: str,
        event_type: str,
        body: bytes,
        headers: dict[str, str],
        handler: Handler,
    ) -> None:
        try:
            envelope = parse_envelope(body)
        except (ValidationError, UnknownEventType, ValueError) as error:
            await self._dead_letter(consumer, event_type, None, "", body, error, attempts=1)
            return
        attributes = {
            "messaging.system": self.address.kind,
            "messaging.destination.name": subject_for(event_type),
            "messaging.message.id": str(envelope.id),
            "messaging.consumer.group.name": self.service,
        }
        with consumer_span(f"{subject_for(event_type)} process", headers, attributes):
            attempts = 0
            try:
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(self.max_attempts),
                    wait=wait_exponential(multiplier=self.retry_base_seconds, max=30),
                    retry=retry_if_not_exception_type(PermanentError),
                    reraise=True,
                ):
                    with attempt:
                        attempts += 1
                        await handler(envelope)
                EVENTS_CONSUMED.labels(self.service, event_type, "applied").inc()
            except Exception as error:
                log.exception("handler %s failed for event %s", consumer, envelope.id)
                EVENTS_CONSUMED.labels(self.service, event_type, "dead_lettered").inc()
                await self._dead_letter(
                    consumer, event_type, envelope.id, envelope.tenant, body, error, attempts
                )

    async def _dead_letter(
        self,
        consumer: str,
        event_type: str,
        event_id: UUID | None,
        tenant: str,
        body: bytes,
        error: BaseException,
        attempts: int,
    ) -> None:
        DEAD_LETTERS.labels(self.service, event_type).inc()
        payload = DeadLetterV1(
            consumer=consumer,
            event_type=event_type,
            event_id=event_id,
            original=body.decode("utf-8", errors="replace"),
            error_type=type(error).__name__,
            error_message=_safe_error_text(error),
            attempts=attempts,
            failed_at=utc_now(),
        )
        envelope = new_envelope(
            DEAD_LETTER_TYPE,
            source=self.service,
            tenant=tenant if len(tenant) == 4 else "0000",
            subject=str(event_id) if event_id else consumer,
            payload=payload,
            occurred_at=payload.failed_at,
        )
        with producer_span(f"{subject_for(DEAD_LETTER_TYPE)} publish", {}):
            await self.publish(
                DEAD_LETTER_TYPE,
                envelope.model_dump_json(),
                key=envelope.subject,
                event_id=envelope.id,
                headers=inject_trace_headers(),
            )


def _safe_error_text(error: BaseException) -> str:
    from runtime.personal_data import mask_identity_numbers

    if isinstance(error, ValidationError):
        # pydantic echoes input values; list only where and what, never the value itself.
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return mask_identity_numbers(str(error))[:2000]
