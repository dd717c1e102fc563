"""Translation between contracts (event payloads) and payments' domain and rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from contracts.claims import ClaimRegisteredV1, ClaimRegisteredV2
from contracts.payments import (
    AccountOpenedV1,
    BalanceChangedV1,
    InstalmentMissedV1,
    SettlementCreatedV1,
)
from payments.domain.booking import Ledgered
from payments.domain.plans import MissedInstalment
from payments.domain.settlement import Remittance


def account_values(
    claim: ClaimRegisteredV2 | ClaimRegisteredV1, *, kid: str, kid_algorithm: str, now: datetime
) -> dict[str, Any]:
    """The ``account`` row of a freshly registered claim (its principal not yet posted).

    The ledger needs no name or address: it never opens ``debtor_details_sealed`` and keeps
    neither from a ``claims.registered.v1`` still draining from the topic."""
    return {
        "claim_id": claim.claim_id,
        "municipality": claim.municipality,
        "invoice_number": claim.invoice_number,
        "claim_type": claim.claim_type,
        "debtor_ref": claim.debtor_ref,
        "kid": kid,
        "kid_algorithm": kid_algorithm,
        "original_kid": claim.original_kid,
        "original_principal_ore": claim.principal_ore,
        "due_date": claim.due_date,
        "status": "open",
        "principal_ore": claim.principal_ore,
        "interest_ore": 0,
        "fees_ore": 0,
        "paid_ore": 0,
        "interest_through": None,
        "opened_at": now,
    }


def account_opened(values: dict[str, Any], account_number: str) -> AccountOpenedV1:
    """``accounts.opened.v1`` for an account row."""
    return AccountOpenedV1(
        claim_id=values["claim_id"],
        municipality=values["municipality"],
        debtor_ref=values["debtor_ref"],
        kid=values["kid"],
        kid_algorithm=values["kid_algorithm"],
        account_number=account_number,
        principal_ore=values["principal_ore"],
        opened_at=values["opened_at"],
    )


def balance_changed(entry: Ledgered, *, cause: str, as_of: date, now: datetime) -> BalanceChangedV1:
    """``accounts.balance_changed.v1`` for an account after a change."""
    b = entry.account.balance
    return BalanceChangedV1(
        claim_id=entry.account.claim_id,
        debtor_ref=entry.debtor_ref,
        principal_ore=b.principal_ore,
        interest_ore=b.interest_ore,
        fees_ore=b.fees_ore,
        total_ore=b.total_ore,
        paid_ore=b.paid_ore,
        settled=b.settled,
        cause=cause,
        as_of=as_of,
        changed_at=now,
        interest_through=entry.account.interest_through,
    )


def settlement_created(
    settlement_id: UUID, remittance: Remittance, now: datetime
) -> SettlementCreatedV1:
    """``settlements.created.v1`` for a settlement."""
    return SettlementCreatedV1(
        settlement_id=settlement_id,
        municipality=remittance.municipality,
        period_start=remittance.period_start,
        period_end=remittance.period_end,
        principal_ore=remittance.principal_ore,
        interest_ore=remittance.interest_ore,
        fees_kept_ore=remittance.fees_kept_ore,
        claims_count=len(remittance.lines),
        created_at=now,
    )


def instalment_missed(
    plan_id: UUID, case_id: UUID, missed: MissedInstalment, now: datetime
) -> InstalmentMissedV1:
    """``plans.instalment_missed.v1`` for one missed instalment."""
    return InstalmentMissedV1(
        plan_id=plan_id,
        case_id=case_id,
        instalment_due_date=missed.instalment.due_date,
        amount_due_ore=missed.instalment.amount_ore,
        paid_ore=missed.paid_ore,
        detected_at=now,
    )
