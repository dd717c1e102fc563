"""Where intake's time goes: cProfile of ``POST /v1/claims`` in process, plus a timed breakdown.

The app is built exactly as ``kravflyt serve intake`` builds it (``serve_app`` with the same
settings), served through httpx's ASGI transport over the real PostgreSQL and NATS. Parts:

1. batches of 1,000 under cProfile with the relay off: own time grouped by package, the hot
   functions, the steps' cumulative times, and the cyclic GC's pauses;
2. the relay publishing those rows to NATS, under cProfile;
3. an unprofiled breakdown of one batch, step by step with intake's own functions, and the
   same 1,000 rows written five ways (as intake does, COPY to a staging table + ``INSERT …
   SELECT`` and COPY of the outbox rows; SQLAlchemy multi-VALUES; SQLAlchemy
   executemany; asyncpg ``unnest``; asyncpg ``COPY`` + ``INSERT … SELECT``), each in a
   rolled-back transaction;
4. single-claim POSTs with the relay on (as in the server): rate, statements per request,
   and a profile.

Not in the default run (``python -m benchmarks profile_batch``): profiling slows code down.
Raw stats are saved for ``python -m pstats``.
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import logging
import pstats
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks.data import ClaimFactory
from benchmarks.intake_batch import BATCH_SIZE
from benchmarks.stack import Stack, step

# (file suffix, function) of the steps worth seeing with their cumulative time.
_STEPS = (
    ("intake/api.py", "submit_claims"),
    ("intake/api.py", "tenant_of"),
    ("intake/mapping.py", "parse_claim"),
    ("intake/handlers.py", "register_claims"),
    ("intake/handlers.py", "_check"),
    ("intake/handlers.py", "_book_candidates"),
    ("intake/handlers.py", "_claim_row"),
    ("runtime/personal_data.py", "debtor_ref"),
    ("runtime/personal_data.py", "seal"),
    ("intake/mapping.py", "registered_event"),
    ("runtime/db.py", "add_event"),
    ("runtime/db.py", "outbox_row"),
    ("contracts/envelope.py", "new_envelope"),
    ("runtime/telemetry.py", "inject_trace_headers"),
    ("runtime/db.py", "commit"),
    ("sqlalchemy/sql/compiler.py", "__init__"),
    ("sqlalchemy/sql/crud.py", "_get_crud_params"),
    ("sqlalchemy/sql/dml.py", "values"),
    ("sqlalchemy/engine/default.py", "_init_compiled"),
    ("sqlalchemy/dialects/postgresql/asyncpg.py", "_prepare_and_execute"),
    ("intake/api.py", "_batch"),
    ("runtime/outbox.py", "publish_pending"),
    ("runtime/outbox.py", "_publish"),
    ("runtime/bus.py", "publish"),
    ("runtime/telemetry.py", "producer_span"),
    ("runtime/telemetry.py", "attach_trace_headers"),
)


class GcTimer:
    """Total time spent in the cyclic garbage collector while enabled."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.collections += 1

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: Any) -> None:
        gc.callbacks.remove(self._callback)


