"""The record layout of Nets OCR giro: record types, their order, and field readers.

From Nets' "OCR giro – System specification", chapter 2. Positions are 1-based and inclusive,
as in the specification. Every reader raises `FileRejected` naming the field and line only.
"""

from __future__ import annotations

from datetime import date

from payments.files.errors import FileRejected

RECORD_LENGTH = 80
READ_LIMIT = RECORD_LENGTH + 3  # the record, CR LF, and one byte more to see an overlong one
TRANSMISSION_START, ASSIGNMENT_START, ASSIGNMENT_END, TRANSMISSION_END = "10", "20", "88", "89"
ITEM_1, ITEM_2, ITEM_3 = "30", "31", "32"
# Which record may follow which (spec 2: transmission > assignments > transactions of 2–3 items).
FOLLOWERS: dict[str | None, frozenset[str]] = {
    None: frozenset({TRANSMISSION_START}),
    TRANSMISSION_START: frozenset({ASSIGNMENT_START, TRANSMISSION_END}),
    ASSIGNMENT_START: frozenset({ITEM_1, ASSIGNMENT_END}),
    ITEM_1: frozenset({ITEM_2}),
    ITEM_2: frozenset({ITEM_1, ITEM_3, ASSIGNMENT_END}),
    ITEM_3: frozenset({ITEM_1, ASSIGNMENT_END}),
    ASSIGNMENT_END: frozenset({ASSIGNMENT_START, TRANSMISSION_END}),
    TRANSMISSION_END: frozenset(),
}
_FRAME_RECORDS = frozenset({TRANSMISSION_START, ASSIGNMENT_START, ASSIGNMENT_END, TRANSMISSION_END})
TRANSACTION_TYPES = frozenset(str(code) for code in range(10, 22))  # spec 2.3.1
# Reversals: their amounts are added to the end records' sums, never subtracted (DOMAIN.md).
REVERSAL_TYPES = frozenset({"18", "20"})


def record_type(line: str, number: int) -> str:
    """The record type (positions 7–8) once format, service and transaction codes are known."""
    if not line.startswith("NY"):
        raise FileRejected("ocr.record_format", "A record does not start with NY", line=number)
    kind = line[6:8]
    if kind not in FOLLOWERS:
        raise FileRejected("ocr.unknown_record", "Unknown record type", line=number)
    framing = kind in _FRAME_RECORDS
    service = "00" if kind in (TRANSMISSION_START, TRANSMISSION_END) else "09"
    if line[2:4] != service:
        raise FileRejected("ocr.unknown_record", "Not an OCR giro service code", line=number)
    if (line[4:6] != "00") if framing else (line[4:6] not in TRANSACTION_TYPES):
        raise FileRejected("ocr.unknown_record", "Unknown transaction type", line=number)
    return kind


def out_of_order(previous: str | None, number: int) -> FileRejected:
    if previous == ITEM_1:
        message = "An amount item 1 is not followed by its item 2"
        return FileRejected("ocr.incomplete_transaction", message, line=number)
    return FileRejected("ocr.record_order", "A record is out of order", line=number)


def digits(line: str, first: int, last: int, name: str, number: int) -> str:
    """Positions first–last (1-based, inclusive); all ASCII digits or the file is rejected."""
    text = line[first - 1 : last]
    if not (text.isascii() and text.isdigit()):
        raise FileRejected("ocr.record_format", f"The {name} is not numeric", line=number)
    return text


def ddmmyy(line: str, first: int, name: str, number: int) -> date | None:
    """A DDMMYY date at `first`; 000000 means none. YY below 80 is 20YY, else 19YY."""
    text = line[first - 1 : first + 5]
    known = _DATES.get(text, _UNKNOWN)  # a file holds few dates: each is read once
    if known is not _UNKNOWN:
        return known
    digits(line, first, first + 5, name, number)
    if text == "000000":
        return None
    year = int(text[4:6])
    try:
        day = date(year + (2000 if year < 80 else 1900), int(text[2:4]), int(text[0:2]))
    except ValueError:
        raise FileRejected("ocr.record_format", f"The {name} is not a date", line=number) from None
    if len(_DATES) < _DATES_KEPT:
        _DATES[text] = day
    return day


_UNKNOWN = date.min
_DATES: dict[str, date | None] = {"000000": None}
_DATES_KEPT = 10_000


def unless_zero(text: str) -> str | None:
    """An optional field: all zeros or blanks mean absent."""
    return text if text.strip("0 ") else None


def unless_blank(text: str) -> str | None:
    """A field kept as sent; blanks mean absent."""
    return text.strip() or None


def check(line: str, first: int, last: int, actual: int, name: str, number: int) -> None:
    if int(digits(line, first, last, name, number)) != actual:
        raise mismatch(name, number)


def mismatch(name: str, number: int) -> FileRejected:
    return FileRejected("ocr.totals_mismatch", f"The {name} does not match", line=number)
