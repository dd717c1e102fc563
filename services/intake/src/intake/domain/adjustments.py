"""Credit notes, cancellations and write-offs: principal can never go below zero."""

from __future__ import annotations

from dataclasses import dataclass

from intake.domain.errors import IntakeError, problem

CLOSING_KINDS = {"cancellation": "cancelled", "write_off": "written_off"}


@dataclass(frozen=True)
class AdjustmentOutcome:
    """What an adjustment does to a claim."""

    amount_ore: int
    principal_before_ore: int
    principal_after_ore: int
    status_after: str


def adjust(status: str, principal_ore: int, kind: str, amount_ore: int | None) -> AdjustmentOutcome:
    """Apply a credit note (partial, ``amount_ore``) or close the claim (cancel, write off)."""
    if status != "open":
        raise IntakeError(problem("adjustment.claim_closed"))
    if kind in CLOSING_KINDS:
        if amount_ore is not None:
            raise IntakeError(problem("adjustment.amount_not_allowed", field="amount_ore"))
        return AdjustmentOutcome(principal_ore, principal_ore, 0, CLOSING_KINDS[kind])
    if amount_ore is None or amount_ore <= 0:
        raise IntakeError(problem("adjustment.amount_not_positive", field="amount_ore"))
    if amount_ore > principal_ore:
        raise IntakeError(problem("adjustment.amount_exceeds_principal", field="amount_ore"))
    after = principal_ore - amount_ore
    return AdjustmentOutcome(amount_ore, principal_ore, after, "open" if after else "credited")
