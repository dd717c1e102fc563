"""The debtor's national ID never leaves intake in clear: not in logs, spans, answers or events.

The module drives a day of traffic (single claims, a batch, a rejected claim, an adjustment,
reads and a list) while it captures every log line through the JSON handler runtime.logging
installs, every span through an in-memory exporter, and every response body; then it greps
them for the identity numbers it sent, in any spacing.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from intake_factories import claim_body, d_number, debtor, fodselsnummer, with_wrong_check_digit
from runtime.logging import configure_logging
from runtime.personal_data import PersonalDataKeys, debtor_ref, open_details, open_sealed
from runtime.telemetry import add_span_processor, configure_telemetry

LOG_HANDLER = "kravflyt-json"
WHOLE_ROWS_AS_TEXT = {
    "claim": "SELECT claim::text FROM claim",
    "rejection": "SELECT rejection::text FROM rejection",
    "adjustment": "SELECT adjustment::text FROM adjustment",
    "idempotency_key": "SELECT idempotency_key::text FROM idempotency_key",
    "outbox": "SELECT outbox::text FROM outbox",
}
CAPTURE_LEVEL = "DEBUG"


def anywhere(number: str) -> re.Pattern[str]:
    """The number with any spacing, dots or dashes between its digits ("150385 12345")."""
    return re.compile(r"[\s.-]*".join(number))


@dataclass
class Captured:
    """What left intake while the module ran."""

    logs: io.StringIO
    spans: InMemorySpanExporter
    bodies: list[str] = field(default_factory=list)

    def log_lines(self) -> list[str]:
        return self.logs.getvalue().splitlines()

    def span_texts(self) -> list[str]:
        return [span.to_json(indent=None) for span in self.spans.get_finished_spans()]


@pytest.fixture(scope="module")
def captured_logs(intake: Any) -> Iterator[io.StringIO]:
    """Route the service's JSON log handler (with its masking filter) into a buffer."""
    root = logging.getLogger()
    [installed] = [h for h in root.handlers if h.get_name() == LOG_HANDLER]
    stream, level = installed.stream, logging.getLevelName(root.level)
    buffer = io.StringIO()
    configure_logging("intake", CAPTURE_LEVEL, stream=buffer)
    yield buffer
    configure_logging("intake", level, stream=stream)


@pytest.fixture(scope="module")
def captured_spans() -> Iterator[InMemorySpanExporter]:
    configure_telemetry("intake")
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    add_span_processor(processor)
    yield exporter
    # The provider keeps its processors; a shut down exporter drops what it gets from now on.
    processor.shutdown()


@pytest.fixture(scope="module")
async def captured(
    intake: Any, captured_logs: io.StringIO, captured_spans: InMemorySpanExporter
) -> AsyncIterator[Captured]:
    found = Captured(captured_logs, captured_spans)

    async def keep_body(response: httpx.Response) -> None:
        await response.aread()
        found.bodies.append(response.text)

    intake.client.event_hooks["response"].append(keep_body)
    yield found
    intake.client.event_hooks["response"].remove(keep_body)


@dataclass(frozen=True)
class Traffic:
    """The identity numbers sent during the day, and the claims registered for them."""

    registered: dict[str, str]  # identity number -> claim id
    rejected: list[str]

    @property
    def numbers(self) -> list[str]:
        return [*self.registered, *self.rejected]


async def post(intake: Any, path: str, body: Any, status: int, **headers: str) -> Any:
    response = await intake.client.post(path, json=body, headers={**intake.token(), **headers})
    assert response.status_code == status, response.text
    return response.json()


async def relayed(intake: Any) -> None:
    """Wait until the relay has published every outbox row (its spans and logs included)."""
    engine = intake.app.state.container.runtime.engine
    for _ in range(200):
        async with engine.connect() as conn:
            query = sa.text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            if (await conn.execute(query)).scalar_one() == 0:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox relay did not publish every row")


@pytest.fixture(scope="module")
async def traffic(intake: Any, captured: Captured) -> Traffic:
    """A day of traffic touching every path a national ID goes through."""
    single, spaced, d_num = fodselsnummer("291164"), fodselsnummer("070291"), d_number("040688")
    in_batch = [fodselsnummer("311299") for _ in range(3)]
    bad_check_digit = with_wrong_check_digit(fodselsnummer("180777"))
    logging.getLogger("intake.test").info("a log line that quotes %s", single)
    registered = {}
    for number, written_as in [
        (single, single),
        (spaced, f"{spaced[:6]} {spaced[6:]}"),
        (d_num, d_num),
    ]:
        body = claim_body(debtor=debtor(id=written_as))
        registered[number] = (await post(intake, "/v1/claims", body, 201))["id"]
    batch = [claim_body(debtor=debtor(id=n)) for n in [*in_batch, bad_check_digit]]
    key = {"Idempotency-Key": "personal-data-batch"}
    answer = await post(intake, "/v1/claims", batch, 200, **key)
    assert await post(intake, "/v1/claims", batch, 200, **key) == answer
    assert [r["status"] for r in answer["results"]] == ["registered"] * 3 + ["rejected"]
    registered |= {n: r["id"] for n, r in zip(in_batch, answer["results"][:3], strict=True)}
    await post(intake, "/v1/claims", claim_body(debtor=debtor(id=bad_check_digit)), 422)
    claim_id = registered[single]
    credit = {"kind": "credit_note", "amount_ore": 100, "reason_code": "x", "reason": "Rabatt"}
    await post(intake, f"/v1/claims/{claim_id}/adjustments", credit, 201)
    ref = (await intake.client.get(f"/v1/claims/{claim_id}", headers=intake.token())).json()
    await intake.client.get(f"/v1/claims?debtor_ref={ref['debtor']['ref']}", headers=intake.token())
    await intake.client.get("/v1/claims?limit=500", headers=intake.token())
    await relayed(intake)
    return Traffic(registered, [bad_check_digit])


