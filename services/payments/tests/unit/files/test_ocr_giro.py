"""Nets OCR giro files: golden files parse to exact payments; every fault rejects the whole file."""

from __future__ import annotations

import io
import time
import tracemalloc
from datetime import date
from pathlib import Path

import golden_ocr
import pytest
from payment_file_builders import (
    Assignment,
    Tx,
    encode,
    item_1,
    many_transactions,
    ocr_lines,
)

from payments.files import FileRejected, IncomingPayment, OcrReader, validate_ocr
from payments.files.ocr import iter_payments

GOLDEN = Path(__file__).with_name("golden")
NOV_23, NOV_24 = date(2026, 11, 23), date(2026, 11, 24)


def read(name: str) -> list[IncomingPayment]:
    with (GOLDEN / name).open("rb") as stream:
        return list(iter_payments(stream))


def payment(file_key: str, payment_key: str, amount_ore: int, **fields: object) -> IncomingPayment:
    defaults: dict[str, object] = {
        "reversal": False,
        "kid": None,
        "kid_valid": False,
        "booking_date": NOV_24,
        "value_date": NOV_24,
        "archive_reference": None,
        "payer_account": None,
        "payer_name": None,
        "free_text": None,
        "creditor_account": golden_ocr.ACCOUNT,
        "transaction_type": "10",
        "centre_id": "01",
        "day_code": "24",
        "partial_settlement": "1",
        "serial_number": "00001",
    }
    given = defaults | fields
    given.setdefault("paid_on", given["booking_date"])
    return IncomingPayment("ocr", file_key, payment_key, amount_ore, **given)  # type: ignore[arg-type]


def rejection(content: bytes) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        validate_ocr(io.BytesIO(content))
    return caught.value


def test_golden_files_are_what_the_builders_derive() -> None:
    for name in golden_ocr.FILES:
        assert (GOLDEN / name).read_bytes() == golden_ocr.content(name), name


def test_basic_file_parses_to_the_exact_payments() -> None:
    key = "ocr:00008080:1124001"

    payments = read("ocr_basic.txt")

    assert payments == [
        payment(key, "001234567/4000001/0000001", 125_000, kid="33010000124", kid_valid=True,
                archive_reference="123456789", payer_account="12345678903",
                paid_on=date(2026, 11, 21), form_number="4412345678"),
        payment(key, "001234567/4000001/0000002", 45_050, kid="330100003-", kid_valid=True,
                archive_reference="123456789", payer_account="98765432106",
                transaction_type="13"),
        payment(key, "001234567/4000001/0000003", 100_000, kid="33010000786", kid_valid=False,
                archive_reference="223456780", transaction_type="16"),
        payment(key, "001234567/4000001/0000004", 20_000, booking_date=NOV_23,
                value_date=NOV_23, archive_reference="323456781", transaction_type="21",
                day_code="23",
                free_text="Husleie nov. fra Bjørn Ødegård, Ærøy Ås"),
    ]  # fmt: skip


def test_basic_file_summary_has_identity_counts_and_totals() -> None:
    content = (GOLDEN / "ocr_basic.txt").read_bytes()

    summary = validate_ocr(io.BytesIO(content))

    assert (summary.file_key, summary.sender, summary.transmission_number) == (
        "ocr:00008080:1124001",
        "00008080",
        "1124001",
    )
    assert (summary.recipient, summary.created_date) == ("00012345", NOV_24)
    assert (summary.payment_count, summary.record_count, summary.size_bytes) == (4, 13, 1053)
    assert (summary.credit_ore, summary.reversal_ore, summary.control_total_ore) == (
        290_050,
        0,
        290_050,
    )


def test_reversals_are_payments_marked_reversal_and_added_to_the_totals() -> None:
    key = "ocr:00008080:1125001"

    payments = read("ocr_reversal.txt")
    summary = validate_ocr(io.BytesIO((GOLDEN / "ocr_reversal.txt").read_bytes()))

    assert payments == [
        payment(key, "001234567/4000002/0000001", 50_000, kid="33010000454", kid_valid=True,
                archive_reference="423456782", payer_account="12345678903"),
        payment(key, "001234567/4000002/0000002", 30_000, reversal=True, kid="33010000124",
                kid_valid=True, archive_reference="423456783", transaction_type="18"),
        payment(key, "001234568/4000003/0000001", 2_500, reversal=True,
                archive_reference="523456784", free_text="Tilbakeført: feil beløp",
                creditor_account="15038867890", transaction_type="20"),
        payment(key, "001234568/4000003/0000002", 10_000, kid="33010000868", kid_valid=True,
                archive_reference="523456785", creditor_account="15038867890",
                transaction_type="19"),
    ]  # fmt: skip
    assert (summary.control_total_ore, summary.credit_ore, summary.reversal_ore) == (
        92_500,
        60_000,
        32_500,
    )
    assert (summary.reversal_count, summary.net_ore) == (2, 27_500)