async def run(stack: Stack, *, batches: int, out: Path, singles: int = 300) -> str:
    """Profile batches, the relay, a breakdown and single claims; returns the report text."""
    from intake.service import serve_app as create_app

    factory = ClaimFactory(stack.run_id)
    warm = factory.batch_bodies("pwarm", 2, BATCH_SIZE)
    plain = factory.batch_bodies("plain", batches, BATCH_SIZE)
    profiled = factory.batch_bodies("prof", batches, BATCH_SIZE)
    sample = factory.batch_bodies("sample", 1, BATCH_SIZE)[0]
    single = factory.single_bodies("psingle", 50 + 2 * singles)
    report = io.StringIO()

    def say(text: str = "") -> None:
        print(text, file=report)

    app = create_app(stack.settings(relay_enabled=False))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # FastStream logs to stdout on its own handler; keep the report readable.
    logging.getLogger("faststream").setLevel(logging.CRITICAL)
    runtime = app.state.container.runtime
    await runtime.start()
    try:
        async with _client(app) as client:
            post = _poster(client, stack, expect=200)
            step("profile_batch: warm-up")
            for i, body in enumerate(warm):
                await post(f"pwarm-{i}", body)
            step(f"profile_batch: {batches} batches without the profiler")
            t0 = time.perf_counter()
            for i, body in enumerate(plain):
                await post(f"plain-{i}", body)
            plain_seconds = (time.perf_counter() - t0) / batches
            step(f"profile_batch: {batches} batches under cProfile")
            profiler = cProfile.Profile()
            with GcTimer() as gc_timer:
                t0 = time.perf_counter()
                profiler.enable()
                for i, body in enumerate(profiled):
                    await post(f"prof-{i}", body)
                profiler.disable()
                profiled_seconds = (time.perf_counter() - t0) / batches
        say("== 1. POST /v1/claims, batches of 1,000, in process (ASGI transport, relay off)")
        say(
            f"{plain_seconds * 1000:.0f} ms per batch = {BATCH_SIZE / plain_seconds:,.0f} claims/s "
            f"unprofiled; {profiled_seconds * 1000:.0f} ms per batch under cProfile; cyclic GC: "
            f"{gc_timer.collections} collections, "
            f"{gc_timer.seconds / batches * 1000:.0f} ms per batch"
        )
        _write(report, pstats.Stats(profiler), batches * BATCH_SIZE, "µs/claim")
        profiler.dump_stats(out)

        step("profile_batch: relay publishing the same rows under cProfile")
        say("\n== 2. Outbox relay publishing those rows to NATS (publish_pending until empty)")
        relay_profiler = cProfile.Profile()
        published = 0
        t0 = time.perf_counter()
        relay_profiler.enable()
        for _ in range(1000):  # bounded: at most 1000 × batch_size rows
            sent = await runtime.relay.publish_pending()
            published += sent
            if sent == 0:
                break
        relay_profiler.disable()
        relay_seconds = time.perf_counter() - t0
        say(
            f"{published:,} events in {relay_seconds:.2f} s under cProfile "
            f"({published / relay_seconds:,.0f} events/s)"
        )
        _write(report, pstats.Stats(relay_profiler), published, "µs/event")
        relay_profiler.dump_stats(out.with_suffix(".relay.prof"))

        step("profile_batch: unprofiled breakdown of one batch")
        say("\n== 3. One batch of 1,000, step by step, unprofiled (median of 5)")
        await _breakdown(say, stack, app, sample)
    finally:
        await runtime.stop()

    step(f"profile_batch: {singles} single claims, relay on")
    app = create_app(stack.settings())
    runtime = app.state.container.runtime
    counts = _count_statements(runtime.engine)
    await runtime.start()
    try:
        async with _client(app) as client:
            post = _poster(client, stack, expect=201)
            for i in range(50):
                await post(f"swarm-{i}", single[i])
            counts.clear()
            t0 = time.perf_counter()
            for i in range(singles):
                await post(f"splain-{i}", single[50 + i])
            plain_single = (time.perf_counter() - t0) / singles
            statements = dict(counts)
            profiler = cProfile.Profile()
            profiler.enable()
            t0 = time.perf_counter()
            for i in range(singles):
                await post(f"sprof-{i}", single[50 + singles + i])
            profiler.disable()
            profiled_single = (time.perf_counter() - t0) / singles
    finally:
        await runtime.stop()
    say(f"\n== 4. POST /v1/claims with one claim, sequential, relay on ({singles} requests)")
    say(
        f"{plain_single * 1000:.1f} ms per request = {1 / plain_single:,.0f} requests/s "
        "unprofiled; "
        f"{profiled_single * 1000:.1f} ms under cProfile"
    )
    per = {k: v / singles for k, v in sorted(statements.items())}
    say(
        "per request (incl. the relay it wakes): "
        + ", ".join(f"{v:.1f} {k}" for k, v in per.items())
    )
    _write(report, pstats.Stats(profiler), singles, "µs/request", top=15)
    profiler.dump_stats(out.with_suffix(".single.prof"))
    say(
        f"\nraw stats: {out}, {out.with_suffix('.relay.prof')}, {out.with_suffix('.single.prof')} "
        "(python -m pstats)"
    )
    return report.getvalue()


