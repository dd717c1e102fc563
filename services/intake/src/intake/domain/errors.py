"""Every reason intake gives for refusing something: machine code → HTTP status and title.

The codes are the public contract with municipal integrations (documented in the README);
``claims.rejected.v1`` carries the same codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rules.text import TEXT_REASONS

REASONS: dict[str, tuple[int, str]] = {
    # The request as a whole
    "request.not_json": (400, "The body is not valid JSON"),
    "request.unsupported_media_type": (415, "Send the body as application/json"),
    "request.body_invalid": (422, "The body must be one claim object or an array of claims"),
    "request.batch_empty": (422, "The batch holds no claims"),
    "request.batch_too_large": (413, "The batch holds more claims than allowed"),
    "request.idempotency_key_invalid": (400, "The Idempotency-Key header is malformed"),
    "request.idempotency_key_reused": (422, "The Idempotency-Key was used for another request"),
    # One claim
    "claim.field_missing": (422, "A required field is missing"),
    "claim.field_invalid": (422, "A field has the wrong type or format"),
    "claim.debtor_id_format": (422, "The debtor's identity number has the wrong format"),
    "claim.debtor_id_invalid": (422, "The debtor's identity number is not valid"),
    "claim.debtor_name_missing": (422, "The debtor's name is missing"),
    "claim.amount_not_integer": (422, "Amounts are whole øre (integers)"),
    "claim.amount_not_positive": (422, "The principal must be more than 0 øre"),
    "claim.amount_too_large": (422, "The principal is above the ceiling for one claim"),
    "claim.due_before_issue": (422, "The due date is before the issue date"),
    "claim.issue_date_in_future": (422, "The issue date is in the future"),
    "claim.issue_date_too_early": (422, "The issue date is before the earliest the office takes"),
    "claim.due_date_too_late": (422, "The due date is further after the issue date than allowed"),
    "claim.time_barred": (422, "The claim is time-barred (foreldet)"),
    "claim.claim_type_unknown": (422, "Unknown claim type"),
    "claim.claim_type_not_enabled": (422, "The claim type is not enabled for the municipality"),
    "claim.municipality_unknown": (422, "The office does not serve this municipality"),
    "claim.municipality_not_permitted": (403, "The client may not submit for this municipality"),
    "claim.municipality_split": (422, "The municipality was split: name the successor"),
    "claim.municipality_left": (422, "The municipality has left the office: no new claims"),
    "claim.successor_invalid": (422, "The named municipality is not a successor of this one"),
    "claim.invoice_number_duplicate": (409, "The invoice number is already registered"),
    "claim.invoice_number_repeated": (422, "The invoice number appears twice in the batch"),
    "claim.kid_invalid": (422, "The municipality's KID fails its check digit"),
    "claim.property_missing": (422, "A property claim needs gnr and bnr"),
    "claim.not_found": (404, "No such claim"),
    "claim.debtor_unreadable": (422, "The sealed identity number could not be opened"),
    "claim.not_processed": (500, "The claim could not be processed; it was not registered"),
    # Adjustments
    "adjustment.amount_not_positive": (422, "The adjustment amount must be more than 0 øre"),
    "adjustment.amount_exceeds_principal": (422, "The adjustment exceeds the remaining principal"),
    "adjustment.amount_not_allowed": (422, "Cancellations and write-offs take no amount"),
    "adjustment.claim_closed": (409, "The claim is no longer open"),
    # Any text (rules.text): the field names which one
    **{code: (422, title) for code, title in TEXT_REASONS.items()},
}


@dataclass(frozen=True)
class ClaimProblem:
    """One reason a claim was refused."""

    code: str
    message: str
    field: str | None = None

    @property
    def status(self) -> int:
        """The HTTP status of this reason."""
        return REASONS[self.code][0]


def problem(code: str, message: str | None = None, field: str | None = None) -> ClaimProblem:
    """A :class:`ClaimProblem` whose message defaults to the reason's title."""
    return ClaimProblem(code, message or REASONS[code][1], field)


class IntakeError(Exception):
    """A refused operation with its reasons (the first decides the HTTP status)."""

    def __init__(self, *problems: ClaimProblem) -> None:
        super().__init__(problems[0].message)
        self.problems = list(problems)
