"""Every reason notification gives for refusing or failing a notice: code → status, title.

`notices.failed.v1` carries these codes, so dunning's exception queue can sort by them.
"""

from __future__ import annotations

from dataclasses import dataclass

REASONS: dict[str, tuple[int, str]] = {
    # The legal content of a letter (compliance check before rendering)
    "notice.step_unknown": (422, "Unknown step kind"),
    "notice.language_unsupported": (422, "Letters are written in nb, nn or en"),
    "notice.debtor_name_missing": (422, "The debtor's name is missing"),
    "notice.creditor_missing": (422, "The creditor municipality is unknown"),
    "notice.claims_missing": (422, "The letter names no claim"),
    "notice.claim_purpose_missing": (422, "A claim does not say what it is for"),
    "notice.principal_not_separated": (422, "The principal is not stated separately"),
    "notice.interest_not_separated": (422, "The interest is not stated separately"),
    "notice.fees_not_separated": (422, "The fees are not stated separately"),
    "notice.amounts_inconsistent": (422, "The amounts do not add up"),
    "notice.interest_rate_missing": (422, "The interest rate is missing"),
    "notice.interest_from_missing": (422, "The date interest runs from is missing"),
    "notice.kid_invalid": (422, "The KID is missing or fails its check digit"),
    "notice.account_invalid": (422, "The account number is missing or not valid"),
    "notice.deadline_missing": (422, "The payment deadline is missing"),
    "notice.deadline_too_short": (422, "The deadline is shorter than the law allows"),
    "notice.fee_too_early": (422, "A fee is charged less than 14 days after the due date"),
    "notice.legal_basis_missing": (422, "The legal basis of the step is missing"),
    # Making and delivering the letter
    "render.failed": (500, "The letter could not be rendered"),
    "delivery.rejected": (502, "The provider refused the letter"),
    "delivery.unavailable": (503, "The providers stayed unavailable"),
    "delivery.no_postal_address": (422, "Printing needs a postal address"),
    "delivery.identity_missing": (422, "A digital mailbox needs the identity number"),
    "delivery.returned": (502, "The letter was refused or could not be delivered"),
    "delivery.identity_unreadable": (422, "The sealed identity number could not be opened"),
    # Documents and notices
    "document.not_found": (404, "No such document"),
    "notice.not_found": (404, "No such notice"),
    "document.reason_missing": (400, "Say why you read the document (Kravflyt-Read-Reason)"),
    "document.debtor_ref_missing": (400, "Name the debtor (Kravflyt-Debtor-Ref)"),
}


@dataclass(frozen=True)
class NoticeProblem:
    """One reason a notice was refused or failed."""

    code: str
    message: str
    field: str | None = None


def problem(code: str, message: str | None = None, field: str | None = None) -> NoticeProblem:
    """A :class:`NoticeProblem` whose message defaults to the reason's title."""
    return NoticeProblem(code, message or REASONS[code][1], field)


class NotificationError(Exception):
    """A refused operation with its reasons (the first decides the HTTP status)."""

    def __init__(self, *problems: NoticeProblem) -> None:
        super().__init__(problems[0].message)
        self.problems = list(problems)