def _client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://intake", timeout=300)


def _poster(
    client: httpx.AsyncClient, stack: Stack, *, expect: int
) -> Callable[[str, bytes], Awaitable[None]]:
    headers = stack.headers()

    async def post(key: str, body: bytes) -> None:
        response = await client.post(
            "/v1/claims",
            content=body,
            headers={**headers, "Idempotency-Key": f"{stack.run_id}-{key}"},
        )
        ok = response.status_code == expect
        if ok and expect == 200:
            ok = response.json()["registered"] == BATCH_SIZE
        if not ok:
            raise RuntimeError(f"refused: {response.status_code} {response.text[:300]}")

    return post


def _count_statements(engine: Any) -> dict[str, int]:
    """Count SQL statements, pool checkouts and pre-pings on ``engine``."""
    import sqlalchemy as sa

    counts: dict[str, int] = defaultdict(int)
    sync = engine.sync_engine

    @sa.event.listens_for(sync, "before_cursor_execute")
    def _statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        counts[f"{verb} stmts"] += 1

    @sa.event.listens_for(sync, "commit")
    def _commit(conn: Any) -> None:
        counts["commits"] += 1

    @sa.event.listens_for(sync.pool, "checkout")
    def _checkout(*_: Any) -> None:
        counts["pool checkouts (each pre-pinged)"] += 1

    return counts


