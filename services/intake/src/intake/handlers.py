"""Intake's use cases; the HTTP API and the bus subscriber both end here.

Each handler is one transaction: idempotency or inbox record, state change and outbox rows
commit together, so a claim is never booked twice and no event is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from contracts.claims import ClaimSubmittedV1, ClaimSubmittedV2
from contracts.envelope import Envelope
from intake import db
from intake.creditors import resolve_creditor
from intake.domain.adjustments import adjust
from intake.domain.claims import (
    TEXT_LENGTHS,
    ClaimDraft,
    ClaimRules,
    ValidClaim,
    repeated_invoice_numbers,
    validate_claim,
)
from intake.domain.errors import ClaimProblem, IntakeError, problem
from intake.mapping import (
    ENCRYPTED_DEBTOR_FIELD,
    Unparsed,
    adjusted_event,
    draft_from_submitted,
    registered_event,
    rejected_event,
)
from rules.calendar import oslo_today
from rules.municipalities import Register
from rules.text import TextPolicy, TextProblem
from runtime.db import UnitOfWork, insert_new_rows
from runtime.personal_data import (
    PersonalDataKeys,
    SealError,
    debtor_ref,
    seal,
)

# The inbox name predates v2; kept, so no submission counts as new because its name changed.
SUBMITTED_CONSUMER = "intake.claims.submitted.v1"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """Office-wide limits on what intake accepts: per claim, and claims per batch."""

    claim: ClaimRules
    max_batch: int


@dataclass
class ItemResult:
    """The outcome for one submitted claim."""

    index: int
    claim: dict[str, Any] | None = None
    problems: list[ClaimProblem] = field(default_factory=list)
    already_registered: bool = False


@dataclass(frozen=True)
class StoredResponse:
    """A response recorded under an idempotency key, replayed on a retry."""

    status_code: int
    body: Any


async def reserve_idempotency_key(
    uow: UnitOfWork, client: str, key: str, fingerprint: str
) -> StoredResponse | None:
    """Claim ``key`` for this transaction, or return the response stored under it."""
    inserted = await uow.conn.execute(
        pg.insert(db.idempotency_key)
        .values(client=client, key=key, request_hash=fingerprint, created_at=uow.clock())
        .on_conflict_do_nothing()
        .returning(db.idempotency_key.c.key)
    )
    if inserted.first() is not None:
        return None
    row = (
        await uow.conn.execute(
            sa.select(db.idempotency_key).where(
                db.idempotency_key.c.client == client, db.idempotency_key.c.key == key
            )
        )
    ).one()
    if row.request_hash != fingerprint:
        raise IntakeError(problem("request.idempotency_key_reused"))
    return StoredResponse(row.status_code, row.response)


async def save_idempotent_response(
    uow: UnitOfWork, client: str, key: str, response: StoredResponse
) -> None:
    """Store the response of the request that reserved ``key`` (same transaction)."""
    await uow.conn.execute(
        sa.update(db.idempotency_key)
        .where(db.idempotency_key.c.client == client, db.idempotency_key.c.key == key)
        .values(status_code=response.status_code, response=response.body)
    )


async def register_claims(
    uow: UnitOfWork,
    items: list[ClaimDraft | Unparsed],
    *,
    tenant: str,
    keys: PersonalDataKeys,
    limits: Limits,
    register: Register,
    source: str,
    source_event_id: UUID | None = None,
    lenient_duplicates: bool = False,
) -> list[ItemResult]:
    """Validate and book claims of ``tenant``; every refused claim is recorded and announced.

    Runs inside the caller's unit of work (which commits). With ``lenient_duplicates`` an
    identical resubmission of a registered invoice is reported as already registered. A claim
    under a number that has merged or been renumbered goes to the successor in ``register``.
    """
    municipalities = await db.municipalities(uow.conn)
    today = oslo_today(uow.clock())
    results = [ItemResult(i) for i in range(len(items))]
    candidates: dict[int, ValidClaim] = {}
    drafts = [(i, d) for i, d in enumerate(items) if isinstance(d, ClaimDraft)]
    repeated = repeated_invoice_numbers([d.invoice_number for _, d in drafts])
    for position, (index, submitted) in enumerate(drafts):
        try:
            draft = resolve_creditor(submitted, register, today)
            outcome = (
                draft
                if isinstance(draft, list)
                else _check(draft, tenant, municipalities, today, limits)
            )
        except Exception as error:  # one item's bug must not cost the batch its good claims
            log.error("claim %d of a batch could not be checked: %s", index, type(error).__name__)
            outcome = [problem("claim.not_processed")]
        if position in repeated and not isinstance(outcome, list):
            outcome = [problem("claim.invoice_number_repeated", field="invoice_number")]
        if isinstance(outcome, list):
            results[index].problems = outcome
        else:
            candidates[index] = outcome
    for index, item in enumerate(items):
        if isinstance(item, Unparsed):
            results[index].problems = item.problems
    await _book_candidates(uow, candidates, results, keys, source, lenient_duplicates)
    await _record_rejections(
        uow, items, results, tenant, source, source_event_id, limits.claim.text
    )
    return results


def _check(
    draft: ClaimDraft,
    tenant: str,
    municipalities: dict[str, Any],
    today: date,
    limits: Limits,
) -> ValidClaim | list[ClaimProblem]:
    submitted_for = {draft.municipality, draft.original_municipality}
    if tenant not in submitted_for and draft.municipality in municipalities:
        return [problem("claim.municipality_not_permitted", field="municipality")]
    municipality = municipalities.get(draft.municipality)
    return validate_claim(draft, municipality, today=today, rules=limits.claim)


async def _book_candidates(
    uow: UnitOfWork,
    candidates: dict[int, ValidClaim],
    results: list[ItemResult],
    keys: PersonalDataKeys,
    source: str,
    lenient_duplicates: bool,
) -> None:
    rows: dict[int, dict[str, Any]] = {}
    now = uow.clock()
    for index, valid in candidates.items():
        rows[index] = _claim_row(valid, keys, source, now)
    inserted = await _insert_isolated(uow, rows, results)
    duplicates = [index for index, row in rows.items() if row["id"] not in inserted]
    existing = await _existing(uow, [rows[i] for i in duplicates])
    for index, row in rows.items():
        if results[index].problems:
            continue
        if row["id"] in inserted:
            results[index].claim = row
            uow.add_event(
                "claims.registered.v2",
                tenant=row["municipality"],
                subject=str(row["id"]),
                payload=registered_event(row, keys),
            )
            continue
        earlier = existing.get(row["invoice_number"])
        if lenient_duplicates and earlier is not None and _same_claim(earlier, row):
            results[index].claim = dict(earlier._mapping)
            results[index].already_registered = True
        else:
            results[index].problems = [
                problem("claim.invoice_number_duplicate", field="invoice_number")
            ]


async def _insert_isolated(
    uow: UnitOfWork, rows: dict[int, dict[str, Any]], results: list[ItemResult]
) -> set[Any]:
    """Insert the rows in one statement; if the database refuses it, row by row, so a row
    it refuses ends as that claim's problem and the others are still booked."""
    try:
        async with uow.conn.begin_nested():
            return await insert_new_rows(uow.conn, db.claim, list(rows.values()), "id")
    except Exception as error:
        log.warning("a batch insert failed (%s); inserting claim by claim", type(error).__name__)
    inserted: set[Any] = set()
    for index, row in rows.items():
        try:
            async with uow.conn.begin_nested():
                inserted |= await insert_new_rows(uow.conn, db.claim, [row], "id")
        except Exception:
            log.error("claim %d of a batch could not be stored", index, exc_info=True)
            results[index].problems = [problem("claim.not_processed")]
    return inserted


