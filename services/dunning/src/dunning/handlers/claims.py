"""Claims from intake: a registered claim opens (or joins) a case; an adjustment may end it."""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa

from contracts.claims import ClaimAdjustedV1, ClaimRegisteredV1
from contracts.envelope import Envelope
from dunning import db, mapping, queries
from dunning.domain.catalogue import Catalogue
from dunning.domain.policy import Policy
from dunning.handlers.claim_state import (
    apply_balance,
    close_if_nothing_open,
    end_claim,
    reverse_fees,
    set_principal,
)
from dunning.handlers.common import Actor, log, pause, reschedule, set_status
from dunning.records import CaseRecord
from rules.calendar import oslo_today
from rules.limitation import limitation_date, warn_from
from runtime.bus import PermanentError
from runtime.db import UnitOfWork
from runtime.telemetry import inject_trace_headers

# The inbox name predates v2; kept, so no claim counts as new because its name changed.
REGISTERED = "dunning.claims.registered.v1"
ADJUSTED = "dunning.claims.adjusted.v1"
WRONGLY_ISSUED = "wrongly_issued"
SHARDS = 1 << 16
# Limitation warnings reach caseworkers this many months before a claim is time-barred.
WARN_MONTHS = 4
_ENDINGS = {"cancellation": "cancelled", "write_off": "written_off"}


class ClaimNotYetKnown(Exception):
    """An adjustment overtook the claim's registration; the bus retries it shortly."""


def shard_key(claim_id: UUID) -> int:
    """A stable hash of the claim id: the daily run's shards split on it."""
    return zlib.crc32(claim_id.bytes) % SHARDS


async def open_case(uow: UnitOfWork, envelope: Envelope[Any], catalogue: Catalogue) -> UUID | None:
    """Apply ``claims.registered`` once (v2 opened by the subscriber): the claim's case."""
    claim: ClaimRegisteredV1 = envelope.payload
    if not await uow.first_delivery(REGISTERED, envelope.id, envelope.type):
        return None
    if await queries.case_of_claim(uow.conn, claim.claim_id) is not None:
        return None
    policy = catalogue.select(claim.claim_type, claim.municipality)
    if policy is None:
        raise PermanentError(f"no policy covers {claim.claim_type} in {claim.municipality}")
    joined = await _joinable(uow, claim, policy) if policy.consolidate else None
    case_id = joined or await _insert_case(uow, claim, policy)
    await uow.conn.execute(sa.insert(db.case_claim).values(_claim_row(claim, case_id)))
    case = await queries.case_for_update(uow.conn, case_id)
    assert case is not None
    if joined:
        await log(uow, case_id, "claim_joined", {"claim_id": str(claim.claim_id)})
    else:
        await _announce(uow, case, policy)
    await reschedule(uow, case_id, catalogue)
    # The ledger may have spoken first (events of different types are not ordered).
    await apply_balance(uow, claim.claim_id)
    return case_id


async def _joinable(uow: UnitOfWork, claim: ClaimRegisteredV1, policy: Policy) -> UUID | None:
    """The debtor's open case this claim joins, if any (one at a time per debtor).

    Claims of one debtor registered at the same moment queue on a per-debtor lock held to the
    end of the transaction, so the second always sees the case the first opened: the same
    claims end in the same cases whatever order or timing the bus delivers them in.
    """
    key = f"dunning.consolidate:{claim.municipality}:{policy.id}:{claim.debtor_ref}"
    await uow.conn.execute(
        sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0)))
    )
    # Only a case with no step taken yet (each claim then follows its own course in it).
    c = db.dunning_case.c
    query = (
        sa.select(c.id)
        .where(
            c.municipality == claim.municipality,
            c.debtor_ref == claim.debtor_ref,
            c.policy_id == policy.id,
            c.status == "active",
            c.history == sa.text("'[]'::jsonb"),
        )
        .limit(1)
        .with_for_update()
    )
    return (await uow.conn.execute(query)).scalar_one_or_none()