async def _breakdown(say: Callable[[str], None], stack: Stack, app: Any, body: bytes) -> None:
    """Time each step of one batch with intake's own functions (no profiler)."""
    import sqlalchemy as sa
    from opentelemetry import trace
    from sqlalchemy.dialects import postgresql as pg

    from intake import db
    from intake.handlers import _check, _claim_row
    from intake.mapping import parse_claim, registered_event
    from rules.calendar import oslo_today
    from runtime.db import OUTBOX, copy_rows, insert_new_rows, json_dumps, outbox_row, utc_now

    c = app.state.container
    engine = c.runtime.engine
    async with engine.connect() as conn:
        municipalities = await db.municipalities(conn)
    now = utc_now()
    today = oslo_today(now)
    tracer = trace.get_tracer("benchmarks")
    timings: list[tuple[str, float]] = []

    def timed(label: str, fn: Callable[[], Any], repeat: int = 5) -> Any:
        result = None
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = fn()
            samples.append(time.perf_counter() - t0)
        timings.append((label, statistics.median(samples)))
        return result

    items = timed("json.loads of the request body", lambda: json.loads(body))
    drafts = timed("parse_claim (pydantic ClaimIn) ×1,000", lambda: [parse_claim(i) for i in items])
    valid = timed(
        "validate (_check: rules, identity check digits) ×1,000",
        lambda: [_check(d, "3301", municipalities, today, c.limits) for d in drafts],
    )
    rows = timed(
        "_claim_row (HMAC debtor_ref + AES-GCM seal) ×1,000",
        lambda: [_claim_row(v, c.keys, "http", now) for v in valid],
    )

    def events() -> list[dict[str, Any]]:
        # Inside a span, as in a request: inject_trace_headers then writes a traceparent.
        with tracer.start_as_current_span("bench"):
            return [
                outbox_row(
                    "claims.registered.v2",
                    source="intake",
                    tenant=r["municipality"],
                    subject=str(r["id"]),
                    payload=registered_event(r, c.keys),
                    occurred_at=now,
                )
                for r in rows
            ]

    outbox_rows = timed(
        "registered_event (AES-GCM seal of name and address) + outbox_row ×1,000", events
    )
    statement = pg.insert(db.claim).values(rows).on_conflict_do_nothing().returning(db.claim.c.id)
    timed(
        "  of which: SQLAlchemy building insert(claim).values(1,000 rows)",
        lambda: pg.insert(db.claim).values(rows).on_conflict_do_nothing().returning(db.claim.c.id),
    )
    timed(
        "  of which: SQLAlchemy compiling it (19,000 bind parameters)",
        lambda: statement.compile(dialect=engine.dialect),
    )

    async def as_intake() -> None:
        async with engine.connect() as conn, conn.begin() as tx:
            assert len(await insert_new_rows(conn, db.claim, rows, "id")) == len(rows)
            await copy_rows(conn, OUTBOX, outbox_rows)
            await tx.rollback()

    async def multi_values() -> None:
        async with engine.connect() as conn, conn.begin() as tx:
            stmt = (
                pg.insert(db.claim).values(rows).on_conflict_do_nothing().returning(db.claim.c.id)
            )
            assert len((await conn.execute(stmt)).all()) == len(rows)
            await conn.execute(sa.insert(OUTBOX), outbox_rows)
            await tx.rollback()

    async def sa_executemany() -> None:
        # The same statement without .values(list): SQLAlchemy caches its compiled form and
        # sends the rows through "insertmanyvalues" batches.
        async with engine.connect() as conn, conn.begin() as tx:
            stmt = pg.insert(db.claim).on_conflict_do_nothing().returning(db.claim.c.id)
            assert len((await conn.execute(stmt, rows)).all()) == len(rows)
            await conn.execute(sa.insert(OUTBOX), outbox_rows)
            await tx.rollback()

    claim_columns = list(rows[0])
    outbox_columns = list(outbox_rows[0])
    jsonb = {"debtor_address", "property", "headers"}

    def tuples(source: list[dict[str, Any]], columns: list[str]) -> list[tuple[Any, ...]]:
        return [
            tuple(json_dumps(r[k]) if k in jsonb and r[k] is not None else r[k] for k in columns)
            for r in source
        ]

    claim_types = await _column_types(stack, "claim", claim_columns)
    outbox_types = await _column_types(stack, "outbox", outbox_columns)

    def unnest_sql(table: str, columns: list[str], types: list[str], tail: str) -> str:
        params = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(types))
        # Names come from intake's own table definition, not from input.
        return f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({params}) {tail}"  # noqa: S608

    claim_unnest = unnest_sql(
        "claim", claim_columns, claim_types, "ON CONFLICT DO NOTHING RETURNING id"
    )
    outbox_unnest = unnest_sql("outbox", outbox_columns, outbox_types, "")

    raw = await stack.connect()

    async def by_unnest() -> None:
        async with raw.transaction():
            claim_t = tuples(rows, claim_columns)
            outbox_t = tuples(outbox_rows, outbox_columns)
            inserted = await raw.fetch(
                claim_unnest, *[list(col) for col in zip(*claim_t, strict=True)]
            )
            assert len(inserted) == len(rows)
            await raw.execute(outbox_unnest, *[list(col) for col in zip(*outbox_t, strict=True)])
            raise _Rollback

    async def by_copy() -> None:
        async with raw.transaction():
            await raw.execute("CREATE TEMP TABLE claim_in (LIKE claim) ON COMMIT DROP")
            await raw.copy_records_to_table(
                "claim_in", records=tuples(rows, claim_columns), columns=claim_columns
            )
            inserted = await raw.fetch(
                "INSERT INTO claim SELECT * FROM claim_in ON CONFLICT DO NOTHING RETURNING id"
            )
            assert len(inserted) == len(rows)
            await raw.copy_records_to_table(
                "outbox", records=tuples(outbox_rows, outbox_columns), columns=outbox_columns
            )
            raise _Rollback

    try:
        for label, write in (
            ("write as intake does: COPY to staging + INSERT … SELECT, COPY outbox", as_intake),
            ("write alternative: SQLAlchemy multi-VALUES + executemany", multi_values),
            ("write alternative: SQLAlchemy executemany (insertmanyvalues)", sa_executemany),
            ("write alternative: asyncpg INSERT … SELECT unnest($n::type[])", by_unnest),
            ("write alternative: asyncpg COPY to temp + INSERT … SELECT, COPY outbox", by_copy),
        ):
            samples = []
            for _ in range(5):
                t0 = time.perf_counter()
                try:
                    await write()
                except _Rollback:
                    pass
                samples.append(time.perf_counter() - t0)
            timings.append((label + " (claim + outbox, rolled back)", statistics.median(samples)))
    finally:
        await raw.close()

    width = max(len(label) for label, _ in timings)
    for label, seconds in timings:
        say(
            f"  {label.ljust(width)}  {seconds * 1000:7.1f} ms"
            f"  = {BATCH_SIZE / seconds:9,.0f} claims/s"
        )


