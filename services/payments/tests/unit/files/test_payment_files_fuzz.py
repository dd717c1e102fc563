"""Payment files a bank never meant to send: malformed input is a `FileRejected` with a reason
code and a line, never another exception (hypothesis mutates the golden files)."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.files import REASONS, FileRejected, detect_format, reader_for

GOLDEN = Path(__file__).with_name("golden")
SEEDS = [GOLDEN.joinpath(n).read_bytes() for n in ("ocr_basic.txt", "camt054_basic.xml")]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A golden file with a few bytes replaced, inserted or cut, or the file cut short."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        chunk = draw(st.binary(min_size=1, max_size=8))
        if edit == "replace":
            data[at : at + len(chunk)] = chunk
        elif edit == "insert":
            data[at:at] = chunk
        elif edit == "delete":
            del data[at : at + len(chunk)]
        else:
            del data[at:]
    return bytes(data)


def read_whole(content: bytes) -> None:
    """Read a file as the import does: detect the format, iterate every payment."""
    file_format = detect_format(content[:64])
    if file_format is None:
        return
    reader = reader_for(file_format, io.BytesIO(content))
    for _ in reader.payments():
        pass
    assert reader.summary is not None


def _read_or_reject(content: bytes) -> None:
    try:
        read_whole(content)
    except FileRejected as rejected:
        assert rejected.code in REASONS
        assert rejected.line >= 1


@FUZZ
@given(mutated())
def test_a_mutated_payment_file_is_read_or_rejected_with_a_reason_never_crashes(content):
    _read_or_reject(content)


@FUZZ
@given(st.binary(max_size=400).map(lambda tail: b"NY" + tail))
def test_random_bytes_after_an_ocr_start_are_rejected_with_a_reason(content):
    _read_or_reject(content)


@FUZZ
@given(st.text(max_size=200).map(lambda body: f"<Document>{body}</Document>".encode()))
def test_random_text_in_an_xml_document_is_rejected_with_a_reason(content):
    _read_or_reject(content)