@pytest.mark.parametrize(
    ("name", "code", "line"),
    [
        ("ocr_wrong_totals.txt", "ocr.totals_mismatch", 12),
        ("ocr_wrong_count.txt", "ocr.totals_mismatch", 13),
        ("ocr_short_record.txt", "ocr.record_length", 6),
        ("ocr_unknown_record.txt", "ocr.unknown_record", 5),
        ("ocr_truncated.txt", "ocr.truncated", 7),  # the line after its last
    ],
)
def test_bad_golden_file_is_rejected_whole_with_its_reason(name: str, code: str, line: int) -> None:
    error = rejection((GOLDEN / name).read_bytes())

    assert (error.code, error.line) == (code, line)


def test_wrong_totals_name_which_total_is_wrong() -> None:
    assert "assignment's sum" in rejection((GOLDEN / "ocr_wrong_totals.txt").read_bytes()).message
    wrong_count = rejection((GOLDEN / "ocr_wrong_count.txt").read_bytes())
    assert "transmission's number of transactions" in wrong_count.message


def test_payments_before_a_bad_end_record_are_yielded_but_the_file_still_fails() -> None:
    reader = OcrReader(io.BytesIO((GOLDEN / "ocr_wrong_totals.txt").read_bytes()))
    seen: list[IncomingPayment] = []

    with pytest.raises(FileRejected):
        seen.extend(reader.payments())

    assert len(seen) == 4
    assert reader.summary is None


def test_a_kid_failing_its_check_digit_does_not_reject_the_file() -> None:
    payments = read("ocr_basic.txt")

    assert [p.kid_valid for p in payments if p.kid] == [True, True, False]


def test_identical_content_gives_identical_file_key_and_hash() -> None:
    content = golden_ocr.content("ocr_basic.txt")
    changed = content.replace(b"Husleie", b"Husleia")

    first, second = validate_ocr(io.BytesIO(content)), validate_ocr(io.BytesIO(bytes(content)))
    other = validate_ocr(io.BytesIO(changed))

    assert (first.file_key, first.sha256) == (second.file_key, second.sha256)
    assert (other.file_key, other.sha256 != first.sha256) == (first.file_key, True)


def test_windows_line_endings_and_a_trailing_blank_line_are_accepted() -> None:
    content = encode(golden_ocr.basic(), newline="\r\n") + b"\r\n"

    summary = validate_ocr(io.BytesIO(content))

    assert summary.payment_count == 4


def test_a_negative_sign_subtracts_from_the_totals_but_a_reversal_type_adds() -> None:
    # As in the example in Nets' specification: sign '-' (position 32) subtracts from the sums.
    txs = (
        Tx("13", 9_000, NOV_24, kid="33010000124"),
        Tx("13", 1_000, NOV_24, sign="-"),
        Tx("18", 500, NOV_24, sign="-"),
    )
    assignment = Assignment("000000001", "0000001", "00000000001", txs)
    content = encode(ocr_lines("0000001", "00012345", [assignment], NOV_24))

    summary = validate_ocr(io.BytesIO(content))
    payments = list(iter_payments(io.BytesIO(content)))

    assert summary.control_total_ore == 9_000 - 1_000 + 500
    assert [p.signed_ore for p in payments] == [9_000, -1_000, -500]


