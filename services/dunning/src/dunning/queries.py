"""Reads: due cases and whole cases with their claims, in bulk (one query per table)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from dunning import db
from dunning.domain.facts import history_from_json
from dunning.records import CaseRecord, ClaimRecord

_CASE = db.dunning_case
_CLAIM = db.case_claim


async def due_case_ids(
    conn: AsyncConnection, day: date, shard: tuple[int, int] = (0, 1)
) -> list[UUID]:
    """Ids of active cases with a step due on or before ``day`` in one shard, in id order."""
    index, count = shard
    query = sa.select(_CASE.c.id).where(_CASE.c.status == "active", _CASE.c.next_action_date <= day)
    if count > 1:
        query = query.where(_CASE.c.shard_key % count == index)
    return list((await conn.execute(query.order_by(_CASE.c.id))).scalars())


_CASES = """
SELECT * FROM dunning_case
WHERE id = ANY($1::uuid[])
  AND ($2::date IS NULL OR (status = 'active' AND next_action_date <= $2))
  AND ($3::text[] IS NULL OR municipality = ANY($3))
ORDER BY id
"""
_CLAIMS = """
SELECT cc.*, l.kid, l.account_number, l.fees_paid_ore, l.interest_paid_ore
FROM case_claim cc LEFT JOIN claim_ledger l ON l.claim_id = cc.claim_id
WHERE cc.case_id = ANY($1::uuid[]) AND cc.status = 'open'
"""


async def load_cases(
    conn: AsyncConnection,
    ids: Sequence[UUID],
    *,
    due_on: date | None = None,
    lock: bool = False,
    municipalities: frozenset[str] | None = None,
) -> list[CaseRecord]:
    """Cases by id with their open claims, two queries for any number of cases.

    ``due_on`` keeps only cases still due; it is rechecked after the row lock, so overlapping
    runs skip a case another run has just moved on.
    """
    pg = await db.driver(conn)
    where = sorted(municipalities) if municipalities is not None else None
    sql = _CASES + (" FOR UPDATE" if lock else "")
    rows = await pg.fetch(sql, list(ids), due_on, where)
    claims: dict[UUID, list[ClaimRecord]] = defaultdict(list)
    if rows:
        for r in await pg.fetch(_CLAIMS, [r["id"] for r in rows]):
            claims[r["case_id"]].append(claim_record(r))
    return [case_record(r, tuple(claims.get(r["id"], ()))) for r in rows]


async def case_for_update(
    conn: AsyncConnection, case_id: UUID, municipalities: frozenset[str] | None = None
) -> CaseRecord | None:
    """One case, locked; None if unknown or outside ``municipalities``."""
    found = await load_cases(conn, [case_id], lock=True, municipalities=municipalities)
    return found[0] if found else None


async def case_of_claim(conn: AsyncConnection, claim_id: UUID) -> UUID | None:
    query = sa.select(_CLAIM.c.case_id).where(_CLAIM.c.claim_id == claim_id)
    return (await conn.execute(query)).scalar_one_or_none()


def claim_record(r: Mapping[str, Any]) -> ClaimRecord:
    """A claim from a row of ``case_claim`` joined with ``claim_ledger``."""
    return ClaimRecord(
        claim_id=r["claim_id"],
        invoice_number=r["invoice_number"],
        claim_type=r["claim_type"],
        description=r["description"],
        due_date=r["due_date"],
        principal_ore=r["principal_ore"],
        segments=tuple((date.fromisoformat(d), int(o)) for d, o in r["principal_segments"]),
        limitation_date=r["limitation_date"],
        kid=r["kid"],
        account_number=r["account_number"],
        fees_paid_ore=r["fees_paid_ore"] or 0,
        interest_paid_ore=r["interest_paid_ore"] or 0,
        property=r["property"],
    )


def case_record(r: Mapping[str, Any], claims: tuple[ClaimRecord, ...]) -> CaseRecord:
    """A case from a ``dunning_case`` row and its open claims."""
    return CaseRecord(
        id=r["id"],
        municipality=r["municipality"],
        debtor_ref=r["debtor_ref"],
        debtor_kind=r["debtor_kind"],
        debtor_name=r["debtor_name"],
        debtor_sealed=r["debtor_sealed"],
        debtor_address=r["debtor_address"],
        claim_type=r["claim_type"],
        primary_claim_id=r["primary_claim_id"],
        policy_id=r["policy_id"],
        policy_version=r["policy_version"],
        status=r["status"],
        paused_for=tuple(r["paused_for"] or ()),
        hold_until=r["hold_until"],
        history=history_from_json(r["history"]),
        claims=claims,
        trace_headers=r["trace_headers"],
    )
