"""What the flow knows about a case: its open claims and the steps already taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(frozen=True)
class ClaimFacts:
    """One open claim of a case."""

    claim_id: UUID
    claim_type: str
    due_date: date
    open_ore: int
    limitation_date: date
    kid: str | None = None


@dataclass(frozen=True)
class TakenStep:
    """A step already taken (or skipped by a caseworker) on the case.

    ``claim_ids`` are the claims the step covered (a consolidated letter names only the claims
    that had lawfully reached its step); None for steps recorded before letters named them,
    which covered every claim of the case.
    """

    seq: int
    key: str
    kind: str
    sent_date: date
    deadline_date: date | None
    fee_ore: int = 0
    fee_claim_id: UUID | None = None
    policy_version: int = 1
    skipped: bool = False
    claim_ids: tuple[UUID, ...] | None = None

    def covers(self, claim_id: UUID) -> bool:
        return self.claim_ids is None or claim_id in self.claim_ids


@dataclass(frozen=True)
class CaseFacts:
    """A case as the flow sees it; ``claims`` are the open ones, oldest due date first."""

    case_id: UUID
    claims: tuple[ClaimFacts, ...]
    history: tuple[TakenStep, ...] = ()
    hold_until: date | None = None

    @property
    def open_ore(self) -> int:
        return sum(c.open_ore for c in self.claims)

    def history_of(self, claim_id: UUID) -> tuple[TakenStep, ...]:
        """The steps that covered ``claim_id``: the claim's own course through the flow."""
        return tuple(t for t in self.history if t.covers(claim_id))


def history_to_json(history: tuple[TakenStep, ...]) -> list[dict[str, object]]:
    """The compact history stored on the case row."""
    return [
        {
            "seq": t.seq,
            "key": t.key,
            "kind": t.kind,
            "sent": t.sent_date.isoformat(),
            "deadline": t.deadline_date.isoformat() if t.deadline_date else None,
            "fee": t.fee_ore,
            "fee_claim": str(t.fee_claim_id) if t.fee_claim_id else None,
            "version": t.policy_version,
            "skipped": t.skipped,
        }
        | _claims_json(t)
        for t in history
    ]


def _claims_json(t: TakenStep) -> dict[str, object]:
    return {} if t.claim_ids is None else {"claims": [str(c) for c in t.claim_ids]}


def history_from_json(rows: list[dict[str, object]] | None) -> tuple[TakenStep, ...]:
    """The inverse of :func:`history_to_json`."""
    return tuple(
        TakenStep(
            seq=int(str(r["seq"])),
            key=str(r["key"]),
            kind=str(r["kind"]),
            sent_date=date.fromisoformat(str(r["sent"])),
            deadline_date=date.fromisoformat(str(r["deadline"])) if r.get("deadline") else None,
            fee_ore=int(str(r.get("fee") or 0)),
            fee_claim_id=UUID(str(r["fee_claim"])) if r.get("fee_claim") else None,
            policy_version=int(str(r.get("version") or 1)),
            skipped=bool(r.get("skipped")),
            claim_ids=_claim_ids(r.get("claims")),
        )
        for r in rows or []
    )


def _claim_ids(raw: object) -> tuple[UUID, ...] | None:
    return None if not isinstance(raw, list) else tuple(UUID(str(c)) for c in raw)
