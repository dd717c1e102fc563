"""Every reason dunning refuses or blocks something: machine code → HTTP status and title."""

from __future__ import annotations

from dataclasses import dataclass

REASONS: dict[str, tuple[int, str]] = {
    # A policy refused on load, or a step blocked right before it is taken
    "policy.malformed": (422, "The policy document has a missing or malformed field"),
    "merger.not_in_register": (
        409,
        "The register of municipalities does not have the successor collecting its claims",
    ),
    "policy.fee_too_early": (
        422,
        "A fee on a letter sent less than 14 days after the due date (inkassoforskriften § 1-2)",
    ),
    "policy.deadline_too_short": (422, "A deadline shorter than the 14 days the law requires"),
    "policy.step_not_after_due_date": (
        422,
        "A step on or before the claim's own due date: a claim is dunned only once it is overdue",
    ),
    "policy.betalingsoppfordring_too_early": (
        422,
        "A betalingsoppfordring before the inkassovarsel's deadline, at least 14 days after the "
        "varsel, has passed (inkassoloven § 10)",
    ),
    "policy.betalingsoppfordring_without_inkassovarsel": (
        422,
        "A betalingsoppfordring with no inkassovarsel before it (inkassoloven §§ 9, 10)",
    ),
    "policy.too_many_fees": (
        422,
        "More fees per claim than inkassoforskriften § 1-3 allows",
    ),
    "policy.fee_out_of_order": (
        422,
        "A fee on a letter out of the order purring, inkassovarsel, betalingsoppfordring, or "
        "on a letter repeating a step the claim has passed (inkassoforskriften § 1-3)",
    ),
    "policy.previous_deadline_not_passed": (
        422,
        "A second fee before the earlier fee letter's deadline has passed",
    ),
    "policy.no_missed_deadline": (
        422,
        "A betalingsoppfordring fee without a missed 14-day deadline (inkassoforskriften § 1-3)",
    ),
    "policy.saernamsmann_private_law": (
        422,
        "A private-law claim routed to særnamsmann or tvangsfullbyrdelse (no tvangsgrunnlag)",
    ),
    "policy.fee_not_allowed": (422, "The step may not carry a fee of this kind"),
    "policy.handover_not_last": (422, "Nothing can follow the hand-over to enforcement"),
    "policy.version_exists": (409, "A policy version must be higher than every earlier one"),
    "policy.not_found": (404, "No such policy"),
    "policy.id_mismatch": (422, "The policy's id differs from the one in the URL"),
    "policy.municipality_not_served": (403, "The policy names a municipality you do not serve"),
    # Facts of one case, checked right before a step
    "case.kid_missing": (409, "The claim has no KID yet (no account opened)"),
    "case.time_barred": (409, "The claim is time-barred (foreldelsesloven § 2)"),
    # Cases, plans and the work list
    "case.not_found": (404, "No such case"),
    "case.closed": (409, "The case is closed"),
    "case.not_paused": (409, "The case is not paused for that reason"),
    "worklist.item_not_found": (404, "No such work item"),
    "worklist.item_decided": (409, "The work item has already been decided"),
    "worklist.decision_invalid": (422, "That decision does not apply to this kind of work item"),
    "plan.outside_policy": (422, "The plan is outside the policy's limits"),
    "plan.amount_too_low": (422, "The monthly amount is below the policy's minimum"),
    "plan.too_many_months": (422, "The plan runs longer than the policy allows"),
    "plan.recently_broken": (422, "The debtor broke a plan within the policy's look-back period"),
    "plan.first_due_in_past": (422, "The first instalment is due before today"),
    "plan.no_open_case": (404, "None of the claims has an open case"),
    "run.shard_invalid": (422, "A shard is written i/n with 0 <= i < n <= 1024"),
    "run.date_in_future": (409, "The daily run takes no step on a date after today"),
    "run.date_in_past": (409, "The daily run is for today; catch up missed days explicitly"),
    "run.catch_up_not_past": (409, "A catch-up is for days before today"),
    "run.catch_up_too_far": (409, "A catch-up reaches back further than allowed"),
    "request.idempotency_key_reused": (422, "The Idempotency-Key was used for another request"),
}


@dataclass(frozen=True)
class Violation:
    """One reason a policy or a step is refused; ``step`` names the step key."""

    code: str
    message: str
    step: str | None = None


def violation(code: str, step: str | None = None, detail: str = "") -> Violation:
    """A :class:`Violation` whose message is the reason's title, plus ``detail``."""
    title = REASONS[code][1]
    return Violation(code, f"{title}: {detail}" if detail else title, step)


class DunningError(Exception):
    """A refused operation with its reasons (the first decides the HTTP status)."""

    def __init__(self, *violations: Violation) -> None:
        super().__init__(violations[0].message)
        self.violations = list(violations)

    @property
    def code(self) -> str:
        return self.violations[0].code


def refuse(code: str, detail: str = "") -> DunningError:
    """A :class:`DunningError` for one reason."""
    return DunningError(violation(code, detail=detail))
