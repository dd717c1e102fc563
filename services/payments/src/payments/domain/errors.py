"""Every reason payments refuses something: machine code → HTTP status and title."""

from __future__ import annotations

REASONS: dict[str, tuple[int, str]] = {
    # Requests
    "request.unsupported_media_type": (415, "Send OCR giro as text/plain or camt.054 as XML"),
    "request.body_empty": (400, "The request body is empty"),
    "request.file_too_large": (413, "The payment file is larger than the service accepts"),
    "request.idempotency_key_invalid": (400, "The Idempotency-Key header is malformed"),
    "request.idempotency_key_reused": (422, "The Idempotency-Key was used for another request"),
    "request.period_invalid": (422, "A period is written YYYY-MM"),
    # Payment files
    "file.key_reused": (409, "Another file with the same sender and number was imported"),
    "file.payment_conflict": (409, "A payment of the file was booked by a concurrent import"),
    # Accounts and the ledger
    "account.not_found": (404, "No account for this claim"),
    "account.not_opened": (409, "The claim has no account yet"),
    "ledger.amount_not_positive": (422, "A posting moves a positive number of øre"),
    "ledger.same_account": (422, "A posting moves money between two different accounts"),
    "ledger.component_negative": (409, "A balance component would go below zero"),
    "fee.unknown": (409, "No such fee was charged on the claim"),
    "fee.reversal_too_large": (422, "A fee reversal exceeds the fee"),
    "kid.serial_exhausted": (500, "No KID serial numbers are left for the configured length"),
    "payment.not_found": (404, "No such payment"),
    # The unmatched queue
    "unmatched.not_found": (404, "No such unmatched payment"),
    "unmatched.already_resolved": (409, "The payment was already resolved another way"),
    "unmatched.claim_closed": (409, "The claim is closed; allocate to an open claim"),
    "unmatched.no_payer_account": (409, "The payment names no account to return it to"),
    "unmatched.reversal": (409, "A reversal cannot be allocated; it reverses an earlier payment"),
    # Settlements
    "settlement.nothing_to_settle": (409, "Nothing was collected for the municipality"),
    "settlement.negative": (409, "Corrections exceed what was collected; settle a later period"),
    "settlement.not_found": (404, "No such settlement"),
    # Vipps payments started from Min side
    "vipps.amount_changed": (409, "The open amount of the chosen claims is not what was shown"),
    "vipps.nothing_to_pay": (409, "A chosen claim has nothing left to pay"),
    "vipps.unavailable": (502, "Vipps did not answer; try again later"),
    "auth.municipality_not_served": (403, "The caseworker does not serve this municipality"),
    "auth.staff_not_configured": (503, "Staff sign-in is not configured for this service"),
}


class PaymentsError(Exception):
    """A refused operation: a machine ``code`` (a key of ``REASONS``) and a human message."""

    def __init__(self, code: str, message: str | None = None) -> None:
        assert code in REASONS, code
        self.code = code
        self.status, title = REASONS[code]
        self.message = message or title
        super().__init__(f"{code}: {self.message}")
