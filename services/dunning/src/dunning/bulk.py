"""Set-based writes of the daily run: one statement per table per chunk (asyncpg unnest, COPY).

They run on the unit of work's own connection, inside its transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

OUTBOX_COLUMNS = ("event_id", "event_type", "message_key", "body", "headers", "created_at")

_INSERT_STEPS = """
INSERT INTO step (id, case_id, seq, step_key, kind, policy_id, policy_version, run_date,
                  sent_date, deadline_date, fee_ore, rule, legal_basis, facts, notice_id, taken_at)
SELECT u.id, u.case_id, u.seq, u.step_key, u.kind, u.policy_id, u.policy_version, u.run_date,
       u.sent_date, u.deadline_date, u.fee_ore, u.rule, u.legal_basis, u.facts::jsonb,
       u.notice_id, u.taken_at
FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::int[],
            $8::date[], $9::date[], $10::date[], $11::bigint[], $12::text[], $13::text[],
            $14::text[], $15::uuid[], $16::timestamptz[])
     AS u(id, case_id, seq, step_key, kind, policy_id, policy_version, run_date, sent_date,
          deadline_date, fee_ore, rule, legal_basis, facts, notice_id, taken_at)
ON CONFLICT ON CONSTRAINT step_once DO NOTHING
RETURNING case_id
"""

_INSERT_FEES = """
INSERT INTO fee (id, case_id, claim_id, step_id, kind, amount_ore, legal_basis, charged_on,
                 charged_at)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::bigint[],
                     $7::text[], $8::date[], $9::timestamptz[])
"""

_ADVANCE_CASES = """
UPDATE dunning_case AS c
SET history = u.history::jsonb, policy_version = u.policy_version, status = u.status,
    next_action_date = u.next_action_date, next_step_key = u.next_step_key, hold_until = NULL
FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::date[], $6::text[])
     AS u(id, history, policy_version, status, next_action_date, next_step_key)
WHERE c.id = u.id
"""

_RESCHEDULE_CASES = """
UPDATE dunning_case AS c
SET status = u.status, next_action_date = u.next_action_date, next_step_key = u.next_step_key
FROM unnest($1::uuid[], $2::text[], $3::date[], $4::text[])
     AS u(id, status, next_action_date, next_step_key)
WHERE c.id = u.id
"""

_INSERT_WORK_ITEMS = """
INSERT INTO work_item (id, case_id, municipality, kind, status, code, summary, details,
                       created_at)
SELECT u.id, u.case_id, u.municipality, u.kind, 'open', u.code, u.summary, u.details::jsonb,
       u.created_at
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::timestamptz[])
     AS u(id, case_id, municipality, kind, code, summary, details, created_at)
ON CONFLICT (case_id, kind) WHERE status = 'open' DO NOTHING
RETURNING case_id
"""

_INSERT_LOG = """
INSERT INTO case_log (case_id, kind, details, at)
SELECT u.case_id, u.kind, u.details::jsonb, u.at
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS u(case_id, kind, details, at)
"""


def columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Row tuples → one list per column (the arrays ``unnest`` takes)."""
    if not rows:
        return [[] for _ in range(width)]
    return [list(col) for col in zip(*rows, strict=True)]


def as_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


async def insert_steps(pg: Any, rows: Sequence[tuple[Any, ...]]) -> set[UUID]:
    """Insert step rows; the ids of the cases whose step was new (not taken before)."""
    if not rows:
        return set()
    found = await pg.fetch(_INSERT_STEPS, *columns(rows, 16))
    return {r["case_id"] for r in found}


async def insert_fees(pg: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        await pg.execute(_INSERT_FEES, *columns(rows, 9))


async def advance_cases(pg: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        await pg.execute(_ADVANCE_CASES, *columns(rows, 6))


async def reschedule_cases(pg: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        await pg.execute(_RESCHEDULE_CASES, *columns(rows, 4))


async def insert_work_items(pg: Any, rows: Sequence[tuple[Any, ...]]) -> set[UUID]:
    """Open work items; the cases that got a new one (an open one of that kind stays)."""
    if not rows:
        return set()
    return {r["case_id"] for r in await pg.fetch(_INSERT_WORK_ITEMS, *columns(rows, 8))}


async def insert_log(pg: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        await pg.execute(_INSERT_LOG, *columns(rows, 4))


async def copy_outbox(pg: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Outbox rows (``runtime.db.outbox_row``) by COPY, in order."""
    if rows:
        records = [
            tuple(as_json(r[k]) if k == "headers" else r[k] for k in OUTBOX_COLUMNS) for r in rows
        ]
        await pg.copy_records_to_table("outbox", records=records, columns=list(OUTBOX_COLUMNS))
