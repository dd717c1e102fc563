"""Build Nets OCR giro records field by field, so golden files are derivable and readable.

Positions follow Nets' "OCR giro – System specification" (1-based, inclusive); see
`payments.files.ocr`. Every builder returns one 80-character record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from rules.kid import KidAlgorithm, make_kid

NETS = "00008080"  # the data sender of every OCR file from Nets


def _record(*fields: str) -> str:
    record = "".join(fields)
    assert len(record) == 80, (len(record), record)
    return record


def _ddmmyy(day: date | None) -> str:
    return "000000" if day is None else f"{day:%d%m%y}"


def transmission_start(number: str, recipient: str, sender: str = NETS) -> str:
    # 9–16 data sender, 17–23 transmission number, 24–31 data recipient, 32–80 zeros
    return _record("NY000010", sender, number, recipient, "0" * 49)


def assignment_start(agreement_id: str, number: str, account: str) -> str:
    # 9–17 agreement id, 18–24 assignment number, 25–35 assignment account, 36–80 zeros
    return _record("NY090020", agreement_id, number, account, "0" * 45)


def item_1(kind: str, number: int, settled: date, amount_ore: int, kid: str, sign: str) -> str:
    # 9–15 transaction number, 16–21 settlement date, 22–23 centre id, 24–25 day code,
    # 26 partial settlement number, 27–31 serial number, 32 sign, 33–49 amount in øre,
    # 50–74 KID right-aligned, 75–80 zeros (75–76 the card issuer for types 18–21)
    return _record(
        f"NY09{kind}30",
        f"{number:07d}",
        _ddmmyy(settled),
        "01",
        f"{settled.day:02d}",
        "1",
        "00001",
        sign,
        f"{amount_ore:017d}",
        f"{kid:>25}",
        "0" * 6,
    )


def item_2(
    kind: str, number: int, archive: str, bank_date: date | None, debit: str, form: str = ""
) -> str:
    # 9–15 transaction number, 16–25 form number, 26–34 archive reference, 35–41 zeros,
    # 42–47 the payer's bank date, 48–58 debit account, 59–80 zeros
    return _record(
        f"NY09{kind}31",
        f"{number:07d}",
        f"{form:0>10}",
        f"{archive:0>9}",
        "0" * 7,
        _ddmmyy(bank_date),
        f"{debit:0>11}",
        "0" * 22,
    )


def item_3(kind: str, number: int, text: str) -> str:
    # 9–15 transaction number, 16–55 free text, 56–80 zeros
    return _record(f"NY09{kind}32", f"{number:07d}", f"{text:<40}", "0" * 25)


def assignment_end(
    transactions: int, records: int, total: int, settled: date, first: date, last: date
) -> str:
    # 9–16 transactions, 17–24 records, 25–41 sum, 42–47 settlement date, 48–53 first and
    # 54–59 last settlement date, 60–80 zeros
    return _record(
        "NY090088",
        f"{transactions:08d}",
        f"{records:08d}",
        f"{total:017d}",
        _ddmmyy(settled),
        _ddmmyy(first),
        _ddmmyy(last),
        "0" * 21,
    )


def transmission_end(transactions: int, records: int, total: int, day: date) -> str:
    # 9–16 transactions, 17–24 records, 25–41 sum, 42–47 Nets date, 48–80 zeros
    return _record(
        "NY000089", f"{transactions:08d}", f"{records:08d}", f"{total:017d}", _ddmmyy(day), "0" * 33
    )


@dataclass(frozen=True)
class Tx:
    """One transaction of an assignment; its records come from the builders above."""

    kind: str
    amount_ore: int
    settled: date
    kid: str = ""
    archive: str = ""
    debit: str = ""
    text: str | None = None
    sign: str = "0"
    paid: date | None = None  # the payer's bank date; the settlement date when not given
    form: str = ""

    def records(self, number: int) -> list[str]:
        lines = [
            item_1(self.kind, number, self.settled, self.amount_ore, self.kid, self.sign),
            item_2(
                self.kind, number, self.archive, self.paid or self.settled, self.debit, self.form
            ),
        ]
        if self.text is not None:
            lines.append(item_3(self.kind, number, self.text))
        return lines

    @property
    def control_amount(self) -> int:
        """Reversals (18, 20) are added; a negative sign on any other type subtracts."""
        negative = self.sign == "-" and self.kind not in ("18", "20")
        return -self.amount_ore if negative else self.amount_ore


@dataclass(frozen=True)
class Assignment:
    agreement_id: str
    number: str
    account: str
    transactions: tuple[Tx, ...]

    def records(self) -> list[str]:
        body = [r for n, tx in enumerate(self.transactions, 1) for r in tx.records(n)]
        days = [tx.settled for tx in self.transactions] or [date(2026, 11, 24)]
        total = sum(tx.control_amount for tx in self.transactions)
        end = assignment_end(len(self.transactions), len(body) + 2, total, max(days), *_span(days))
        return [assignment_start(self.agreement_id, self.number, self.account), *body, end]


def _span(days: list[date]) -> tuple[date, date]:
    return min(days), max(days)


def ocr_lines(
    number: str, recipient: str, assignments: Iterable[Assignment], day: date
) -> list[str]:
    """Every record of a transmission, with end records that match."""
    assignments = list(assignments)
    body = [r for a in assignments for r in a.records()]
    transactions = sum(len(a.transactions) for a in assignments)
    total = sum(tx.control_amount for a in assignments for tx in a.transactions)
    end = transmission_end(transactions, len(body) + 2, total, day)
    return [transmission_start(number, recipient), *body, end]


def encode(lines: Iterable[str], newline: str = "\n") -> bytes:
    """The file's bytes, ISO-8859-1 as Nets sends them."""
    return "".join(line + newline for line in lines).encode("iso-8859-1")


def many_transactions(count: int, settled: date) -> Iterator[str]:
    """The records of a transmission of `count` payments with MOD10 KIDs, lazily."""
    yield transmission_start("2611241", "00012345")
    yield assignment_start("001234567", "0000001", "15038812345")
    kids = [make_kid(f"3301{n:07d}", KidAlgorithm.MOD10) for n in range(97)]
    total = 0
    for n in range(1, count + 1):
        amount = 10_000 + n % 97 * 100
        total += amount
        yield item_1("10", n, settled, amount, kids[n % 97], "0")
        yield item_2("10", n, f"{n % 1000:09d}", settled, "12345678903")
    yield assignment_end(count, 2 * count + 2, total, settled, settled, settled)
    yield transmission_end(count, 2 * count + 4, total, settled)
