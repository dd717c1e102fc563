"""The daily run: every case with a step due on a date takes it, once, in bulk.

Due cases are selected by one indexed query, then handled in chunks: one locked read of the
chunk's cases and claims, the pure flow in Python, and one write per table. A case's n-th step
is unique (``step_once``), and the chunk's rows are re-checked under lock, so running a date
twice or overlapping shards never takes a step twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from opentelemetry import trace

from dunning import bulk, db, queries
from dunning.domain import kinds
from dunning.domain.catalogue import Catalogue
from dunning.domain.facts import history_to_json
from dunning.domain.flow import Block, Decision, Take, Wait, apply, decide, next_action
from dunning.domain.policy import Policy
from dunning.handlers.events import handover_summary, step_events
from dunning.policy_store import load_catalogue
from dunning.records import CaseRecord
from rules.municipalities import register_from
from rules.rates import Rates, rates_from
from runtime.db import outbox_row
from runtime.personal_data import PersonalDataKeys
from runtime.service import Runtime
from runtime.telemetry import resumed_span

CHUNK = 2000
_tracer = trace.get_tracer(__name__)


@dataclass
class RunReport:
    """What one run (one date, one shard) did."""

    run_date: date
    shard: tuple[int, int] = (0, 1)
    selected: int = 0
    taken: int = 0
    already_taken: int = 0
    waiting: int = 0
    done: int = 0
    blocked: Counter[str] = field(default_factory=Counter)
    letters: Counter[tuple[str, str]] = field(default_factory=Counter)
    fees_ore: int = 0
    handovers: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "run_date": self.run_date.isoformat(),
            "shard": f"{self.shard[0]}/{self.shard[1]}",
            "selected": self.selected,
            "taken": self.taken,
            "already_taken": self.already_taken,
            "waiting": self.waiting,
            "done": self.done,
            "blocked": dict(self.blocked),
            "letters": letters_json(self.letters),
            "fees_ore": self.fees_ore,
            "handovers": self.handovers,
        }


def letters_json(letters: Counter[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {"step_kind": kind, "channel": channel, "count": count}
        for (kind, channel), count in sorted(letters.items())
    ]


@dataclass(frozen=True)
class Outcome:
    """The flow's decision for one case, and where the case goes next."""

    case: CaseRecord
    policy: Policy
    decision: Decision
    next_date: date | None = None
    next_key: str | None = None


def plan_case(case: CaseRecord, catalogue: Catalogue, day: date) -> Outcome:
    """Decide one case (pure): the policy version it follows now, the step, the next date."""
    policy = catalogue.effective(case.policy_id, case.policy_version, case.history)
    facts = case.facts()
    decision = decide(facts, policy, day)
    if isinstance(decision, Take):
        after, key = next_action(apply(facts, decision), policy, day)
        return Outcome(case, policy, decision, after, key)
    if isinstance(decision, Wait):
        return Outcome(case, policy, decision, decision.until, decision.step_key)
    if isinstance(decision, Block):
        return Outcome(case, policy, decision, day, decision.step_key)
    return Outcome(case, policy, decision)


async def run_daily(
    runtime: Runtime, day: date, shard: tuple[int, int] = (0, 1), chunk: int = CHUNK
) -> RunReport:
    """Take every step due on ``day`` in one shard of the cases; the run is recorded."""
    report = RunReport(day, shard)
    attributes = {"kravflyt.run_date": day.isoformat(), "kravflyt.shard": f"{shard[0]}/{shard[1]}"}
    with _tracer.start_as_current_span("dunning daily run", attributes=attributes):
        run_id = await _record_start(runtime, report)
        try:
            await _take_due_steps(runtime, report, chunk)
        except BaseException:
            await _record_end(runtime, run_id, "failed", report)
            raise
        await _record_end(runtime, run_id, "succeeded", report)
    return report


async def _take_due_steps(runtime: Runtime, report: RunReport, chunk: int) -> None:
    day = report.run_date
    rates = rates_from(runtime.settings.rates_file)
    register = register_from(runtime.settings.municipalities_file)
    keys = runtime.settings.personal_data_keys()
    async with runtime.engine.connect() as conn:
        catalogue = await load_catalogue(conn)
        ids = await queries.due_case_ids(conn, day, report.shard)
    for start in range(0, len(ids), chunk):
        async with runtime.uow() as uow:
            cases = await queries.load_cases(
                uow.conn, ids[start : start + chunk], due_on=day, lock=True
            )
            # A municipality that has left the office: its cases take no step from that day.
            outcomes = [
                plan_case(case, catalogue, day)
                for case in cases
                if not register.has_left(case.municipality, day)
            ]
            writer = _ChunkWriter(
                day, runtime.clock(), runtime.settings.service, report, rates, keys
            )
            await writer.write(await db.driver(uow.conn), outcomes)
            await uow.commit()


async def _record_start(runtime: Runtime, report: RunReport) -> UUID:
    run_id = uuid4()
    async with runtime.uow() as uow:
        await uow.conn.execute(
            sa.insert(db.daily_run).values(
                id=run_id,
                run_date=report.run_date,
                shard=f"{report.shard[0]}/{report.shard[1]}",
                started_at=runtime.clock(),
                status="running",
            )
        )
        await uow.commit()
    return run_id


async def _record_end(runtime: Runtime, run_id: UUID, status: str, report: RunReport) -> None:
    async with runtime.uow() as uow:
        await uow.conn.execute(
            sa.update(db.daily_run)
            .where(db.daily_run.c.id == run_id)
            .values(finished_at=runtime.clock(), status=status, report=report.as_json())
        )
        await uow.commit()


