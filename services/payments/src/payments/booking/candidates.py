"""Candidate claims for unmatched payments, searched for a whole batch in three queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from payments.db.staging import raw_connection
from payments.domain.booking import UnmatchedDraft
from payments.domain.matching import Evidence, one_typo_variants, rank_candidates

_BY_KID = """
    SELECT a.claim_id, a.municipality, a.kid, a.original_kid
    FROM unnest($1::text[]) AS v(kid) JOIN account a ON a.kid = v.kid
    WHERE a.status = 'open'
    UNION
    SELECT a.claim_id, a.municipality, a.kid, a.original_kid
    FROM unnest($1::text[]) AS v(kid) JOIN account a ON a.original_kid = v.kid
    WHERE a.status = 'open'
"""
# One pass over the open accounts for every amount of the batch; at most 10 claims per amount.
_BY_AMOUNT = """
    SELECT amount, claim_id, municipality FROM (
        SELECT principal_ore + interest_ore + fees_ore AS amount, claim_id, municipality,
            row_number() OVER (PARTITION BY principal_ore + interest_ore + fees_ore
                               ORDER BY due_date, claim_id) AS n
        FROM account
        WHERE status = 'open' AND principal_ore + interest_ore + fees_ore = ANY($1::bigint[])
    ) ranked WHERE n <= 10
"""
_BY_PAYER = """
    SELECT pa.account, a.claim_id, a.municipality
    FROM payer_account pa JOIN account a ON a.debtor_ref = pa.debtor_ref
    WHERE pa.account = ANY($1::text[]) AND a.status = 'open'
"""


async def find_candidates(
    conn: AsyncConnection, drafts: Sequence[UnmatchedDraft]
) -> dict[UUID, list[dict[str, Any]]]:
    """Ranked candidates (JSON-ready, with each claim's municipality) per payment id."""
    if not drafts:
        return {}
    driver = await raw_connection(conn)
    municipality: dict[UUID, str] = {}
    evidence: dict[UUID, list[tuple[UUID, Evidence]]] = defaultdict(list)
    await _kid_typos(driver, drafts, municipality, evidence)
    await _same_amount(driver, drafts, municipality, evidence)
    await _payer_seen(driver, drafts, municipality, evidence)
    return {
        d.job.payment_id: [
            {
                "claim_id": str(c.claim_id),
                "score": c.score,
                "reasons": [r.value for r in c.reasons],
                "municipality": municipality[c.claim_id],
            }
            for c in rank_candidates(evidence[d.job.payment_id])
        ]
        for d in drafts
    }


async def _kid_typos(
    driver: Any,
    drafts: Sequence[UnmatchedDraft],
    municipality: dict[UUID, str],
    evidence: dict[UUID, list[tuple[UUID, Evidence]]],
) -> None:
    wanted: dict[str, list[UUID]] = defaultdict(list)
    for d in drafts:
        for variant in one_typo_variants(d.job.kid) if d.job.kid else ():
            wanted[variant].append(d.job.payment_id)
    if not wanted:
        return
    for row in await driver.fetch(_BY_KID, list(wanted)):
        municipality[row["claim_id"]] = row["municipality"]
        for kid in {row["kid"], row["original_kid"]} - {None}:
            for payment_id in wanted.get(kid, ()):
                evidence[payment_id].append((row["claim_id"], Evidence.KID_ONE_TYPO))


async def _same_amount(
    driver: Any,
    drafts: Sequence[UnmatchedDraft],
    municipality: dict[UUID, str],
    evidence: dict[UUID, list[tuple[UUID, Evidence]]],
) -> None:
    by_amount: dict[int, list[UUID]] = defaultdict(list)
    for d in drafts:
        by_amount[d.job.amount_ore].append(d.job.payment_id)
    for row in await driver.fetch(_BY_AMOUNT, list(by_amount)):
        municipality[row["claim_id"]] = row["municipality"]
        for payment_id in by_amount[row["amount"]]:
            evidence[payment_id].append((row["claim_id"], Evidence.SAME_AMOUNT))


async def _payer_seen(
    driver: Any,
    drafts: Sequence[UnmatchedDraft],
    municipality: dict[UUID, str],
    evidence: dict[UUID, list[tuple[UUID, Evidence]]],
) -> None:
    by_account: dict[str, list[UUID]] = defaultdict(list)
    for d in drafts:
        if d.job.payer_account:
            by_account[d.job.payer_account].append(d.job.payment_id)
    if not by_account:
        return
    for row in await driver.fetch(_BY_PAYER, list(by_account)):
        municipality[row["claim_id"]] = row["municipality"]
        for payment_id in by_account[row["account"]]:
            evidence[payment_id].append((row["claim_id"], Evidence.PAYER_ACCOUNT_SEEN))
