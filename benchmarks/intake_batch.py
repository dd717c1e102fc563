"""Batch intake throughput over HTTP, beside the raw COPY rate of the same rows.

Intake runs as a real ``kravflyt serve intake`` process. N batches of 1,000 valid, distinct
claims (JSON bodies built before timing) are POSTed with httpx, first by one client, then by
two concurrent clients (N batches in total per mode). A claim counts once it is in ``claim``
with its ``claims.registered.v2`` outbox row, verified by counting rows afterwards.

The floor is what PostgreSQL on this machine does with the very same rows and no application:
``copy_records_to_table`` of the registered claim rows into ``claim_copy`` (``LIKE claim
INCLUDING ALL``) plus their outbox rows into ``outbox_copy`` (``LIKE outbox INCLUDING ALL``),
in three ways (one transaction; one per 1,000 claims; one per 1,000 claims over 2
connections). The ratio is taken against the fastest, so it is the conservative one.

The outbox relay runs inside the intake process while batches arrive; its figure is how long
it still needs after the last response until every outbox row has ``sent_at`` set, and its
event rate over the whole mode. Each mode starts only once the previous one is drained.

Wall-clock rates also measure whatever else runs on the machine, so the CPU time of the intake
process and of PostgreSQL per claim is printed too (from the start of a mode until the outbox
is drained, so the relay's share is included); it does not depend on the neighbours.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.data import ClaimFactory
from benchmarks.report import Section, pct, percentile, rate
from benchmarks.stack import Stack, step

BATCH_SIZE = 1000
DRAIN_TIMEOUT = 120.0
_POLL = 0.02


@dataclass
class ModeResult:
    clients: int
    batches: int
    claims: int = 0
    elapsed: float = 0.0
    batch_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    drain_after_last: float | None = None
    drained_total: float | None = None
    rows_claim: int = 0
    rows_outbox: int = 0
    rows_sent: int = 0
    server_cpu_posts: float = 0.0  # intake process CPU seconds while the POSTs ran
    server_cpu: float = 0.0  # … until the relay had drained the outbox
    postgres_cpu: float = 0.0  # PostgreSQL CPU seconds over the same span

    @property
    def rate(self) -> float:
        return self.rows_claim / self.elapsed if self.elapsed else 0.0


async def run(
    stack: Stack,
    *,
    batches: int,
    clients: tuple[int, ...] = (1, 2),
    warmup_batches: int = 1,
    idempotency_keys: bool = True,
) -> Section:
    """Run every mode and the COPY floor; returns the section for the table."""
    factory = ClaimFactory(stack.run_id)
    step(
        f"intake_batch: building {(warmup_batches + batches * len(clients)) * BATCH_SIZE:,} claims"
    )
    warmup = factory.batch_bodies("warm", warmup_batches, BATCH_SIZE)
    bodies = {c: factory.batch_bodies(f"c{c}", batches, BATCH_SIZE) for c in clients}
    gc.freeze()  # the pre-built bodies are never garbage: keep the client's GC pauses short
    conn = await stack.connect()
    try:
        step("intake_batch: warm-up")
        warm = ModeResult(1, warmup_batches)
        await _post_all(stack, "warm", warmup, 1, warm, idempotency_keys)
        if warm.errors:
            raise RuntimeError(f"warm-up failed: {warm.errors[0]}\n{stack.server_log_tail()}")
        if await _wait_drained(conn, DRAIN_TIMEOUT) is None:
            raise RuntimeError("the outbox relay did not drain the warm-up batch")
        results = []
        for c in clients:
            step(f"intake_batch: {batches} batches × {BATCH_SIZE:,}, {c} client(s)")
            result = ModeResult(c, batches)
            server0, postgres0 = stack.cpu_seconds()
            await _post_all(stack, f"c{c}", bodies[c], c, result, idempotency_keys)
            result.server_cpu_posts = stack.cpu_seconds()[0] - server0
            result.drain_after_last = await _wait_drained(conn, DRAIN_TIMEOUT)
            server1, postgres1 = stack.cpu_seconds()
            result.server_cpu, result.postgres_cpu = server1 - server0, postgres1 - postgres0
            if result.drain_after_last is not None:
                result.drained_total = result.elapsed + result.drain_after_last
            await _verify(conn, factory.series_prefix(f"c{c}"), result)
            results.append(result)
        rejections = await conn.fetchval("SELECT count(*) FROM rejection")
        total_outbox = await conn.fetchval("SELECT count(*) FROM outbox")
        stream_messages = await _stream_messages(stack.nats_url)
        step("intake_batch: raw COPY floor of the same rows")
        floors = await _copy_floor(stack, conn, factory.series_prefix(f"c{clients[0]}"))
    finally:
        await conn.close()
    return _section(results, floors, rejections, total_outbox, stream_messages, idempotency_keys)


async def _post_all(
    stack: Stack,
    label: str,
    bodies: list[bytes],
    clients: int,
    result: ModeResult,
    idempotency_keys: bool,
) -> None:
    """POST every body, ``clients`` requests in flight at a time (bounded: one pass)."""
    pending = iter(enumerate(bodies))
    headers = stack.headers()
    timeout = httpx.Timeout(300.0, connect=10.0)

    async def client_loop() -> None:
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=timeout) as client:
            for index, body in pending:
                h = dict(headers)
                if idempotency_keys:
                    h["Idempotency-Key"] = f"{stack.run_id}-{label}-{index}"
                t0 = time.perf_counter()
                try:
                    response = await client.post("/v1/claims", content=body, headers=h)
                except httpx.HTTPError as error:
                    result.errors.append(f"batch {index}: {type(error).__name__}: {error}")
                    continue
                result.batch_seconds.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    result.errors.append(
                        f"batch {index}: HTTP {response.status_code} {response.text[:300]}"
                    )
                    continue
                registered = response.json().get("registered")
                if registered != BATCH_SIZE:
                    result.errors.append(f"batch {index}: {registered} of {BATCH_SIZE} registered")
                result.claims += int(registered or 0)

    start = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    result.elapsed = time.perf_counter() - start


async def _wait_drained(conn: Any, limit_seconds: float) -> float | None:
    """Seconds until no outbox row is unsent; None after ``limit_seconds``."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit_seconds:
        if await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0:
            return time.perf_counter() - start
        await asyncio.sleep(_POLL)
    return None


