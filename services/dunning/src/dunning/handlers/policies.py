"""Policies through the API: list, load a new version (validated), and the dry run."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from dunning import bulk, db, queries
from dunning.domain import kinds
from dunning.domain.errors import refuse
from dunning.domain.flow import next_planned
from dunning.domain.policy import Policy
from dunning.domain.simulation import simulate_case
from dunning.domain.validation import load_policy
from dunning.handlers.run import letters_json
from dunning.policy_store import load_catalogue, store_policy
from runtime.auth import StaffPrincipal
from runtime.db import UnitOfWork

CHUNK = 2000
MAX_DETAILS = 5000


def summary(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "version": policy.version,
        "title": policy.title,
        "track": policy.track,
        "claim_types": sorted(policy.claim_types),
        "municipalities": sorted(policy.municipalities) if policy.municipalities else "all",
        "applies_to_running": policy.applies_to_running,
        "steps": [
            {"key": s.key, "kind": s.kind, "legal_basis": s.legal_basis} for s in policy.steps
        ],
    }


async def put_policy(
    uow: UnitOfWork, policy_id: str, document: dict[str, Any], staff: StaffPrincipal, today: date
) -> Policy:
    """Validate against the law and store a new version (new cases follow it at once)."""
    policy = load_policy(document, today)
    if policy.id != policy_id:
        raise refuse("policy.id_mismatch")
    if policy.municipalities is not None and not policy.municipalities <= staff.municipalities:
        raise refuse("policy.municipality_not_served")
    await store_policy(uow.conn, policy, loaded_by=staff.subject, at=uow.clock())
    if policy.applies_to_running:
        await reschedule_running(uow, policy.id)
    return policy


async def reschedule_running(uow: UnitOfWork, policy_id: str) -> None:
    """Running cases of ``policy_id`` get their next date from the version they now follow."""
    catalogue = await load_catalogue(uow.conn)
    c = db.dunning_case.c
    query = sa.select(c.id).where(c.policy_id == policy_id, c.status == "active")
    ids = list((await uow.conn.execute(query.order_by(c.id))).scalars())
    for start in range(0, len(ids), CHUNK):
        rows = []
        for case in await queries.load_cases(uow.conn, ids[start : start + CHUNK], lock=True):
            policy = catalogue.effective(case.policy_id, case.policy_version, case.history)
            planned = next_planned(case.facts(), policy)
            day, key = (planned.day, planned.step.key) if planned else (None, None)
            rows.append((case.id, "active", day, key))
        await bulk.reschedule_cases(await db.driver(uow.conn), rows)


async def simulate(
    engine: AsyncEngine,
    document: dict[str, Any],
    *,
    day: date,
    days: int,
    staff: StaffPrincipal,
) -> dict[str, Any]:
    """What a draft would do to today's open cases over ``days`` days; writes nothing."""
    draft = load_policy(document, day)
    report = _Report()
    async with engine.connect() as conn:
        ids = await _governed(conn, draft, staff)
        for start in range(0, len(ids), CHUNK):
            for case in await queries.load_cases(conn, ids[start : start + CHUNK]):
                if case.history and case.history[-1].key not in draft.step_keys():
                    report.unmapped += 1
                    continue
                report.add(case.id, simulate_case(case.facts(), draft, day, days))
        await conn.rollback()
    return report.as_json(day, days, len(ids))


async def _governed(conn: Any, draft: Policy, staff: StaffPrincipal) -> list[Any]:
    c = db.dunning_case.c
    served = staff.municipalities & (draft.municipalities or staff.municipalities)
    query = sa.select(c.id).where(
        c.status == "active",
        c.claim_type.in_(sorted(draft.claim_types)),
        c.municipality.in_(sorted(served)),
    )
    return list((await conn.execute(query.order_by(c.id))).scalars())


class _Report:
    def __init__(self) -> None:
        self.letters: Counter[tuple[str, str]] = Counter()
        self.blocked: Counter[str] = Counter()
        self.fees_ore = 0
        self.enforcement = 0
        self.unmapped = 0
        self.details: list[dict[str, Any]] = []

    def add(self, case_id: Any, simulated: list[Any]) -> None:
        for s in simulated:
            if s.block is not None:
                self.blocked[s.block.violations[0].code] += 1
                continue
            step = s.take.step
            self.fees_ore += s.take.fee.amount_ore
            if step.kind == kinds.OVERFORING:
                self.enforcement += 1
            else:
                self.letters[(step.kind, step.channel)] += 1
            if len(self.details) < MAX_DETAILS:
                self.details.append(
                    {
                        "date": s.day.isoformat(),
                        "case_id": str(case_id),
                        "step_kind": step.kind,
                        "channel": step.channel,
                        "fee_ore": s.take.fee.amount_ore,
                    }
                )

    def as_json(self, day: date, days: int, cases: int) -> dict[str, Any]:
        return {
            "from": day.isoformat(),
            "days": days,
            "cases": cases,
            "letters": letters_json(self.letters),
            "fees_ore": self.fees_ore,
            "cases_reaching_enforcement": self.enforcement,
            "blocked": dict(self.blocked),
            "cases_not_mapped": self.unmapped,
            "steps": self.details,
        }