class _ChunkWriter:
    """Turns a chunk's outcomes into rows and writes them, one statement per table."""

    def __init__(
        self,
        day: date,
        now: Any,
        source: str,
        report: RunReport,
        rates: Rates,
        keys: PersonalDataKeys,
    ) -> None:
        self.day, self.now, self.source, self.report = day, now, source, report
        self.rates, self.keys = rates, keys

    async def write(self, pg: Any, outcomes: list[Outcome]) -> None:
        self.report.selected += len(outcomes)
        takes = [o for o in outcomes if isinstance(o.decision, Take)]
        steps = {o.case.id: self._step_row(o) for o in takes}
        inserted = await bulk.insert_steps(pg, list(steps.values()))
        self.report.already_taken += len(takes) - len(inserted)
        taken = [o for o in takes if o.case.id in inserted]
        await self._record_taken(pg, taken, steps)
        await self._record_others(pg, [o for o in outcomes if not isinstance(o.decision, Take)])

    def _step_row(self, o: Outcome) -> tuple[Any, ...]:
        take = o.decision
        assert isinstance(take, Take)
        letter = take.step.kind in kinds.LETTER_KINDS
        return (
            uuid4(),
            o.case.id,
            len(o.case.history),
            take.step.key,
            take.step.kind,
            take.policy_id,
            take.policy_version,
            self.day,
            take.sent_date,
            take.deadline_date,
            take.fee.amount_ore,
            take.rule,
            take.step.legal_basis,
            bulk.as_json(take.facts),
            uuid4() if letter else None,
            self.now,
        )

    async def _record_taken(
        self, pg: Any, taken: list[Outcome], steps: dict[UUID, tuple[Any, ...]]
    ) -> None:
        fees, advances, items, events = [], [], [], []
        for o in taken:
            take = o.decision
            assert isinstance(take, Take)
            step_id, notice_id = steps[o.case.id][0], steps[o.case.id][14]
            fee_id = uuid4() if take.fee.amount_ore else None
            if fee_id is not None:
                fees.append(self._fee_row(o, take, fee_id, step_id))
            handover = take.step.kind == kinds.OVERFORING
            history = apply(o.case.facts(), take).history
            status = "handed_over" if handover else "active"
            advances.append(
                (
                    o.case.id,
                    bulk.as_json(history_to_json(history)),
                    o.policy.version,
                    status,
                    o.next_date,
                    o.next_key,
                )
            )
            if handover:
                items.append(self._handover_item(o, take))
            # The step joins the trace of the claim that opened the case (linked to the run),
            # and so do its events: a notice is traced from the municipality's POST to delivery.
            with resumed_span(f"dunning step {take.step.kind}", o.case.trace_headers):
                events += [
                    self._outbox(o, e)
                    for e in step_events(
                        o.case,
                        o.policy,
                        take,
                        (fee_id, notice_id),
                        self.now,
                        self.rates,
                        self.keys,
                    )
                ]
            self._count(take)
        await bulk.insert_fees(pg, fees)
        await bulk.advance_cases(pg, advances)
        await bulk.insert_work_items(pg, items)
        await bulk.copy_outbox(pg, events)

    async def _record_others(self, pg: Any, outcomes: list[Outcome]) -> None:
        rows, items = [], []
        for o in outcomes:
            status = "blocked" if isinstance(o.decision, Block) else "active"
            rows.append((o.case.id, status, o.next_date, o.next_key))
            if isinstance(o.decision, Block):
                items.append(self._blocked_item(o, o.decision))
                self.report.blocked[o.decision.violations[0].code] += 1
            elif isinstance(o.decision, Wait):
                self.report.waiting += 1
            else:
                self.report.done += 1
        await bulk.reschedule_cases(pg, rows)
        new = await bulk.insert_work_items(pg, items)
        logs = [(row[1], "blocked", row[6], self.now) for row in items if row[1] in new]
        await bulk.insert_log(pg, logs)

    def _fee_row(self, o: Outcome, take: Take, fee_id: UUID, step_id: UUID) -> tuple[Any, ...]:
        return (
            fee_id,
            o.case.id,
            take.fee.claim_id,
            step_id,
            take.step.kind,
            take.fee.amount_ore,
            take.fee.legal_basis,
            take.sent_date,
            self.now,
        )

    def _handover_item(self, o: Outcome, take: Take) -> tuple[Any, ...]:
        summary, details = handover_summary(o.case, take, self.rates)
        return (
            uuid4(),
            o.case.id,
            o.case.municipality,
            "handover",
            "handover",
            summary,
            bulk.as_json(details),
            self.now,
        )

    def _blocked_item(self, o: Outcome, block: Block) -> tuple[Any, ...]:
        first = block.violations[0]
        details = {
            "step": block.step_key,
            "message": first.message,
            "violations": [{"code": v.code, "message": v.message} for v in block.violations],
        }
        return (
            uuid4(),
            o.case.id,
            o.case.municipality,
            "blocked_step",
            first.code,
            first.message,
            bulk.as_json(details),
            self.now,
        )

    def _outbox(self, o: Outcome, event: tuple[str, Any]) -> dict[str, Any]:
        event_type, payload = event
        return outbox_row(
            event_type,
            source=self.source,
            tenant=o.case.municipality,
            subject=o.case.subject,
            payload=payload,
            occurred_at=self.now,
        )

    def _count(self, take: Take) -> None:
        self.report.taken += 1
        self.report.fees_ore += take.fee.amount_ore
        if take.step.kind == kinds.OVERFORING:
            self.report.handovers += 1
        else:
            self.report.letters[(take.step.kind, take.step.channel)] += 1