def edited(edit: str) -> bytes:
    """The basic file with one fault; `edit` names it."""
    lines = golden_ocr.basic()
    if edit == "not NY":
        lines[3] = "XY" + lines[3][2:]
    elif edit == "letters in the amount":
        lines[2] = lines[2][:40] + "12A45" + lines[2][45:]
    elif edit == "an AvtaleGiro record":
        lines[2] = "NY21" + lines[2][4:]
    elif edit == "transmission type 01":
        lines[0] = "NY0001" + lines[0][6:]
    elif edit == "assignment before transmission":
        lines = lines[1:]
    elif edit == "a record after the end":
        lines.append(lines[1])
    elif edit == "item 1 without item 2":
        del lines[3]
    elif edit == "item 2 of another transaction":
        lines[3] = lines[3][:14] + "9" + lines[3][15:]
    elif edit == "a repeated transaction number":
        lines[4:6] = [lines[2], lines[3]]
    elif edit == "a repeated assignment":
        lines[-1:-1] = lines[1:-1]
    elif edit == "a blank line inside":
        lines.insert(4, "")
    elif edit == "a 200-character line":
        lines[4] = lines[4] * 2 + lines[4][:40]
    elif edit == "cut after an item 1":
        lines = lines[:5]
    elif edit == "an invalid date":
        lines[2] = (
            item_1("10", 1, NOV_24, 125_000, "33010000124", "0")[:15] + "311126" + lines[2][21:]
        )
    return encode(lines)


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        ("not NY", "ocr.record_format"),
        ("letters in the amount", "ocr.record_format"),
        ("an invalid date", "ocr.record_format"),
        ("an AvtaleGiro record", "ocr.unknown_record"),
        ("transmission type 01", "ocr.unknown_record"),
        ("assignment before transmission", "ocr.record_order"),
        ("a record after the end", "ocr.record_order"),
        ("item 1 without item 2", "ocr.incomplete_transaction"),
        ("item 2 of another transaction", "ocr.incomplete_transaction"),
        ("a repeated transaction number", "ocr.duplicate_key"),
        ("a repeated assignment", "ocr.duplicate_key"),
        ("a blank line inside", "ocr.record_length"),
        ("a 200-character line", "ocr.record_length"),
        ("cut after an item 1", "ocr.truncated"),
    ],
)
def test_a_faulty_file_is_rejected_with_its_reason_and_line(edit: str, code: str) -> None:
    error = rejection(edited(edit))

    assert error.code == code
    assert error.line >= 1 and f"(line {error.line})" in error.message


def test_an_empty_file_is_truncated_at_its_first_line() -> None:
    error = rejection(b"")

    assert (error.code, error.line) == ("ocr.truncated", 1)


def test_a_payment_keeps_the_payers_bank_date_beside_the_settlement_date_and_the_nets_fields() -> (
    None
):
    first = read("ocr_basic.txt")[0]

    assert (first.booking_date, first.paid_on, first.payment_date) == (
        NOV_24,
        date(2026, 11, 21),
        date(2026, 11, 21),
    )
    assert (first.form_number, first.centre_id, first.day_code) == ("4412345678", "01", "24")
    assert (first.partial_settlement, first.serial_number) == ("1", "00001")


def test_a_bank_date_after_the_settlement_date_counts_as_the_settlement_date() -> None:
    late = Tx("10", 10_000, NOV_23, kid="33010000124", paid=NOV_24)
    lines = ocr_lines(
        "1124009",
        golden_ocr.RECIPIENT,
        [golden_ocr.Assignment("001234567", "4000009", golden_ocr.ACCOUNT, (late,))],
        NOV_24,
    )
    [only] = list(iter_payments(io.BytesIO(encode(lines))))

    assert (only.paid_on, only.payment_date) == (NOV_24, NOV_23)


def test_a_rejection_names_field_and_line_but_never_the_value() -> None:
    error = rejection(edited("letters in the amount"))

    assert error.message == "The amount is not numeric (line 3)"


def test_payments_come_out_before_the_file_is_read_to_its_end(tmp_path: Path) -> None:
    stream = io.BytesIO(encode(many_transactions(2_000, NOV_24)))

    next(iter_payments(stream))

    assert stream.tell() < 500  # the start records and one transaction: 5 records of 81 bytes


def test_a_100_000_payment_file_streams_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as out:
        for line in many_transactions(100_000, NOV_24):
            out.write(line.encode("iso-8859-1") + b"\n")

    with path.open("rb") as stream:
        started = time.perf_counter()
        summary = validate_ocr(stream)
        elapsed = time.perf_counter() - started
    tracemalloc.start()
    with path.open("rb") as stream:
        validate_ocr(stream)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"parse-only: 100 000 OCR payments in {elapsed:.2f} s, peak {peak / 1024:.0f} KiB")
    assert summary.payment_count == 100_000
    assert peak < 256 * 1024  # the file is ~16 MB; the objects of 100 000 payments ~30 MB


def test_a_control_character_in_a_payers_free_text_rejects_the_file_naming_the_line() -> None:
    tx = Tx("20", 10_000, NOV_24, kid="33010000124", text="Husleie\x00nov")
    lines = ocr_lines(
        "1124010",
        golden_ocr.RECIPIENT,
        [golden_ocr.Assignment("001234567", "4000010", golden_ocr.ACCOUNT, (tx,))],
        NOV_24,
    )

    error = rejection(encode(lines))

    assert (error.code, error.line) == ("ocr.free_text_invalid", 5)
    assert "Husleie" not in error.message
