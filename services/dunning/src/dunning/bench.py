"""Benchmark of the daily run beside its floor, one sequential scan of the case table.

``run_benchmark(url)`` migrates the (empty) database at ``url``, seeds ``cases`` open cases by
COPY — ``due_fraction`` of them with a step due on the run date, half a fee-less purring and
half an inkassovarsel with a fee — then times a forced sequential scan and the run itself.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from dunning.config import DunningSettings
from dunning.handlers.claims import shard_key
from dunning.handlers.run import run_daily
from rules.calendar import deadline
from runtime.db import create_engine
from runtime.migrations import upgrade_async
from runtime.personal_data import PersonalDataKeys
from runtime.service import Runtime

RUN_DATE = date(2026, 3, 24)
MIGRATIONS = Path(__file__).with_name("migrations")
BATCH = 50_000
MUNICIPALITIES = ("3303", "3312")
_CASE_COLUMNS = (
    "id", "municipality", "debtor_ref", "debtor_kind", "debtor_name", "debtor_sealed",
    "claim_type", "primary_claim_id", "policy_id", "policy_version", "status", "paused_for",
    "next_action_date", "next_step_key", "history", "shard_key", "opened_at",
)  # fmt: skip
_CLAIM_COLUMNS = (
    "claim_id", "case_id", "municipality", "invoice_number", "claim_type", "description",
    "issue_date", "due_date", "original_principal_ore", "principal_ore", "principal_segments",
    "status", "limitation_date", "limitation_warn_date", "registered_at",
)  # fmt: skip
_SCAN = "SELECT count(*) FROM dunning_case WHERE status = 'active' AND next_action_date <= $1"


async def run_benchmark(
    database_url: str, cases: int = 1_000_000, due_fraction: float = 0.05
) -> dict[str, Any]:
    """Seed, scan, run; the figures in seconds beside the counts."""
    await upgrade_async(MIGRATIONS, database_url)
    engine = create_engine(database_url, pool_size=2)
    try:
        seed_seconds = await _seed(engine, cases, due_fraction)
        scan_seconds = await _scan(engine)
    finally:
        await engine.dispose()
    pseudonym, sealing, active = PersonalDataKeys.generate("bench1").to_strings()
    settings = DunningSettings(
        service="dunning",
        database_url=database_url,
        relay_enabled=False,
        bus_url="nats://127.0.0.1:1",
        pseudonym_key=pseudonym,
        sealing_keys=sealing,
        sealing_active_key_id=active,
    )
    runtime = Runtime(settings)
    started = time.perf_counter()
    report = await run_daily(runtime, RUN_DATE, chunk=settings.run_chunk_size)
    run_seconds = time.perf_counter() - started
    await runtime.engine.dispose()
    return {
        "cases": cases,
        "due": report.selected,
        "steps_taken": report.taken,
        "seed_seconds": round(seed_seconds, 2),
        "scan_seconds": round(scan_seconds, 3),
        "run_seconds": round(run_seconds, 2),
        "run_over_scan": round(run_seconds / scan_seconds, 1) if scan_seconds else None,
        "letters": report.as_json()["letters"],
    }


async def _seed(engine: Any, cases: int, due_fraction: float) -> float:
    started = time.perf_counter()
    due_every = max(1, round(1 / due_fraction)) if due_fraction > 0 else cases + 1
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        for start in range(0, cases, BATCH):
            case_rows, claim_rows, ledger_rows = [], [], []
            for i in range(start, min(cases, start + BATCH)):
                case, claim, ledger = _rows(i, i % due_every == 0, i // due_every)
                case_rows.append(case)
                claim_rows.append(claim)
                ledger_rows.append(ledger)
            await raw.copy_records_to_table(
                "dunning_case", records=case_rows, columns=_CASE_COLUMNS
            )
            await raw.copy_records_to_table(
                "case_claim", records=claim_rows, columns=_CLAIM_COLUMNS
            )
            await raw.copy_records_to_table(
                "claim_ledger", records=ledger_rows, columns=("claim_id", "kid", "account_number")
            )
        # As a long-lived table would be: vacuumed and analysed, so autovacuum stays out of it.
        await raw.execute("VACUUM ANALYZE")
        # Flush the seed's WAL now, so no checkpoint of it lands inside the measurement.
        await raw.execute("CHECKPOINT")
    return time.perf_counter() - started


def _rows(
    i: int, due: bool, n: int = 0
) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    case_id, claim_id = uuid.uuid4(), uuid.uuid4()
    municipality = MUNICIPALITIES[i % len(MUNICIPALITIES)]
    due_date, history, next_date, key = _timeline(i, due, n)
    case: tuple[Any, ...] = (
        case_id, municipality, f"ref_bench_{i}", "person", "Bench Skyldner", "sealed:bench",
        "barnehage", claim_id, "default-private", 1, "active", [], next_date, key,
        json.dumps(history), shard_key(claim_id), datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    claim: tuple[Any, ...] = (
        claim_id, case_id, municipality, f"B-{i}", "barnehage", "Foreldrebetaling",
        due_date - timedelta(days=14), due_date, 325_000, 325_000,
        json.dumps([[due_date.isoformat(), 325_000]]), "open", date(2029, 1, 1),
        date(2028, 9, 1), datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    return case, claim, (claim_id, f"{i:010d}", "15030100007")


def _timeline(i: int, due: bool, n: int = 0) -> tuple[date, list[dict[str, Any]], date, str]:
    """Half the due cases owe a purring, half an inkassovarsel (with a fee)."""
    if not due:
        due_date = RUN_DATE + timedelta(days=i % 30)
        return due_date, [], due_date + timedelta(days=3), "purring"
    if n % 2 == 0:
        return RUN_DATE - timedelta(days=10), [], RUN_DATE, "purring"
    sent = RUN_DATE - timedelta(days=20)
    purring = {
        "seq": 0, "key": "purring", "kind": "purring", "sent": sent.isoformat(),
        "deadline": deadline(sent, 14).isoformat(), "fee": 0, "fee_claim": None,
        "version": 1, "skipped": False,
    }  # fmt: skip
    return RUN_DATE - timedelta(days=23), [purring], RUN_DATE, "inkassovarsel"


async def _scan(engine: Any) -> float:
    """The floor: one forced sequential scan of the case table (best of three, warm cache)."""
    timings = []
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        for setting in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
            await raw.execute(f"SET {setting} = off")
        for _ in range(3):
            started = time.perf_counter()
            await raw.fetchval(_SCAN, RUN_DATE)
            timings.append(time.perf_counter() - started)
        await conn.rollback()
    return min(timings)
