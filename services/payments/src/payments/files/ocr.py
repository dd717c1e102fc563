"""Nets OCR giro: a streaming parser that checks every count and sum of the file.

Layout from Nets' "OCR giro – System specification" (chapter 2): 80-character records in
ISO-8859-1, each `NY` + service code (3–4) + transaction or assignment type (5–6) + record type
(7–8). Positions in this module are 1-based and inclusive, as in the specification.

A file is one unit. `payments()` yields each payment as soon as its records are read, but the
end records come last: a caller must book nothing until the iteration has ended without
`FileRejected`. Memory stays constant whatever the file's size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import IO

from payments.files import ocr_records as r
from payments.files.errors import FileRejected
from payments.files.model import FileSummary, IncomingPayment
from rules.kid import is_valid_kid
from rules.text import TextPolicy, TextProblem

# A payer's free text is stored and shown to caseworkers: held to the shared text policy.
_TEXT = TextPolicy()


@dataclass(slots=True)
class _Assignment:
    agreement_id: str
    number: str
    account: str
    transactions: int = 0
    records: int = 1
    total: int = 0
    first_date: date | None = None
    last_date: date | None = None
    last_transaction: int = 0


@dataclass(slots=True)
class _Item1:
    kind: str
    number: str
    settlement_date: date
    negative: bool
    amount: int
    kid: str | None
    centre_id: str | None
    day_code: str | None
    partial_settlement: str | None
    serial_number: str | None


@dataclass(slots=True)
class _State:
    file_key: str = ""
    sender: str = ""
    transmission_number: str = ""
    recipient: str = ""
    records: int = 0
    transactions: int = 0
    total: int = 0
    credit: int = 0
    reversed_: int = 0
    reversals: int = 0
    assignment_numbers: set[str] = field(default_factory=set)
    assignment: _Assignment | None = None
    item_1: _Item1 | None = None
    last_item: str = ""
    pending: IncomingPayment | None = None
    created_date: date | None = None


class OcrReader:
    """One pass over one OCR file given as a binary stream."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._digest = hashlib.sha256()
        self._size = 0
        self._lines = 0  # read so far, blank ones included
        self._s = _State()
        self.summary: FileSummary | None = None
        self._handlers: dict[str, Callable[[str, int], None]] = {
            r.TRANSMISSION_START: self._transmission_start,
            r.ASSIGNMENT_START: self._assignment_start,
            r.ITEM_1: self._item_1,
            r.ITEM_2: self._item_2,
            r.ITEM_3: self._item_3,
            r.ASSIGNMENT_END: self._assignment_end,
            r.TRANSMISSION_END: self._transmission_end,
        }

    def payments(self) -> Iterator[IncomingPayment]:
        """Yield every payment; raise `FileRejected` at the first fault, at the latest at EOF."""
        s, previous = self._s, None
        for number, line in self._records():
            kind = r.record_type(line, number)
            if kind not in r.FOLLOWERS[previous]:
                raise r.out_of_order(previous, number)
            if s.pending is not None and kind != r.ITEM_3:
                yield s.pending
                s.pending = None
            s.records += 1
            self._handlers[kind](line, number)
            previous = kind
        if previous != r.TRANSMISSION_END:
            message = "The file ends before its transmission end record"
            raise FileRejected("ocr.truncated", message, line=self._lines + 1)
        self.summary = self._summary()

    def _records(self) -> Iterator[tuple[int, str]]:
        number, blank = 0, 0
        while raw := self._stream.readline(r.READ_LIMIT):
            self._digest.update(raw)
            self._size += len(raw)
            number += 1
            self._lines = number
            record = raw.rstrip(b"\r\n")
            if not record:
                blank = blank or number  # blank lines are tolerated only at the very end
                continue
            if blank or len(record) != r.RECORD_LENGTH:
                at = blank or number
                raise FileRejected("ocr.record_length", "A record is not 80 characters", line=at)
            yield number, record.decode("iso-8859-1")

    def _transmission_start(self, line: str, number: int) -> None:
        s = self._s
        s.sender = r.digits(line, 9, 16, "data sender", number)
        s.transmission_number = r.digits(line, 17, 23, "transmission number", number)
        s.recipient = r.digits(line, 24, 31, "data recipient", number)
        s.file_key = f"ocr:{s.sender}:{s.transmission_number}"

    def _assignment_start(self, line: str, number: int) -> None:
        agreement_id = r.digits(line, 9, 17, "agreement id", number)
        assignment = r.digits(line, 18, 24, "assignment number", number)
        if assignment in self._s.assignment_numbers:
            raise FileRejected("ocr.duplicate_key", "An assignment number repeats", line=number)
        self._s.assignment_numbers.add(assignment)
        account = r.digits(line, 25, 35, "assignment account", number)
        self._s.assignment = _Assignment(agreement_id, assignment, account)

    def _item_1(self, line: str, number: int) -> None:
        a = self._assignment()
        transaction = r.digits(line, 9, 15, "transaction number", number)
        if int(transaction) <= a.last_transaction:
            raise FileRejected("ocr.duplicate_key", "Transaction numbers must rise", line=number)
        a.last_transaction = int(transaction)
        a.records += 1
        settlement_date = r.ddmmyy(line, 16, "settlement date", number)
        if settlement_date is None:
            raise FileRejected("ocr.record_format", "The settlement date is missing", line=number)
        sign = line[31]  # position 32: '-' for a negative amount, else '0'
        if sign not in "0- +":
            raise FileRejected("ocr.record_format", "The sign is neither 0 nor -", line=number)
        amount = int(r.digits(line, 33, 49, "amount", number))
        kid = line[49:74].strip() or None  # positions 50–74, right-aligned, blank-padded
        self._s.item_1 = _Item1(
            line[4:6], transaction, settlement_date, sign == "-", amount, kid,
            # Kept as sent, for audit: 22–23 centre id, 24–25 day code, 26 partial settlement
            # number, 27–31 serial number within the partial settlement.
            r.unless_blank(line[21:23]), r.unless_blank(line[23:25]),
            r.unless_blank(line[25:26]), r.unless_blank(line[26:31]),
        )  # fmt: skip

    def _item_2(self, line: str, number: int) -> None:
        s, a, item = self._s, self._assignment(), self._s.item_1
        if item is None or line[4:6] != item.kind or line[8:15] != item.number:
            raise FileRejected("ocr.incomplete_transaction", "Items 1 and 2 differ", line=number)
        a.records += 1
        reversal = item.kind in r.REVERSAL_TYPES or item.negative
        # The spec's own example subtracts a negative sign; reversals are added all the same.
        subtract = item.negative and item.kind not in r.REVERSAL_TYPES
        a.total += -item.amount if subtract else item.amount
        a.transactions += 1
        a.first_date = min(a.first_date or item.settlement_date, item.settlement_date)
        a.last_date = max(a.last_date or item.settlement_date, item.settlement_date)
        if reversal:
            s.reversals += 1
            s.reversed_ += item.amount
        else:
            s.credit += item.amount
        s.item_1, s.last_item = None, item.number
        s.pending = IncomingPayment(
            source="ocr",
            file_key=s.file_key,
            payment_key=f"{a.agreement_id}/{a.number}/{item.number}",
            amount_ore=item.amount,
            reversal=reversal,
            kid=item.kid,
            kid_valid=item.kid is not None and is_valid_kid(item.kid),
            booking_date=item.settlement_date,
            value_date=item.settlement_date,
            archive_reference=r.unless_zero(line[25:34]),  # positions 26–34; shared by a batch
            payer_account=r.unless_zero(line[47:58]),  # positions 48–58: the debit account
            payer_name=None,  # OCR giro carries no payer name
            free_text=None,
            creditor_account=a.account,
            transaction_type=item.kind,
            # Positions 42–47: the bank date, the day the payer's bank debited the payer; the
            # settlement date (item 1) is Nets' later crediting of the collection account.
            paid_on=r.ddmmyy(line, 42, "bank date", number),
            form_number=r.unless_zero(line[15:25]),  # positions 16–25
            centre_id=item.centre_id,
            day_code=item.day_code,
            partial_settlement=item.partial_settlement,
            serial_number=item.serial_number,
        )

    def _item_3(self, line: str, number: int) -> None:
        pending, a = self._s.pending, self._assignment()
        if pending is None or line[8:15] != self._s.last_item:
            raise FileRejected("ocr.record_order", "Item 3 of another transaction", line=number)
        a.records += 1
        text = line[15:55].strip() or None  # positions 16–55: the payer's free text (types 20, 21)
        if text is not None and isinstance(_TEXT.clean(text, field="", max_length=40), TextProblem):
            raise FileRejected(
                "ocr.free_text_invalid", "The free text has a control character", line=number
            )
        self._s.pending = replace(pending, free_text=text)

    def _assignment_end(self, line: str, number: int) -> None:
        s, a = self._s, self._assignment()
        a.records += 1
        r.check(line, 9, 16, a.transactions, "assignment's number of transactions", number)
        r.check(line, 17, 24, a.records, "assignment's number of records", number)
        r.check(line, 25, 41, a.total, "assignment's sum of amounts", number)
        for start, day, name in ((48, a.first_date, "first"), (54, a.last_date, "last")):
            stated = r.ddmmyy(line, start, f"{name} settlement date", number)
            if stated is not None and stated != day:
                raise r.mismatch(f"assignment's {name} settlement date", number)
        s.transactions += a.transactions
        s.total += a.total
        s.assignment = None

    def _transmission_end(self, line: str, number: int) -> None:
        s = self._s
        r.check(line, 9, 16, s.transactions, "transmission's number of transactions", number)
        r.check(line, 17, 24, s.records, "transmission's number of records", number)
        r.check(line, 25, 41, s.total, "transmission's sum of amounts", number)
        s.created_date = r.ddmmyy(line, 42, "Nets date", number)

    def _assignment(self) -> _Assignment:
        assert self._s.assignment is not None  # the record order guarantees it
        return self._s.assignment

    def _summary(self) -> FileSummary:
        s = self._s
        return FileSummary(
            format="ocr",
            file_key=s.file_key,
            sender=s.sender,
            recipient=s.recipient,
            transmission_number=s.transmission_number,
            created_date=s.created_date,
            payment_count=s.transactions,
            reversal_count=s.reversals,
            skipped_count=0,
            credit_ore=s.credit,
            reversal_ore=s.reversed_,
            control_total_ore=s.total,
            record_count=s.records,
            sha256=self._digest.hexdigest(),
            size_bytes=self._size,
        )


def iter_payments(stream: IO[bytes]) -> Iterator[IncomingPayment]:
    """Yield the payments of an OCR file; the file counts only if this ends without raising."""
    return OcrReader(stream).payments()


def validate_ocr(stream: IO[bytes]) -> FileSummary:
    """Read and check a whole OCR file without keeping its payments (the parse-only floor)."""
    reader = OcrReader(stream)
    for _ in reader.payments():
        pass
    assert reader.summary is not None
    return reader.summary