class _Rollback(Exception):
    """Leaves an asyncpg transaction block by rolling it back."""


async def _column_types(stack: Stack, table: str, columns: list[str]) -> list[str]:
    conn = await stack.connect()
    try:
        rows = await conn.fetch(
            """
            SELECT attname, format_type(atttypid, atttypmod) AS type
            FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
            """,
            table,
        )
    finally:
        await conn.close()
    types = {r["attname"]: r["type"] for r in rows}
    return [re.sub(r"\(\d+\)$", "", types[c]) for c in columns]


def summarize(path: Path, items: int, unit: str) -> str:
    """The grouped report of a saved cProfile stats file, per item."""
    report = io.StringIO()
    print(f"{items:,} items; raw stats: {path}", file=report)
    _write(report, pstats.Stats(str(path)), items, unit)
    return report.getvalue()


def _group(path: str, function: str) -> str:
    if path == "~":
        name = re.sub(r"^<(built-in method|method) ", "", function).rstrip(">")
        if "poll" in name and ("epoll" in name or "select" in name):
            return "event loop idle (epoll: waiting for PostgreSQL/NATS)"
        return f"builtin {name}"
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    match = re.search(r"/(?:libs|services)/[^/]+/src/(.+)$", path)
    if match:
        return match.group(1)
    match = re.search(r"/lib/python3\.\d+/(.+)$", path)
    if match:
        return "stdlib " + match.group(1).split("/", 1)[0].removesuffix(".py")
    return path


def _write(report: io.StringIO, stats: pstats.Stats, items: int, unit: str, top: int = 20) -> None:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    groups: dict[str, float] = defaultdict(float)
    for (path, _line, function), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        groups[_group(path, function)] += tottime
    per = 1e6 / max(items, 1)
    print(f"\nown time by package/module ({total:.2f} s profiled):", file=report)
    for name, seconds in sorted(groups.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {100 * seconds / total:5.1f} %  {seconds * per:8.1f} {unit}  {name}", file=report)
    print("hottest functions by own time:", file=report)
    rows = sorted(raw.items(), key=lambda kv: -kv[1][2])[:top]
    for (path, line, function), (_cc, ncalls, tottime, _cumtime, _) in rows:
        where = _group(path, function) if path == "~" else f"{_short(path)}:{line} {function}"
        print(
            f"  {100 * tottime / total:5.1f} %  {tottime * per:8.1f} {unit}  "
            f"{ncalls / max(items, 1):8.2f} calls each  {where}",
            file=report,
        )
    found = []
    for suffix, name in _STEPS:
        for (path, line, function), (_cc, ncalls, _tt, cumtime, _) in raw.items():
            if function == name and path.endswith(suffix) and cumtime > 0.001 * total:
                found.append((f"{suffix}:{line}", name, ncalls, cumtime))
    if found:
        print("steps by cumulative time (coroutines: only while running):", file=report)
        for where, name, ncalls, cumtime in found:
            print(
                f"  {100 * cumtime / total:5.1f} %  {cumtime * per:8.1f} {unit}  "
                f"{ncalls:8,} calls  {where} {name}",
                file=report,
            )


def _short(path: str) -> str:
    for marker in ("/site-packages/", "/src/", "/lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path
