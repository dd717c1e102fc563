"""Payments: latency of a debtor's balance and history reads over HTTP (a real server process).

``python -m benchmarks payments_balance [--requests N]`` (default 2 000 per endpoint).

One debtor gets 50 claims and 1 000 postings in total, through payments' own consumer
handlers (``claims.registered.v2`` opens each account and posts its principal, then
``fees.charged.v1`` events post fees until the debtor has exactly 1 000 postings). Around it,
20 000 other debtors' accounts (one principal posting each) are loaded with the service's COPY
helper, so the indexes are not trivially small. Then ``kravflyt serve payments`` runs as its
own process (embedded PostgreSQL and NATS, loopback only) and one client sends, one at a
time over a keep-alive connection:

* ``GET /v1/debtors/{ref}/balance``: the debtor's 50 accounts and total;
* ``GET /v1/accounts/{claim_id}/postings``: a claim's history, round-robin over the 50 claims
  (20 postings each; there is no debtor-wide history route);

each beside two floors from the same run: ``GET /health/live`` (HTTP + client overhead, no
database) and the endpoint's SQL run directly with asyncpg on a warm connection.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

import payments
from benchmarks.report import Section, percentile
from benchmarks.stack import log_tail, spawn_service, step, stop_process
from payments.bootstrap import office_from
from payments.config import PaymentsSettings
from payments.consumers import HANDLERS
from payments.db.reads import DEBTOR_SQL, HISTORY_SQL  # the handlers' statements: the floor
from payments.db.staging import copy_rows
from payments.domain.kids import issue_kid
from rules.kid import KidAlgorithm
from runtime.db import UnitOfWork, create_engine
from runtime.embedded import free_port, start_nats, start_postgres
from runtime.local_issuer import LocalIssuer
from runtime.migrations import upgrade_async

# The event factories of payments' tests: one definition of the events payments consumes.
_TESTS = Path(__file__).parents[1] / "services/payments/tests"
sys.path[:0] = [str(_TESTS), str(_TESTS / "unit/files")]
from payments_factories import fee_charged, registered  # noqa: E402

MIGRATIONS = Path(payments.__file__).with_name("migrations")
DEBTOR = "ref1_bench_debtor"
MUNICIPALITY = "3301"
CLAIMS = 50
POSTINGS = 1_000
BACKGROUND = 20_000
GOAL_P99_MS = 10.0

ACCOUNT_COLUMNS = (
    "claim_id", "municipality", "invoice_number", "claim_type", "debtor_ref",
    "kid", "kid_algorithm", "original_kid", "original_principal_ore", "due_date", "status",
    "principal_ore", "interest_ore", "fees_ore", "paid_ore", "interest_through", "opened_at",
)  # fmt: skip
POSTING_COLUMNS = (
    "claim_id", "debtor_ref", "payment_id", "kind", "component", "debit_account",
    "credit_account", "amount_ore", "booked_on", "booked_at", "reference",
)  # fmt: skip


async def _seed(url: str, settings: PaymentsSettings) -> list[uuid.UUID]:
    """The debtor's 50 claims and 1 000 postings through the consumer handlers; background."""
    office = office_from(settings)
    engine = create_engine(url, pool_size=2)

    async def apply(envelope: Any) -> None:
        async with UnitOfWork(engine, source="payments") as uow:
            await HANDLERS[envelope.type](uow, envelope, office=office)
            await uow.commit()

    async def postings() -> int:
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            return int(
                await raw.fetchval("SELECT count(*) FROM posting WHERE debtor_ref = $1", DEBTOR)
            )

    try:
        today = date.today()
        claims = []
        for i in range(CLAIMS):
            event = registered(
                principal_ore=100_000 + i * 1_000,
                due_date=today - timedelta(days=30 + 7 * i),
                municipality=MUNICIPALITY,
                debtor_ref=DEBTOR,
            )
            await apply(event)
            claims.append(event.payload.claim_id)
        i = 0
        while (have := await postings()) < POSTINGS:
            # One fee per event; charge round-robin so each claim gets about 20 postings.
            for _ in range(POSTINGS - have):
                claim = claims[i % CLAIMS]
                await apply(fee_charged(claim, 3_500, today - timedelta(days=i % 28), MUNICIPALITY))
                i += 1
        await _background(engine)
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            await raw.execute("ANALYZE")
    finally:
        await engine.dispose()
    return claims


