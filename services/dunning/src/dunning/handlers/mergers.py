"""After a merger: the merged municipality's running cases follow the successor's policies.

An explicit operator step, not automatic: a dry run shows which cases would change policy and
how their next step moves; applying it re-points each case to the policy the successor would
choose for the claim type, reschedules it and writes who, why and what into the case's trail.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dunning import db
from dunning.domain.catalogue import Catalogue
from dunning.domain.errors import refuse
from dunning.domain.flow import Planned, next_planned
from dunning.handlers.common import Actor, log, reschedule, today
from dunning.policy_store import load_catalogue
from dunning.queries import load_cases
from dunning.records import CaseRecord
from rules.municipalities import Register
from runtime.db import UnitOfWork

RUNNING = ("active", "paused", "blocked")


async def map_policies(
    uow: UnitOfWork,
    merged: str,
    successor: str,
    *,
    register: Register,
    actor: Actor,
    reason: str,
    apply: bool,
) -> list[dict[str, Any]]:
    """The cases of ``merged`` whose policy changes to ``successor``'s; changed if ``apply``."""
    if register.collecting(merged, today(uow)) != successor:
        raise refuse("merger.not_in_register", f"{merged} is not collected by {successor} today")
    catalogue = await load_catalogue(uow.conn)
    c = db.dunning_case.c
    query = sa.select(c.id).where(c.municipality == merged, c.status.in_(RUNNING))
    ids = list((await uow.conn.execute(query.order_by(c.id))).scalars())
    changes = []
    for case in await load_cases(uow.conn, ids, lock=apply):
        change = _change(case, successor, catalogue)
        if change is None:
            continue
        changes.append(change)
        if apply:
            await _apply(uow, case, change, catalogue, actor, reason)
    return changes


def _change(case: CaseRecord, successor: str, catalogue: Catalogue) -> dict[str, Any] | None:
    target = catalogue.select(case.claim_type, successor)
    if target is None or target.id == case.policy_id:
        return None
    current = catalogue.effective(case.policy_id, case.policy_version, case.history)
    before = next_planned(case.facts(), current)
    after = next_planned(case.facts(), target)
    return {
        "case_id": str(case.id),
        "claim_type": case.claim_type,
        "from_policy": f"{case.policy_id} v{case.policy_version}",
        "to_policy": f"{target.id} v{target.version}",
        "to_policy_id": target.id,
        "to_policy_version": target.version,
        "next_step_before": _step(before),
        "next_step_after": _step(after),
    }


def _step(planned: Planned | None) -> dict[str, str] | None:
    return None if planned is None else {"key": planned.step.key, "date": planned.day.isoformat()}


async def _apply(
    uow: UnitOfWork,
    case: CaseRecord,
    change: dict[str, Any],
    catalogue: Catalogue,
    actor: Actor,
    reason: str,
) -> None:
    await uow.conn.execute(
        sa.update(db.dunning_case)
        .where(db.dunning_case.c.id == case.id)
        .values(policy_id=change["to_policy_id"], policy_version=change["to_policy_version"])
    )
    await reschedule(uow, case.id, catalogue)
    details = {k: change[k] for k in ("from_policy", "to_policy")} | {"reason": reason}
    await log(uow, case.id, "policy_mapped", details, actor)