async def _existing(uow: UnitOfWork, rows: list[dict[str, Any]]) -> dict[str, Any]:
    if not rows:
        return {}
    return await db.existing_invoice_numbers(
        uow.conn, rows[0]["municipality"], [r["invoice_number"] for r in rows]
    )


def _same_claim(earlier: Any, row: dict[str, Any]) -> bool:
    fields = ("claim_type", "debtor_ref", "original_principal_ore", "issue_date", "due_date")
    return all(getattr(earlier, f) == row[f] for f in fields)


def _claim_row(valid: ValidClaim, keys: PersonalDataKeys, source: str, now: Any) -> dict[str, Any]:
    d = valid.draft
    return {
        "id": uuid4(),
        "municipality": d.municipality,
        "original_municipality": d.original_municipality,
        "invoice_number": d.invoice_number,
        "claim_type": d.claim_type,
        "debtor_ref": debtor_ref(keys, valid.debtor_number),
        "debtor_sealed": seal(keys, valid.debtor_number),
        "debtor_kind": valid.debtor_kind,
        "debtor_name": d.debtor_name.strip(),
        "debtor_address": d.debtor_address,
        "original_principal_ore": d.principal_ore,
        "principal_ore": d.principal_ore,
        "issue_date": d.issue_date,
        "due_date": d.due_date,
        "original_kid": d.original_kid,
        "description": d.description,
        "property": d.property,
        "status": "open",
        "source": source,
        "registered_at": now,
    }