async def _background(engine: Any) -> None:
    """Other debtors' accounts with one principal posting each (KIDs outside the office's range)."""
    now, accounts, postings, serial = datetime.now(UTC), [], [], 1
    while len(accounts) < BACKGROUND:
        kid = issue_kid(serial, prefix="8", length=12, algorithm=KidAlgorithm.MOD10)
        serial += 1
        if not kid:
            continue
        i = len(accounts)
        claim_id, principal = uuid.uuid4(), 100_000 + (i % 97) * 100
        due = date(2026, 1, 5) + timedelta(days=i % 300)
        ref = f"ref1_other{i % 8_000}"
        accounts.append(
            (claim_id, "3301" if i % 3 else "3303", f"BG-{i}", "barnehage", ref, kid,
             "MOD10", None, principal, due, "open", principal, 0, 0, 0, None, now)
        )  # fmt: skip
        postings.append(
            (claim_id, ref, None, "principal", "principal", "claim:principal",
             "creditor:principal", principal, due, now, None)
        )  # fmt: skip
    async with UnitOfWork(engine, source="payments") as uow:
        await copy_rows(uow.conn, "account", ACCOUNT_COLUMNS, accounts)
        await copy_rows(uow.conn, "posting", POSTING_COLUMNS, postings)
        await uow.commit()


async def _timed(call: Callable[[int], Awaitable[None]], requests: int, warmup: int) -> list[float]:
    """Latencies in ms of ``requests`` sequential calls, after ``warmup`` unmeasured ones."""
    for i in range(warmup):
        await call(i)
    out = []
    for i in range(requests):
        t = time.perf_counter()
        await call(i)
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return out


def _stats(ms: list[float]) -> str:
    return (
        f"p50 {percentile(ms, 50):.2f} / p90 {percentile(ms, 90):.2f} / "
        f"p99 {percentile(ms, 99):.2f} / max {ms[-1]:.2f} ms"
    )


def _short(ms: list[float]) -> str:
    return f"p50 {percentile(ms, 50):.2f} / p99 {percentile(ms, 99):.2f}"


def _cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _measure(
    base: str,
    headers: dict[str, str],
    dsn: str,
    claims: list[uuid.UUID],
    requests: int,
    server_pid: int,
) -> dict[str, Any]:
    warmup = min(200, requests)
    out: dict[str, Any] = {}

    async def timed(name: str, call: Callable[[int], Awaitable[None]]) -> None:
        for i in range(warmup):
            await call(i)
        before = _cpu(server_pid)
        out[name] = await _timed(call, requests, 0)
        out[name + "_cpu_ms"] = (_cpu(server_pid) - before) * 1000 / requests

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10.0) as client:

        async def live(_: int) -> None:
            (await client.get("/health/live")).raise_for_status()

        async def debtor(_: int) -> None:
            r = await client.get(f"/v1/debtors/{DEBTOR}/balance")
            r.raise_for_status()
            out.setdefault("debtor_accounts", len(r.json()["accounts"]))
            out.setdefault("debtor_bytes", len(r.content))

        async def history(i: int) -> None:
            r = await client.get(f"/v1/accounts/{claims[i % len(claims)]}/postings")
            r.raise_for_status()
            out["history_items"] = out.get("history_items", 0) + len(r.json()["items"])

        async def claim_balance(i: int) -> None:
            (await client.get(f"/v1/accounts/{claims[i % len(claims)]}/balance")).raise_for_status()

        step(f"measuring: {requests:,} requests per endpoint (after {warmup} warm-up each)")
        await timed("live", live)
        await timed("debtor", debtor)
        out.pop("history_items", None)
        await timed("history", history)
        out["history_items"] = out["history_items"] / (requests + warmup)
        await timed("claim", claim_balance)

    conn = await asyncpg.connect(dsn)
    try:

        async def debtor_sql(_: int) -> None:
            await conn.fetch(DEBTOR_SQL, DEBTOR, ["3301", "3303", "3312"])

        async def history_sql(i: int) -> None:
            await conn.fetch(HISTORY_SQL, claims[i % len(claims)])

        out["debtor_sql"] = await _timed(debtor_sql, requests, warmup)
        out["history_sql"] = await _timed(history_sql, requests, warmup)
    finally:
        await conn.close()
    return out


