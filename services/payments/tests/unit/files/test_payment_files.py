"""What the two formats share: detecting which one a file is, one reader interface."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from payments.files import detect_format, reader_for

GOLDEN = Path(__file__).with_name("golden")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"NY000010000080801124001", "ocr"),
        (b'<?xml version="1.0"?><Document', "camt054"),
        (b"\xef\xbb\xbf\r\n  <Document", "camt054"),
        (b"%PDF-1.7", None),
        (b"", None),
    ],
)
def test_the_format_is_told_from_the_first_bytes(head: bytes, expected: str | None) -> None:
    assert detect_format(head) == expected


@pytest.mark.parametrize("name", ["ocr_basic.txt", "camt054_basic.xml"])
def test_either_format_reads_through_the_same_interface(name: str) -> None:
    content = (GOLDEN / name).read_bytes()
    file_format = detect_format(content[:64])
    assert file_format is not None
    reader = reader_for(file_format, io.BytesIO(content))

    payments = list(reader.payments())

    assert reader.summary is not None
    assert reader.summary.format == file_format
    assert len(payments) == reader.summary.payment_count > 0
    assert {p.file_key for p in payments} == {reader.summary.file_key}


@pytest.mark.parametrize("name", ["ocr_basic.txt", "camt054_basic.xml"])
def test_payment_keys_are_unique_within_a_file(name: str) -> None:
    content = (GOLDEN / name).read_bytes()
    file_format = detect_format(content)
    assert file_format is not None

    keys = [p.payment_key for p in reader_for(file_format, io.BytesIO(content)).payments()]

    assert len(keys) == len(set(keys))
