"""Reconciliation of the whole ledger in a few set-based queries (``payments reconcile``)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from payments.domain.ledger import Balance
from payments.domain.reconciliation import AccountCheck, MoneyTotals, discrepancies

_RETURNED = "('creditor:principal', 'creditor:interest', 'office:fees')"
_SIGNED = (
    "CASE WHEN p.debit_account = '{a}' THEN p.amount_ore"
    " WHEN p.credit_account = '{a}' THEN -p.amount_ore ELSE 0 END"
)
_PAID = f"""CASE WHEN p.kind = 'payment' THEN p.amount_ore
    WHEN p.kind = 'overpayment_credit' AND p.debit_account IN {_RETURNED} THEN -p.amount_ore
    WHEN p.kind = 'reversal' AND p.debit_account LIKE 'claim:%' THEN -p.amount_ore
    ELSE 0 END"""
_ACCOUNTS = f"""
    SELECT a.claim_id, a.principal_ore, a.interest_ore, a.fees_ore, a.paid_ore,
        coalesce(sum({_SIGNED.format(a="claim:principal")}), 0) AS d_principal,
        coalesce(sum({_SIGNED.format(a="claim:interest")}), 0) AS d_interest,
        coalesce(sum({_SIGNED.format(a="claim:fees")}), 0) AS d_fees,
        coalesce(sum({_PAID}), 0) AS d_paid
    FROM account a LEFT JOIN posting p ON p.claim_id = a.claim_id
    GROUP BY a.claim_id
    HAVING a.principal_ore <> coalesce(sum({_SIGNED.format(a="claim:principal")}), 0)
        OR a.interest_ore <> coalesce(sum({_SIGNED.format(a="claim:interest")}), 0)
        OR a.fees_ore <> coalesce(sum({_SIGNED.format(a="claim:fees")}), 0)
        OR a.paid_ore <> coalesce(sum({_PAID}), 0)
    ORDER BY a.claim_id
    LIMIT 100
"""  # noqa: S608 - constant SQL
_TOTALS = f"""
    SELECT
        (SELECT coalesce(sum(amount_ore), 0) FROM payment WHERE NOT reversal) AS received,
        (SELECT coalesce(sum(amount_ore), 0) FROM payment WHERE reversal) AS reversed,
        coalesce(sum(CASE WHEN p.kind = 'payment' AND p.credit_account LIKE 'claim:%'
            THEN p.amount_ore
            WHEN p.kind = 'overpayment_credit' AND p.debit_account IN {_RETURNED}
            THEN -p.amount_ore
            WHEN p.kind = 'reversal' AND p.debit_account LIKE 'claim:%'
            THEN -p.amount_ore ELSE 0 END), 0) AS allocated,
        -coalesce(sum({_SIGNED.format(a="office:unmatched")}), 0) AS unmatched,
        -coalesce(sum({_SIGNED.format(a="debtor:credit")}), 0) AS credits,
        coalesce(sum(CASE WHEN p.kind = 'refund' THEN p.amount_ore ELSE 0 END), 0) AS refunded,
        coalesce(sum({_SIGNED.format(a="office:collection")}), 0) AS collection,
        count(*) AS postings,
        count(*) FILTER (WHERE p.amount_ore <= 0 OR p.debit_account = p.credit_account
            OR (p.claim_id IS NOT NULL AND a.claim_id IS NULL)) AS broken
    FROM posting p LEFT JOIN account a ON a.claim_id = p.claim_id
"""  # noqa: S608 - constant SQL
_QUEUE = """
    SELECT coalesce(sum(CASE WHEN reason = 'reversal' THEN -amount_ore ELSE amount_ore END), 0)
    FROM unmatched_payment WHERE state = 'open'
"""


@dataclass(frozen=True)
class Reconciliation:
    """The outcome: every discrepancy found (empty when the ledger reconciles) and its size."""

    discrepancies: list[str]
    accounts: int
    postings: int
    totals: MoneyTotals


async def reconcile(conn: AsyncConnection) -> Reconciliation:
    """Prove every account equals its postings and every øre in is accounted for."""
    checks = [
        AccountCheck(
            r.claim_id,
            Balance(int(r.d_principal), int(r.d_interest), int(r.d_fees), int(r.d_paid)),
            Balance(r.principal_ore, r.interest_ore, r.fees_ore, r.paid_ore),
        )
        for r in await conn.execute(sa.text(_ACCOUNTS))
    ]
    row = (await conn.execute(sa.text(_TOTALS))).one()
    totals = MoneyTotals(*(int(v) for v in row[:7]))
    found = list(discrepancies(checks, totals))
    if row.broken:
        found.insert(
            0,
            f"{row.broken} postings move no positive amount between two accounts"
            " or name a claim without an account",
        )
    queued = int((await conn.execute(sa.text(_QUEUE))).scalar_one())
    if queued != totals.unmatched_ore:
        found.append(
            f"the unmatched queue holds {queued} øre,"
            f" the suspense account {totals.unmatched_ore} øre"
        )
    accounts = int((await conn.execute(sa.text("SELECT count(*) FROM account"))).scalar_one())
    return Reconciliation(found, accounts, int(row.postings), totals)
