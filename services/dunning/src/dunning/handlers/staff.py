"""Caseworkers' actions on a case: dispute, deferral, concern report, deceased or bankrupt."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import sqlalchemy as sa

from dunning import db, queries
from dunning.domain.catalogue import Catalogue
from dunning.domain.errors import refuse
from dunning.handlers.common import Actor, log, pause, set_status, unpause
from dunning.handlers.pauses import defer, raise_dispute
from dunning.records import CaseRecord
from runtime.auth import StaffPrincipal
from runtime.db import UnitOfWork

FLAGS = ("concern", "deceased", "bankrupt")


def actor(staff: StaffPrincipal) -> Actor:
    return Actor(staff.subject, staff.name)


async def case_in_scope(uow: UnitOfWork, case_id: UUID, staff: StaffPrincipal) -> CaseRecord:
    """The case, locked, if the caseworker serves its municipality; otherwise not found."""
    case = await queries.case_for_update(uow.conn, case_id, staff.municipalities)
    if case is None:
        # 404 also for another municipality's case: its existence must not leak.
        raise refuse("case.not_found")
    if case.status == "closed":
        raise refuse("case.closed")
    return case


async def dispute(uow: UnitOfWork, case_id: UUID, note: str, staff: StaffPrincipal) -> None:
    case = await case_in_scope(uow, case_id, staff)
    await raise_dispute(uow, case, note, actor(staff))


async def deferral(
    uow: UnitOfWork,
    case_id: UUID,
    until: date,
    note: str,
    staff: StaffPrincipal,
    catalogue: Catalogue,
) -> None:
    case = await case_in_scope(uow, case_id, staff)
    await defer(uow, case, until, catalogue, actor(staff), note)


async def flag_debtor(
    uow: UnitOfWork, case_id: UUID, kind: str, reason: str, staff: StaffPrincipal
) -> None:
    """Flag the case's debtor in its municipality: a concern report pauses automated letters
    (recorded with who and why); deceased or bankrupt stops the flow."""
    case = await case_in_scope(uow, case_id, staff)
    await uow.conn.execute(
        sa.insert(db.debtor_flag).values(
            id=uuid4(),
            debtor_ref=case.debtor_ref,
            municipality=case.municipality,
            kind=kind,
            reason=reason,
            set_by=staff.subject,
            set_by_name=staff.name,
            set_at=uow.clock(),
        )
    )
    who = actor(staff)
    for other in await _debtor_cases(uow, case):
        await log(uow, other.id, "flag", {"flag": kind, "reason": reason}, who)
        await pause(uow, other, kind, actor=who, note=reason)
        if kind != "concern":
            await set_status(uow, other.id, "stopped")


async def clear_concern(
    uow: UnitOfWork, case_id: UUID, reason: str, staff: StaffPrincipal, catalogue: Catalogue
) -> None:
    """Lift the concern flag of the case's debtor; automated letters resume."""
    case = await case_in_scope(uow, case_id, staff)
    f = db.debtor_flag.c
    await uow.conn.execute(
        sa.update(db.debtor_flag)
        .where(
            f.debtor_ref == case.debtor_ref,
            f.municipality == case.municipality,
            f.kind == "concern",
            f.cleared_at.is_(None),
        )
        .values(cleared_by=staff.subject, cleared_at=uow.clock())
    )
    for other in await _debtor_cases(uow, case):
        await unpause(uow, other, "concern", catalogue, actor=actor(staff), note=reason)


async def _debtor_cases(uow: UnitOfWork, case: CaseRecord) -> list[CaseRecord]:
    c = db.dunning_case.c
    query = sa.select(c.id).where(
        c.debtor_ref == case.debtor_ref,
        c.municipality == case.municipality,
        c.status != "closed",
    )
    found = []
    for case_id in sorted((await uow.conn.execute(query)).scalars(), key=str):
        other = await queries.case_for_update(uow.conn, case_id)
        if other is not None:
            found.append(other)
    return found
