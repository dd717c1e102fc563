"""Payments: importing an OCR giro file of N payments (parse, match, allocate, outbox events),
beside a parse-only pass over the same file (the floor).

``python -m benchmarks payments_import [--payments N]`` (default 100 000; also
``python -m benchmarks.payments_import [N]``). Runs on an embedded PostgreSQL
in a temporary directory: N open claims are loaded by COPY first, then one file pays them —
most in part (interest is booked first), every 50th overpays (credit, refund instruction),
every 100th carries a KID one typo away (unmatched, with candidates). Prints wall time and the
CPU time of this process and of its PostgreSQL backend (on a busy machine wall time lies).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import payments
from benchmarks.report import Section
from benchmarks.stack import step
from payments.bootstrap import office_from
from payments.config import PaymentsSettings
from payments.db.staging import copy_rows
from payments.domain.kids import issue_kid
from payments.files.ocr import validate_ocr
from payments.handlers.imports import import_payment_file
from payments.handlers.reconcile import reconcile
from rules.calendar import roll_forward
from rules.kid import KidAlgorithm
from runtime.db import UnitOfWork, create_engine
from runtime.embedded import start_postgres
from runtime.migrations import upgrade_async

# The OCR record builders of the parsers' tests: one definition of the record layout.
sys.path.insert(0, str(Path(__file__).parents[1] / "services/payments/tests/unit/files"))
from payment_file_builders import (
    assignment_end,
    assignment_start,
    item_1,
    item_2,
    transmission_end,
    transmission_start,
)

MIGRATIONS = Path(payments.__file__).with_name("migrations")
GOAL_SECONDS = 20.0
GOAL_RATIO = 5.0
PAID = date(2026, 11, 20)
ACCOUNT_COLUMNS = (
    "claim_id", "municipality", "invoice_number", "claim_type", "debtor_ref",
    "kid", "kid_algorithm", "original_kid", "original_principal_ore", "due_date", "status",
    "principal_ore", "interest_ore", "fees_ore", "paid_ore", "interest_through", "opened_at",
)  # fmt: skip
POSTING_COLUMNS = (
    "claim_id", "debtor_ref", "payment_id", "kind", "component", "debit_account",
    "credit_account", "amount_ore", "booked_on", "booked_at", "reference",
)  # fmt: skip


def _kids(n: int) -> list[str]:
    kids, serial = [], 1
    while len(kids) < n:
        kid = issue_kid(serial, prefix="9", length=12, algorithm=KidAlgorithm.MOD10)
        serial += 1
        if kid:
            kids.append(kid)
    return kids


def _ocr_file(kids: list[str]) -> bytes:
    lines = [transmission_start("2611241", "00012345")]
    lines.append(assignment_start("001234567", "0000001", "86011117947"))
    total = 0
    for n, kid in enumerate(kids, start=1):
        amount = 300_000 if n % 50 == 0 else 50_000 + (n % 50) * 1_000
        paid_kid = kid if n % 100 != 7 else str((int(kid[0]) + 1) % 10) + kid[1:]
        total += amount
        lines.append(item_1("10", n, PAID, amount, paid_kid, "0"))
        lines.append(item_2("10", n, f"{n % 1000:09d}", PAID, "12345678903"))
    count = len(kids)
    lines.append(assignment_end(count, 2 * count + 2, total, PAID, PAID, PAID))
    lines.append(transmission_end(count, 2 * count + 4, total, PAID))
    return ("\n".join(lines) + "\n").encode("iso-8859-1")


async def _load_claims(engine: Any, kids: list[str]) -> None:
    now, accounts, postings = datetime.now(UTC), [], []
    for i, kid in enumerate(kids):
        claim_id, principal = uuid.uuid4(), 100_000 + (i % 97) * 100
        due = date(2026, 1, 5) + timedelta(days=i % 300)
        accounts.append(
            (claim_id, "3301" if i % 3 else "3303", f"INV-{i}", "barnehage", f"ref1_{i % 40_000}",
             kid, "MOD10", None, principal, due, "open", principal, 0, 0, 0,
             None, now)
        )  # fmt: skip
        postings.append(
            (claim_id, accounts[-1][4], None, "principal", "principal", "claim:principal",
             "creditor:principal", principal, due, now, None)
        )  # fmt: skip
    async with UnitOfWork(engine, source="payments") as uow:
        await copy_rows(uow.conn, "account", ACCOUNT_COLUMNS, accounts)
        await copy_rows(uow.conn, "posting", POSTING_COLUMNS, postings)
        await uow.commit()


async def _import(engine: Any, body: bytes, settings: PaymentsSettings) -> dict[str, Any]:
    async with UnitOfWork(engine, source="payments") as uow:
        raw = (await uow.conn.get_raw_connection()).driver_connection
        backend_pid = await raw.fetchval("SELECT pg_backend_pid()")
        wall, cpu, backend = time.perf_counter(), time.process_time(), _cpu_of(backend_pid)
        result = await import_payment_file(
            uow, io.BytesIO(body), sha256=hashlib.sha256(body).hexdigest(), file_format="ocr",
            imported_by="benchmark", office=office_from(settings),
        )  # fmt: skip
        await uow.commit()
        result["backend_cpu"] = _cpu_of(backend_pid) - backend
    result["wall"], result["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    return result


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(count: int = 100_000, info: dict[str, str] | None = None) -> Section:
    """One import of a ``count``-payment file; its figures beside the parse-only floor."""
    with tempfile.TemporaryDirectory(prefix="kravflyt-bench-") as directory:
        step("starting embedded PostgreSQL for payments")
        server = start_postgres(Path(directory) / "pg")
        try:
            server.create_database("payments_bench")
            url = server.url("payments_bench")
            await upgrade_async(MIGRATIONS, url)
            settings = PaymentsSettings(service="payments", database_url=url)
            engine = create_engine(url, pool_size=2)
            if info is not None:
                async with engine.connect() as conn:
                    raw = (await conn.get_raw_connection()).driver_connection
                    info["postgres"] = str(await raw.fetchval("SHOW server_version"))
            step(f"payments_import: loading {count:,} open claims, building the OCR file")
            kids = _kids(count)
            await _load_claims(engine, kids)
            body = _ocr_file(kids)
            roll_forward(PAID)  # load the holiday tables outside the measurement
            parse, parse_cpu = time.perf_counter(), time.process_time()
            validate_ocr(io.BytesIO(body))
            parse, parse_cpu = time.perf_counter() - parse, time.process_time() - parse_cpu
            step(f"payments_import: importing {count:,} payments (parse-only took {parse:.1f} s)")
            load = os.getloadavg()[0]
            result = await _import(engine, body, settings)
            result["load"], result["parse_cpu"] = load, parse_cpu
            async with engine.connect() as conn:
                sound = not (await reconcile(conn)).discrepancies
            await engine.dispose()
        finally:
            server.handle.cleanup()
    return _section(count, len(body), parse, result, sound)


def _section(count: int, size: int, parse: float, r: dict[str, Any], sound: bool) -> Section:
    section = Section(f"payments: import of one OCR file of {count:,} payments")
    section.add(
        f"import ({size / 1e6:.1f} MB: parse, match, allocate, outbox)",
        f"{r['wall']:.1f} s",
        f"parse only {parse:.1f} s",
        f"{r['wall'] / parse:.1f}×",
    )
    cpu = r["cpu"] + r["backend_cpu"]
    section.add(
        "  CPU: this process + PostgreSQL backend",
        f"{r['cpu']:.1f} s + {r['backend_cpu']:.1f} s = {cpu:.1f} s",
        f"parse only CPU {r['parse_cpu']:.1f} s",
        f"{cpu / r['parse_cpu']:.1f}× (load-independent)",
    )
    section.note(
        f"{r['booked']:,} booked, {r['unmatched']:,} unmatched, "
        f"{r['refund_instructions']:,} refund instructions; ledger reconciles: {sound}"
    )
    ratio = r["wall"] / parse
    met = r["wall"] <= GOAL_SECONDS and ratio <= GOAL_RATIO
    section.note(
        f"goal ≤ {GOAL_SECONDS:.0f} s and ≤ {GOAL_RATIO:.0f}× parse-only: "
        f"{'met' if met else 'NOT met'} ({r['wall']:.1f} s "
        f"{'≤' if r['wall'] <= GOAL_SECONDS else '>'} {GOAL_SECONDS:.0f} s; {ratio:.1f}× "
        f"{'≤' if ratio <= GOAL_RATIO else '>'} {GOAL_RATIO:.0f}×); one process, one transaction,"
        f" wall time; load average at import start {r['load']:.2f}"
    )
    return section


if __name__ == "__main__":
    from benchmarks.report import render

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    load = os.getloadavg()[0]
    print(render(f"load average before start {load:.2f}", [asyncio.run(run(size))]))
