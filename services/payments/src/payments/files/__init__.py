"""Payment files from the bank (Nets OCR giro and camt.054), read as streams of payments.

Pure: standard library and `rules` only. Each reader makes one pass over a binary stream; its
payments count only once the pass has ended without `FileRejected` (the totals come last).
"""

from __future__ import annotations

from typing import IO

from payments.files.camt054 import Camt054Reader, validate_camt054
from payments.files.errors import REASONS, FileRejected
from payments.files.model import FileFormat, FileSummary, IncomingPayment, PaymentFileReader
from payments.files.ocr import OcrReader, validate_ocr

__all__ = [
    "REASONS",
    "Camt054Reader",
    "FileFormat",
    "FileRejected",
    "FileSummary",
    "IncomingPayment",
    "OcrReader",
    "PaymentFileReader",
    "detect_format",
    "reader_for",
    "validate_camt054",
    "validate_ocr",
]


def detect_format(head: bytes) -> FileFormat | None:
    """The format of a file from its first bytes: OCR records start `NY`, camt.054 is XML."""
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"NY"):
        return "ocr"
    if head.startswith(b"<"):
        return "camt054"
    return None


def reader_for(file_format: FileFormat, stream: IO[bytes]) -> PaymentFileReader:
    """A one-pass reader of `stream` in `file_format`."""
    return OcrReader(stream) if file_format == "ocr" else Camt054Reader(stream)
