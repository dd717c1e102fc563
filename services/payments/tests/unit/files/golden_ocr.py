"""The golden OCR files, derived field by field; `python golden_ocr.py` rewrites them.

The committed files under golden/ are the bytes Nets would send (ISO-8859-1); a test checks that
they still equal what this module derives, so an edit here and there cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from payment_file_builders import Assignment, Tx, encode, ocr_lines

GOLDEN = Path(__file__).with_name("golden")
NOV_21, NOV_23, NOV_24 = date(2026, 11, 21), date(2026, 11, 23), date(2026, 11, 24)
RECIPIENT = "00012345"  # Kravflyt's customer unit id at Nets (data recipient)
ACCOUNT = "15038812345"  # the office's collection account (assignment account)
FREE_TEXT = "Husleie nov. fra Bjørn Ødegård, Ærøy Ås"  # 40 characters at most, ISO-8859-1

BASIC = Assignment(
    "001234567",
    "4000001",
    ACCOUNT,
    (
        # MOD10 KID; giro debited from the payer's account on Friday, settled by Nets on Monday
        Tx(
            "10",
            125_000,
            NOV_24,
            kid="33010000124",
            archive="123456789",
            debit="12345678903",
            paid=NOV_21,
            form="4412345678",
        ),
        # MOD11 KID ending in '-'; the same archive reference as the first (it is not unique)
        Tx("13", 45_050, NOV_24, kid="330100003-", archive="123456789", debit="98765432106"),
        # a KID whose check digit fails (…785 is right): a payment all the same
        Tx("16", 100_000, NOV_24, kid="33010000786", archive="223456780"),
        # purchase with text: no KID, ISO-8859-1 free text in amount item 3
        Tx(
            "21",
            20_000,
            NOV_23,
            archive="323456781",
            text="Husleie nov. fra Bjørn Ødegård, Ærøy Ås",
        ),
    ),
)
REVERSALS = (
    Assignment(
        "001234567",
        "4000002",
        ACCOUNT,
        (
            Tx("10", 50_000, NOV_24, kid="33010000454", archive="423456782", debit="12345678903"),
            Tx("18", 30_000, NOV_24, kid="33010000124", archive="423456783"),  # reversal, KID
        ),
    ),
    Assignment(
        "001234568",
        "4000003",
        "15038867890",
        (
            Tx("20", 2_500, NOV_24, archive="523456784", text="Tilbakeført: feil beløp"),
            Tx("19", 10_000, NOV_24, kid="33010000868", archive="523456785"),
        ),
    ),
)


def basic() -> list[str]:
    return ocr_lines("1124001", RECIPIENT, [BASIC], NOV_24)


def reversal() -> list[str]:
    return ocr_lines("1125001", RECIPIENT, REVERSALS, NOV_24)


def wrong_totals() -> list[str]:
    lines = basic()
    end = lines[-2]  # the assignment end: its sum (positions 25–41) one krone too high
    return [*lines[:-2], end[:24] + f"{int(end[24:41]) + 100:017d}" + end[41:], lines[-1]]


def wrong_count() -> list[str]:
    lines = basic()
    end = lines[-1]  # the transmission end: five transactions (positions 9–16) for four
    return [*lines[:-1], end[:8] + "00000005" + end[16:]]


def short_record() -> list[str]:
    lines = basic()
    lines[5] = lines[5][:79]  # item 2 of the second transaction lost its last character
    return lines


def unknown_record() -> list[str]:
    lines = basic()
    return [*lines[:4], "NY091035" + "0" * 72, *lines[4:]]  # record type 35 does not exist


def truncated() -> list[str]:
    return basic()[:6]  # cut off after the second transaction: no end records


FILES: dict[str, Callable[[], list[str]]] = {
    "ocr_basic.txt": basic,
    "ocr_reversal.txt": reversal,
    "ocr_wrong_totals.txt": wrong_totals,
    "ocr_wrong_count.txt": wrong_count,
    "ocr_short_record.txt": short_record,
    "ocr_unknown_record.txt": unknown_record,
    "ocr_truncated.txt": truncated,
}


def content(name: str) -> bytes:
    return encode(FILES[name]())


if __name__ == "__main__":
    for name in FILES:
        (GOLDEN / name).write_bytes(content(name))
