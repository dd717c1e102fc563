"""Why a payment file is rejected whole: a machine code, a human message and the line."""

from __future__ import annotations

from rules.errors import RuleError

# Every code a payment file can be rejected with, and what it means. All of them reject the
# whole file: nothing in it may be booked.
REASONS: dict[str, str] = {
    "ocr.record_length": "A record is not exactly 80 characters",
    "ocr.record_format": "A record does not start with NY or has a malformed field",
    "ocr.unknown_record": "A record type or service code that OCR giro does not define",
    "ocr.record_order": "Records are out of order",
    "ocr.duplicate_key": "Two transactions share an assignment and transaction number",
    "ocr.incomplete_transaction": "An amount item 1 without its amount item 2",
    "ocr.totals_mismatch": "An end record's count or sum does not match the records",
    "ocr.truncated": "The file ends before its transmission end record",
    "ocr.free_text_invalid": "A payer's free text holds a control character (NUL included)",
    "camt.malformed": "The file is not well-formed XML, or declares a DTD or entities",
    "camt.schema": "The XML is not a camt.054 notification of the expected structure",
    "camt.currency": "An amount is not in NOK",
    "camt.totals_mismatch": "A notification's summary does not match its entries",
}


class FileRejected(RuleError):
    """A payment file that must not be booked at all. `line` is 1-based: where the reader
    stood when it found the fault (for a file cut short, the line after its last).

    Messages name the field and line, never the value: files carry personal data.
    """

    def __init__(self, code: str, message: str, *, line: int) -> None:
        assert code in REASONS, code
        super().__init__(code, f"{message} (line {line})")
        self.line = line