async def _insert_case(uow: UnitOfWork, claim: ClaimRegisteredV1, policy: Policy) -> UUID:
    case_id = uuid4()
    address = claim.debtor_address.model_dump() if claim.debtor_address else None
    await uow.conn.execute(
        sa.insert(db.dunning_case).values(
            id=case_id,
            municipality=claim.municipality,
            debtor_ref=claim.debtor_ref,
            debtor_kind=claim.debtor_kind,
            debtor_name=claim.debtor_name,
            debtor_sealed=claim.debtor_sealed,
            debtor_address=address,
            claim_type=claim.claim_type,
            primary_claim_id=claim.claim_id,
            policy_id=policy.id,
            policy_version=policy.version,
            status="active",
            shard_key=shard_key(claim.claim_id),
            opened_at=uow.clock(),
            trace_headers=inject_trace_headers() or None,
        )
    )
    return case_id


async def _announce(uow: UnitOfWork, case: CaseRecord, policy: Policy) -> None:
    details = {"policy_id": policy.id, "policy_version": policy.version}
    await log(uow, case.id, "opened", details)
    uow.add_event(
        "cases.opened.v1",
        tenant=case.municipality,
        subject=case.subject,
        payload=mapping.opened_event(case, uow.clock()),
    )
    f = db.debtor_flag.c
    query = sa.select(db.debtor_flag).where(
        f.debtor_ref == case.debtor_ref, f.municipality == case.municipality, f.cleared_at.is_(None)
    )
    for flag in (await uow.conn.execute(query)).all():
        await pause(
            uow, case, flag.kind, actor=Actor(flag.set_by, flag.set_by_name), note=flag.reason
        )
        if flag.kind != "concern":
            await set_status(uow, case.id, "stopped")


def _claim_row(claim: ClaimRegisteredV1, case_id: UUID) -> dict[str, Any]:
    limitation = limitation_date(claim.due_date)
    return {
        "claim_id": claim.claim_id,
        "case_id": case_id,
        "municipality": claim.municipality,
        "invoice_number": claim.invoice_number,
        "claim_type": claim.claim_type,
        "description": claim.description,
        "issue_date": claim.issue_date,
        "due_date": claim.due_date,
        "original_principal_ore": claim.principal_ore,
        "principal_ore": claim.principal_ore,
        "principal_segments": [[claim.due_date.isoformat(), claim.principal_ore]],
        "property": claim.property.model_dump() if claim.property else None,
        "status": "open",
        "limitation_date": limitation,
        "limitation_warn_date": warn_from(limitation, WARN_MONTHS),
        "registered_at": claim.registered_at,
    }


async def adjust_claim(uow: UnitOfWork, envelope: Envelope[Any]) -> None:
    """Apply ``claims.adjusted.v1`` once: a lower principal, or the claim's end."""
    adjusted: ClaimAdjustedV1 = envelope.payload
    if not await uow.first_delivery(ADJUSTED, envelope.id, envelope.type):
        return
    case_id = await queries.case_of_claim(uow.conn, adjusted.claim_id)
    if case_id is None:
        raise ClaimNotYetKnown(str(adjusted.claim_id))
    case = await queries.case_for_update(uow.conn, case_id)
    assert case is not None
    after = adjusted.principal_after_ore
    day = oslo_today(adjusted.adjusted_at) + timedelta(days=1)
    await set_principal(uow, adjusted.claim_id, after, day)
    ending = _ENDINGS.get(adjusted.kind) or ("credited" if after == 0 else None)
    if ending is None:
        return
    await end_claim(uow, adjusted.claim_id, ending)
    if adjusted.kind == "cancellation" and adjusted.reason_code == WRONGLY_ISSUED:
        await reverse_fees(uow, case, adjusted.claim_id, adjusted.reason)
    await close_if_nothing_open(uow, case_id, ending)