def _recordable(invoice_number: str | None, text: TextPolicy) -> str | None:
    """The invoice number as a rejection may record it: None if it is no acceptable text."""
    if invoice_number is None:
        return None
    limit = TEXT_LENGTHS["invoice_number"]
    cleaned = text.clean(invoice_number, field="invoice_number", max_length=limit)
    return None if isinstance(cleaned, TextProblem) else cleaned


async def _record_rejections(
    uow: UnitOfWork,
    items: list[ClaimDraft | Unparsed],
    results: list[ItemResult],
    tenant: str,
    source: str,
    source_event_id: UUID | None,
    text: TextPolicy,
) -> None:
    now = uow.clock()
    rows = []
    for result in results:
        if not result.problems:
            continue
        invoice = _recordable(items[result.index].invoice_number, text)
        payload = rejected_event(tenant, invoice, result.problems, now, source_event_id)
        rows.append(
            {
                "municipality": tenant,
                "invoice_number": invoice,
                "source": source,
                "problems": [p.model_dump() for p in payload.problems],
                "rejected_at": now,
            }
        )
        uow.add_event(
            "claims.rejected.v1",
            tenant=tenant,
            subject=invoice or str(source_event_id or uuid4()),
            payload=payload,
        )
    if rows:
        await uow.conn.execute(sa.insert(db.rejection), rows)


async def register_submitted(
    uow: UnitOfWork,
    envelope: Envelope[Any],
    *,
    keys: PersonalDataKeys,
    submission_key_pem: bytes,
    limits: Limits,
    register: Register,
) -> ItemResult | None:
    """Apply one ``claims.submitted`` event (v2, or v1) once; None if it was applied before."""
    payload: ClaimSubmittedV2 | ClaimSubmittedV1 = envelope.payload
    if not await uow.first_delivery(SUBMITTED_CONSUMER, envelope.id, envelope.type):
        return None
    item: ClaimDraft | Unparsed
    try:
        item = draft_from_submitted(payload, envelope.tenant, submission_key_pem)
    except SealError:
        field = ENCRYPTED_DEBTOR_FIELD[envelope.type]
        item = Unparsed([problem("claim.debtor_unreadable", field=field)], payload.invoice_number)
    [result] = await register_claims(
        uow,
        [item],
        tenant=envelope.tenant,
        keys=keys,
        limits=limits,
        register=register,
        source="bus",
        source_event_id=envelope.id,
        lenient_duplicates=True,
    )
    return result


async def adjust_claim(
    uow: UnitOfWork,
    claim_id: UUID,
    *,
    tenant: str,
    kind: str,
    amount_ore: int | None,
    reason_code: str,
    reason: str,
    text: TextPolicy,
) -> dict[str, Any]:
    """Record a credit note, cancellation or write-off and announce it."""
    texts = [
        text.clean(reason_code, field="reason_code", max_length=64, required=True),
        text.clean(reason, field="reason", max_length=500, required=True),
    ]
    refused = [t for t in texts if isinstance(t, TextProblem)]
    if refused:
        raise IntakeError(*(problem(t.code, t.message, t.field) for t in refused))
    reason_code, reason = (str(t) for t in texts)
    current = await db.claim_by_id(uow.conn, claim_id, tenant, lock=True)
    if current is None:
        raise IntakeError(problem("claim.not_found"))
    outcome = adjust(current.status, current.principal_ore, kind, amount_ore)
    row = {
        "id": uuid4(),
        "claim_id": claim_id,
        "kind": kind,
        "amount_ore": outcome.amount_ore,
        "principal_before_ore": outcome.principal_before_ore,
        "principal_after_ore": outcome.principal_after_ore,
        "reason_code": reason_code,
        "reason": reason,
        "adjusted_at": uow.clock(),
    }
    await uow.conn.execute(sa.insert(db.adjustment).values(row))
    await uow.conn.execute(
        sa.update(db.claim)
        .where(db.claim.c.id == claim_id)
        .values(principal_ore=outcome.principal_after_ore, status=outcome.status_after)
    )
    uow.add_event(
        "claims.adjusted.v1", tenant=tenant, subject=str(claim_id), payload=adjusted_event(row)
    )
    return row