async def _verify(conn: Any, prefix: str, result: ModeResult) -> None:
    """Count what is really in PostgreSQL for this mode's claims."""
    row = await conn.fetchrow(
        """
        SELECT count(DISTINCT c.id) AS claims,
               count(o.id) AS outbox,
               count(o.sent_at) AS sent
        FROM claim c
        LEFT JOIN outbox o
          ON o.message_key = c.id::text AND o.event_type = 'claims.registered.v2'
        WHERE c.invoice_number LIKE $1
        """,
        prefix + "-%",
    )
    result.rows_claim, result.rows_outbox, result.rows_sent = (
        row["claims"],
        row["outbox"],
        row["sent"],
    )


async def _stream_messages(nats_url: str) -> int | None:
    """Messages in the KRAVFLYT JetStream stream (what the relay really published)."""
    import nats

    try:
        nc = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=0)
    except Exception:
        return None
    try:
        info = await nc.jetstream().stream_info("KRAVFLYT")
        return int(info.state.messages)
    except Exception:
        return None
    finally:
        await nc.close()


@dataclass
class Floor:
    label: str
    claims: int
    elapsed: float
    postgres_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.claims / self.elapsed


async def _copy_floor(stack: Stack, conn: Any, prefix: str) -> list[Floor]:
    """COPY the registered rows of one mode (claims and their outbox rows) into copies."""
    await conn.execute("DROP TABLE IF EXISTS claim_copy, outbox_copy")
    await conn.execute("CREATE TABLE claim_copy (LIKE claim INCLUDING ALL)")
    await conn.execute("CREATE TABLE outbox_copy (LIKE outbox INCLUDING ALL)")
    claims = await conn.fetch(
        "SELECT * FROM claim WHERE invoice_number LIKE $1 ORDER BY registered_at, invoice_number",
        prefix + "-%",
    )
    if not claims:
        return []
    ids = [str(r["id"]) for r in claims]
    outbox = await conn.fetch(
        """
        SELECT event_id, event_type, message_key, body, headers, created_at,
               NULL::timestamptz AS sent_at
        FROM outbox WHERE event_type = 'claims.registered.v2' AND message_key = ANY($1::text[])
        ORDER BY id
        """,
        ids,
    )
    claim_columns = list(claims[0].keys())
    outbox_columns = list(outbox[0].keys())
    claim_rows = [tuple(r) for r in claims]
    outbox_rows = [tuple(r) for r in outbox]
    chunks = [
        (claim_rows[i : i + BATCH_SIZE], outbox_rows[i : i + BATCH_SIZE])
        for i in range(0, len(claim_rows), BATCH_SIZE)
    ]

    async def copy(c: Any, part: list[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]) -> None:
        for claim_chunk, outbox_chunk in part:
            async with c.transaction():
                await c.copy_records_to_table(
                    "claim_copy", records=claim_chunk, columns=claim_columns
                )
                await c.copy_records_to_table(
                    "outbox_copy", records=outbox_chunk, columns=outbox_columns
                )

    async def reset() -> None:
        await conn.execute("TRUNCATE claim_copy, outbox_copy RESTART IDENTITY")
        await conn.execute("CHECKPOINT")

    floors = []
    second = await stack.connect()
    try:
        # Warm the COPY path (catalog caches, type codecs) on both connections.
        for n, c in enumerate((conn, second)):
            part = slice(10 * n, 10 * n + 10)
            await copy(c, [(claim_rows[part], outbox_rows[part])])
        variants: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("1 connection, 1 transaction", lambda: copy(conn, [(claim_rows, outbox_rows)])),
            ("1 connection, 1 txn per 1,000", lambda: copy(conn, chunks)),
            (
                "2 connections, 1 txn per 1,000",
                lambda: asyncio.gather(copy(conn, chunks[0::2]), copy(second, chunks[1::2])),
            ),
        ]
        for label, write in variants:
            await reset()
            cpu0 = stack.cpu_seconds()[1]
            t0 = time.perf_counter()
            await write()
            elapsed = time.perf_counter() - t0
            floors.append(Floor(label, len(claim_rows), elapsed, stack.cpu_seconds()[1] - cpu0))
        copied = await conn.fetchval("SELECT count(*) FROM claim_copy")
        copied_outbox = await conn.fetchval("SELECT count(*) FROM outbox_copy")
        if copied != len(claim_rows) or copied_outbox != len(outbox_rows):
            raise RuntimeError(f"COPY floor wrote {copied}/{copied_outbox} rows")
    finally:
        await second.close()
        await conn.execute("DROP TABLE IF EXISTS claim_copy, outbox_copy")
    return floors


