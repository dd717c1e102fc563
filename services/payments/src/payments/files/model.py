"""What a payment file says: one `IncomingPayment` per transaction and a `FileSummary` per file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

FileFormat = Literal["ocr", "camt054"]


@dataclass(frozen=True, slots=True)
class IncomingPayment:
    """One payment (or reversal of one) as the bank reported it; nothing matched yet.

    `amount_ore` is always positive; `reversal` says the money goes back out (OCR transaction
    types 18 and 20 or a negative sign; camt.054 a reversed credit). `payment_key` is unique per
    payment among all files of one sender, so it is the idempotency key together with `source`.

    Two dates: `booking_date` is when the money reached the collection account (OCR: Nets'
    settlement date; camt.054: `BookgDt`), `paid_on` the day the payer's bank debited the payer
    (OCR: the bank date of amount item 2; camt.054: `BookgDt`, or `ValDt` when earlier). The
    law counts `paid_on` (DOMAIN.md, "Payment date"): interest stops and "paid in time" is
    judged on it. Left None by a channel that knows one date only: it is then `booking_date`.

    The rest is kept as the bank sent it, for audit and for answering a payer: OCR's form
    number, centre id, day code, partial settlement number and serial number, camt's
    `EndToEndId`.
    """

    source: FileFormat
    file_key: str
    payment_key: str
    amount_ore: int
    reversal: bool
    kid: str | None
    kid_valid: bool
    booking_date: date
    value_date: date
    archive_reference: str | None
    payer_account: str | None
    payer_name: str | None
    free_text: str | None
    creditor_account: str | None
    transaction_type: str
    paid_on: date | None = None
    form_number: str | None = None
    centre_id: str | None = None
    day_code: str | None = None
    partial_settlement: str | None = None
    serial_number: str | None = None
    end_to_end_id: str | None = None

    @property
    def payment_date(self) -> date:
        """The day the payment counts as made: the payer's bank date (never after the booking
        date: a bank date later than the money's arrival is a bank's error), else the booking
        date."""
        return self.booking_date if self.paid_on is None else min(self.paid_on, self.booking_date)

    @property
    def signed_ore(self) -> int:
        """The amount as it moves the collection account: negative for a reversal."""
        return -self.amount_ore if self.reversal else self.amount_ore


@dataclass(frozen=True, slots=True)
class FileSummary:
    """A whole file, known only once it was read to its end and every total checked.

    `file_key` is the file's identity (OCR: data sender + transmission number; camt.054: the
    message id); `sha256` identifies the exact content. `control_total_ore` is the sum the file
    itself declares and that was verified (OCR adds reversals, see `ocr.py`).
    """

    format: FileFormat
    file_key: str
    sender: str | None
    recipient: str | None
    transmission_number: str
    created_date: date | None
    payment_count: int
    reversal_count: int
    skipped_count: int
    credit_ore: int
    reversal_ore: int
    control_total_ore: int
    record_count: int
    sha256: str
    size_bytes: int

    @property
    def net_ore(self) -> int:
        """Credits less reversals: what the file moves on the collection account."""
        return self.credit_ore - self.reversal_ore


class PaymentFileReader(Protocol):
    """One pass over one file: iterate `payments()` to the end, then read `summary`."""

    @property
    def summary(self) -> FileSummary | None: ...

    def payments(self) -> Iterator[IncomingPayment]: ...