async def run(requests: int = 2_000, info: dict[str, str] | None = None) -> Section:
    """Seed the debtor, serve payments as its own process, measure; the table section."""
    with tempfile.TemporaryDirectory(prefix="kravflyt-bench-") as directory:
        root = Path(directory)
        step("starting embedded PostgreSQL and NATS for payments")
        server = start_postgres(root / "pg")
        nats = server_process = None
        try:
            server.create_database("payments_bench")
            url = server.url("payments_bench")
            dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
            nats_port = free_port()
            nats = start_nats(
                root / "nats", nats_port, log_file=root / "nats.log", new_session=True
            )
            await upgrade_async(MIGRATIONS, url)
            staff = LocalIssuer.load_or_create(
                root / "office-idp",
                issuer="http://localhost/office-idp-local",
                audience="kravflyt-staff",
            )
            settings = PaymentsSettings(service="payments", database_url=url)
            step(f"seeding one debtor: {CLAIMS} claims, {POSTINGS:,} postings (consumer handlers)")
            seeded = time.perf_counter()
            claims = await _seed(url, settings)
            seeded = time.perf_counter() - seeded
            conn = await asyncpg.connect(dsn)
            try:
                counted = await conn.fetchrow(
                    "SELECT count(DISTINCT claim_id) AS claims, count(*) AS postings"
                    " FROM posting WHERE debtor_ref = $1",
                    DEBTOR,
                )
                total_postings = await conn.fetchval("SELECT count(*) FROM posting")
                if info is not None:
                    info["postgres"] = str(await conn.fetchval("SHOW server_version"))
            finally:
                await conn.close()
            env = {k: v for k, v in os.environ.items() if not k.startswith("KRAVFLYT_")}
            port = free_port()
            env.update(
                {
                    "KRAVFLYT_PAYMENTS_DATABASE_URL": url,
                    "KRAVFLYT_PAYMENTS_BUS_URL": f"nats://127.0.0.1:{nats_port}",
                    "KRAVFLYT_PAYMENTS_STAFF_AUTH_ISSUER": staff.issuer,
                    "KRAVFLYT_PAYMENTS_STAFF_AUTH_AUDIENCE": staff.audience,
                    "KRAVFLYT_PAYMENTS_STAFF_AUTH_JWKS_URL": staff.jwks_url,
                    "KRAVFLYT_PAYMENTS_LOG_LEVEL": "WARNING",
                }
            )
            server_process = spawn_service("payments", root, env, port)
            token = staff.issue_staff_token(
                subject="bench.saksbehandler",
                name="Bench Saksbehandler",
                roles=("payments",),
                municipalities=("3301", "3303", "3312"),
            )
            load = os.getloadavg()[0]
            r = await _measure(
                f"http://127.0.0.1:{port}",
                {"Authorization": f"Bearer {token}"},
                dsn,
                claims,
                requests,
                server_process.pid,
            )
            if server_process.poll() is not None:
                raise RuntimeError(f"payments died:\n{log_tail(root, 'payments')}")
        finally:
            if server_process is not None:
                stop_process(server_process, "payments", grace=15.0, sig=signal.SIGINT)
            if nats is not None:
                stop_process(nats, "nats-server", grace=5.0, sig=signal.SIGTERM)
            with contextlib.suppress(Exception):
                server.handle.cleanup()
    return _section(requests, r, counted, total_postings, seeded, load)


def _section(
    requests: int, r: dict[str, Any], counted: Any, total: int, seeded: float, load: float
) -> Section:
    section = Section(
        f"payments: reads of one debtor ({counted['claims']} claims, {counted['postings']:,}"
        f" postings), {requests:,} sequential HTTP requests each, server process"
    )
    live = _short(r["live"])
    section.add("GET /health/live (floor: HTTP, no database)", _stats(r["live"]))
    section.add(
        "  server CPU per request: live / debtor balance / postings / claim balance",
        " / ".join(f"{r[k + '_cpu_ms']:.2f}" for k in ("live", "debtor", "history", "claim"))
        + " ms",
    )
    section.add(
        f"GET /v1/debtors/{{ref}}/balance ({r['debtor_accounts']} accounts,"
        f" {r['debtor_bytes'] / 1000:.0f} kB)",
        _stats(r["debtor"]),
        f"SQL {_short(r['debtor_sql'])}",
        f"{percentile(r['debtor'], 99) / percentile(r['debtor_sql'], 99):.1f}× at p99",
    )
    section.add(
        f"GET /v1/accounts/{{id}}/postings ({r['history_items']:.0f} postings)",
        _stats(r["history"]),
        f"SQL {_short(r['history_sql'])}",
        f"{percentile(r['history'], 99) / percentile(r['history_sql'], 99):.1f}× at p99",
    )
    section.add("GET /v1/accounts/{id}/balance (one claim)", _stats(r["claim"]), f"live {live}")
    worst = max(percentile(r[k], 99) for k in ("debtor", "history"))
    verdict = "met" if worst < GOAL_P99_MS else "NOT met"
    section.note(
        f"goal p99 < {GOAL_P99_MS:.0f} ms for balance and history: {verdict}"
        f" (worst p99 {worst:.2f} ms); floors: /health/live {live} ms, same-run asyncpg SQL"
    )
    section.note(
        f"one client, keep-alive, requests one at a time; {total:,} postings in the database"
        f" ({BACKGROUND:,} background accounts); seeding took {seeded:.0f} s;"
        f" load average at measurement start {load:.2f}"
    )
    section.note(
        "no debtor-wide history route exists: history is per claim (the debtor's 1,000 postings"
        " are spread over 50 claims, about 20 each)"
    )
    return section