def _section(
    results: list[ModeResult],
    floors: list[Floor],
    rejections: int,
    total_outbox: int,
    stream_messages: int | None,
    idempotency_keys: bool,
) -> Section:
    section = Section("intake_batch — POST /v1/claims, batches of 1,000 valid claims")
    best = max(floors, key=lambda f: f.rate) if floors else None
    for r in results:
        batch = sorted(r.batch_seconds)
        figure = f"{rate(r.rate)} (batch p50 {percentile(batch, 50):.2f} s)"
        floor = f"{rate(best.rate)} COPY claim+outbox" if best else "n/a"
        ratio = pct(r.rate / best.rate) if best else ""
        section.add(
            f"HTTP {r.batches}×1,000, {r.clients} client{'s' if r.clients > 1 else ''}",
            figure,
            floor,
            ratio + (" (goal ≥ 25 %)" if ratio else ""),
        )
    for r in results:
        n = max(r.rows_claim, 1)
        copy_cpu = min((f.postgres_cpu for f in floors), default=0.0)
        per_copy = f"{1e6 * copy_cpu / floors[0].claims:,.0f}" if floors else "n/a"
        section.add(
            f"CPU per claim, {r.clients} client{'s' if r.clients > 1 else ''}: intake process",
            f"{1e6 * r.server_cpu / n:,.0f} µs ({1e6 * r.server_cpu_posts / n:,.0f} µs by the "
            f"last response) = {n / max(r.server_cpu, 1e-9):,.0f} claims/CPU-s",
            f"PostgreSQL {1e6 * r.postgres_cpu / n:,.0f} µs/claim (COPY: {per_copy} µs)",
        )
    for f in floors:
        section.add(
            f"  floor: COPY, {f.label}",
            rate(f.rate),
            f"{f.claims:,} claims + {f.claims:,} outbox rows",
        )
    for r in results:
        if r.drain_after_last is None:
            drained = f"not drained after {DRAIN_TIMEOUT:.0f} s"
        else:
            assert r.drained_total is not None
            drained = (
                f"{r.drain_after_last:.2f} s after last response; "
                f"{rate(r.rows_outbox / r.drained_total, 'events/s')} overall"
            )
        section.add(
            f"outbox relay → NATS, {r.clients} client{'s' if r.clients > 1 else ''}",
            drained,
            f"{r.rows_sent:,}/{r.rows_outbox:,} rows sent",
        )
    for r in results:
        ok = r.rows_claim == r.batches * 1000 == r.rows_outbox and not r.errors
        section.note(
            f"{r.clients} client(s): {r.rows_claim:,} claims and {r.rows_outbox:,} registered "
            f"outbox rows counted in PostgreSQL for {r.batches * 1000:,} sent, "
            f"{r.elapsed:.2f} s wall — {'OK' if ok else 'MISMATCH'}"
        )
        for error in r.errors[:3]:
            section.note(f"  error: {error}")
    stream = "unknown" if stream_messages is None else f"{stream_messages:,}"
    section.note(
        f"rejections recorded: {rejections}; outbox rows in total: {total_outbox:,}; "
        f"messages in the NATS stream: {stream}"
    )
    section.note(
        "each request carries an Idempotency-Key"
        if idempotency_keys
        else "requests carry no Idempotency-Key"
    )
    return section