def leaks(traffic: Traffic, texts: list[str]) -> list[tuple[str, str]]:
    """(number, text) for every text in which a number of the traffic appears."""
    return [(n, t) for n in traffic.numbers for t in texts if anywhere(n).search(t)]


def test_no_log_line_carries_a_debtors_national_id(traffic: Traffic, captured: Captured):
    lines = captured.log_lines()

    found = leaks(traffic, lines)

    assert found == []
    # The capture is the real handler: the test's own line came through it, masked.
    [quoting] = [json.loads(line) for line in lines if "a log line that quotes" in line]
    assert quoting["message"] == "a log line that quotes ***********"


def test_no_span_carries_a_debtors_national_id(traffic: Traffic, captured: Captured):
    spans = captured.span_texts()

    found = leaks(traffic, spans)

    assert found == []
    names = {span.name for span in captured.spans.get_finished_spans()}
    assert {"POST /v1/claims", "claims.registered.v2 publish"} <= names


def test_no_response_body_carries_a_debtors_national_id(traffic: Traffic, captured: Captured):
    bodies = captured.bodies

    found = leaks(traffic, bodies)

    assert found == []
    assert len(bodies) >= 10


async def test_the_register_stores_the_national_id_only_sealed_and_as_a_keyed_hash(
    intake: Any, traffic: Traffic, local_keys: dict[str, str]
):
    keys = PersonalDataKeys.from_strings(
        local_keys["pseudonym_key"], local_keys["sealing_keys"], local_keys["sealing_active_key_id"]
    )

    async with intake.app.state.container.runtime.engine.connect() as conn:
        rows = {
            str(r.id): r
            for r in await conn.execute(sa.text("SELECT id, debtor_ref, debtor_sealed FROM claim"))
        }
        tables = {
            name: [r[0] for r in await conn.execute(sa.text(sql))]
            for name, sql in WHOLE_ROWS_AS_TEXT.items()
        }

    for number, claim_id in traffic.registered.items():
        assert open_sealed(keys, rows[claim_id].debtor_sealed) == number
        assert rows[claim_id].debtor_ref == debtor_ref(keys, number)
    for name, texts in tables.items():
        assert texts, f"{name} is empty: the traffic did not reach it"
        assert leaks(traffic, texts) == [], name


async def test_the_bus_payload_carries_the_debtor_only_as_ref_and_sealed_value(
    intake: Any, traffic: Traffic, local_keys: dict[str, str]
):
    keys = PersonalDataKeys.from_strings(
        local_keys["pseudonym_key"], local_keys["sealing_keys"], local_keys["sealing_active_key_id"]
    )

    async with intake.app.state.container.runtime.engine.connect() as conn:
        bodies = [
            r.body
            for r in await conn.execute(
                sa.text("SELECT body FROM outbox WHERE event_type = 'claims.registered.v2'")
            )
        ]

    payloads = {json.loads(b)["payload"]["claim_id"]: json.loads(b)["payload"] for b in bodies}
    for number, claim_id in traffic.registered.items():
        payload = payloads[claim_id]
        assert payload["debtor_ref"] == debtor_ref(keys, number)
        assert open_sealed(keys, payload["debtor_sealed"]) == number
    assert leaks(traffic, bodies) == []


async def test_the_bus_payload_carries_the_name_and_address_only_sealed(
    intake: Any, traffic: Traffic, local_keys: dict[str, str]
):
    keys = PersonalDataKeys.from_strings(
        local_keys["pseudonym_key"], local_keys["sealing_keys"], local_keys["sealing_active_key_id"]
    )

    async with intake.app.state.container.runtime.engine.connect() as conn:
        claims = {
            str(r.id): r
            for r in await conn.execute(
                sa.text("SELECT id, debtor_name, debtor_address FROM claim")
            )
        }
        bodies = [r.body for r in await conn.execute(sa.text("SELECT body FROM outbox"))]

    payloads = [json.loads(b)["payload"] for b in bodies]
    registered = [p for p in payloads if "debtor_details_sealed" in p]
    # A subset: the session's one NATS stream may hand this module a claim another module sent.
    assert set(traffic.registered.values()) <= {p["claim_id"] for p in registered}
    for payload in registered:
        claim = claims[payload["claim_id"]]
        details = open_details(keys, payload["debtor_details_sealed"])
        assert details.name == claim.debtor_name
        assert (details.address.model_dump() if details.address else None) == claim.debtor_address
    clear = {c.debtor_name for c in claims.values()}
    clear |= {line for c in claims.values() for line in (c.debtor_address or {}).get("lines", [])}
    assert [text for text in clear for body in bodies if text in body] == []
