"""Reading the elements of an ISO 20022 camt.054 notification, versions .02 to .08.

Paths are local names: the reader strips the message's own namespace. Where versions differ the
readers accept each form (`Sts` vs `Sts/Cd` from .06; `Dbtr/Nm` vs `Dbtr/Pty/Nm` in .08;
`TxDtls/Amt` from .03 vs `AmtDtls/TxAmt/Amt`; `TtlNetNtryAmt` in .02 vs `TtlNetNtry/Amt`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from payments.files.errors import FileRejected
from payments.files.model import IncomingPayment
from rules.calendar import OSLO
from rules.kid import is_valid_kid

NAMESPACES = frozenset(f"urn:iso:std:iso:20022:tech:xsd:camt.054.001.0{v}" for v in range(2, 9))
CURRENCY = "NOK"
# ActiveOrHistoricCurrencyAndAmount: at most 18 digits, 5 of them after the point, no sign.
_AMOUNT = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,5})?")


@dataclass(frozen=True, slots=True)
class Entry:
    """The fields of one `Ntry` that its transactions share."""

    key: str
    amount_ore: int
    credit: bool
    reversal: bool
    booked: bool
    booking_date: date | None
    value_date: date | None
    reference: str | None
    transaction_type: str | None


def schema_error(message: str, line: int) -> FileRejected:
    return FileRejected("camt.schema", message, line=line)


def text(element: Element, path: str) -> str | None:
    """The stripped text at `path`, None when absent or empty."""
    found = child(element, path)
    if found is None:
        return None
    return (found.text or "").strip() or None


def child(element: Element, path: str) -> Element | None:
    """`element.find(path)` one tag at a time: each step stays in C, not in ElementPath."""
    found: Element | None = element
    for tag in path.split("/"):
        if found is None:
            return None
        found = found.find(tag) if tag != "." else found
    return found


def children(element: Element, path: str) -> list[Element]:
    """Every element at `path` (`findall`, tag by tag)."""
    level = [element]
    for tag in path.split("/"):
        level = [found for parent in level for found in parent.findall(tag)]
    return level


def required(element: Element, path: str, line: int) -> str:
    value = text(element, path)
    if value is None:
        raise schema_error(f"{element.tag}/{path} is missing", line)
    return value


def amount_ore(element: Element | None, line: int) -> int | None:
    """An `Amt Ccy="NOK"` in whole øre; another currency rejects the file."""
    if element is None:
        return None
    if element.get("Ccy") != CURRENCY:
        raise FileRejected("camt.currency", "An amount is not in NOK", line=line)
    return decimal_ore(element.text or "", "An amount", line)


def decimal_ore(value: str, name: str, line: int) -> int:
    value = value.strip()
    if not _AMOUNT.fullmatch(value):
        raise schema_error(f"{name} is not a decimal amount", line)
    ore = Decimal(value) * 100
    if ore != ore.to_integral_value():
        raise schema_error(f"{name} has a fraction of an øre", line)
    return int(ore)


def matches_ore(value: str | None, ore: int) -> bool:
    """True if an optional summary decimal (no currency) is absent or equals `ore`."""
    if value is None:
        return True
    try:
        return Decimal(value) * 100 == ore
    except InvalidOperation:
        return False


def day(element: Element, path: str, line: int) -> date | None:
    """A DateAndDateTimeChoice: `Dt` as written, a `DtTm` as its Europe/Oslo calendar date."""
    if (value := text(element, f"{path}/Dt")) is not None:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise schema_error(f"{path} is not an ISO date", line) from None
    if (value := text(element, f"{path}/DtTm")) is not None:
        return date_time(value, line)
    return None


def bank_transaction_code(element: Element) -> str | None:
    """`BkTxCd` as DOMAIN/FAMILY/SUBFAMILY, or its proprietary code."""
    domain = [text(element, f"BkTxCd/Domn/{p}") for p in ("Cd", "Fmly/Cd", "Fmly/SubFmlyCd")]
    if all(domain):
        return "/".join(code for code in domain if code)
    return text(element, "BkTxCd/Prtry/Cd")


def entry(ntry: Element, fallback_key: str, line: int) -> Entry:
    """The shared fields of an entry; `fallback_key` when it has no `AcctSvcrRef`."""
    indicator = required(ntry, "CdtDbtInd", line)
    if indicator not in ("CRDT", "DBIT"):
        raise schema_error("CdtDbtInd is neither CRDT nor DBIT", line)
    status = text(ntry, "Sts/Cd") or required(ntry, "Sts", line)
    amount = amount_ore(ntry.find("Amt"), line)
    if amount is None:
        raise schema_error("Ntry/Amt is missing", line)
    reference = text(ntry, "AcctSvcrRef")
    return Entry(
        key=reference or fallback_key,
        amount_ore=amount,
        credit=indicator == "CRDT",
        reversal=text(ntry, "RvslInd") in ("true", "1"),
        booked=status == "BOOK",
        booking_date=day(ntry, "BookgDt", line),
        value_date=day(ntry, "ValDt", line),
        reference=reference,
        transaction_type=bank_transaction_code(ntry),
    )


def transaction_amount(tx: Element, line: int) -> int | None:
    """The transaction's own amount: `Amt` (.03 on), else `AmtDtls/TxAmt/Amt`."""
    found = tx.find("Amt")
    return amount_ore(found if found is not None else child(tx, "AmtDtls/TxAmt/Amt"), line)


def credit(tx: Element, shared: Entry, line: int) -> bool:
    indicator = text(tx, "CdtDbtInd")
    if indicator not in (None, "CRDT", "DBIT"):
        raise schema_error("CdtDbtInd is neither CRDT nor DBIT", line)
    return shared.credit if indicator is None else indicator == "CRDT"


def kid(tx: Element) -> str | None:
    """The creditor's structured reference: in Norway the KID (`RmtInf/Strd/CdtrRefInf/Ref`)."""
    for ref in children(tx, "RmtInf/Strd/CdtrRefInf/Ref"):
        if value := "".join((ref.text or "").split()):
            return value
    return None


def free_text(tx: Element) -> str | None:
    lines = [line.text.strip() for line in children(tx, "RmtInf/Ustrd") if line.text]
    return " ".join(line for line in lines if line) or None


def payer_name(tx: Element) -> str | None:
    return text(tx, "RltdPties/Dbtr/Nm") or text(tx, "RltdPties/Dbtr/Pty/Nm")


def servicer(account: Element) -> str | None:
    """The BIC of the bank that keeps the account: the sender of the notification."""
    return text(account, "Svcr/FinInstnId/BICFI") or text(account, "Svcr/FinInstnId/BIC")


def payment(
    tx: Element,
    shared: Entry,
    file_key: str,
    index: int,
    amount: int,
    reversal: bool,
    account: str | None,
) -> IncomingPayment:
    """The `index`th (from 1) transaction of an entry; keyed by the entry's key and index."""
    kid_ = kid(tx)
    assert shared.booking_date is not None
    # Per field: `BookgDt` is the day the collection account was credited (the settlement
    # date); `ValDt` the day the money counts from. The payment is made on the booking date
    # unless the value date is earlier (DOMAIN.md, "Payment date").
    paid_on = min(shared.booking_date, shared.value_date or shared.booking_date)
    return IncomingPayment(
        source="camt054",
        file_key=file_key,
        payment_key=f"{shared.key}/{index}",
        amount_ore=amount,
        reversal=reversal,
        kid=kid_,
        kid_valid=kid_ is not None and is_valid_kid(kid_),
        booking_date=shared.booking_date,
        value_date=shared.value_date or shared.booking_date,
        archive_reference=text(tx, "Refs/AcctSvcrRef") or shared.reference,
        payer_account=account_id(tx, "RltdPties/DbtrAcct"),
        payer_name=payer_name(tx),
        free_text=free_text(tx),
        creditor_account=account,
        transaction_type=bank_transaction_code(tx) or shared.transaction_type or "",
        paid_on=paid_on,
        end_to_end_id=end_to_end_id(tx),
    )


def end_to_end_id(tx: Element) -> str | None:
    """The payer's own reference, carried unchanged end to end; `NOTPROVIDED` means none."""
    value = text(tx, "Refs/EndToEndId")
    return None if value is None or value.upper() == "NOTPROVIDED" else value


def account_id(element: Element, path: str) -> str | None:
    """An account: IBAN, `Othr/Id` (a Norwegian BBAN) or the .01-era `BBAN`."""
    for form in ("IBAN", "Othr/Id", "BBAN"):
        if value := text(element, f"{path}/Id/{form}"):
            return value
    return None


@dataclass(slots=True)
class Totals:
    """What a notification's entries add up to, to hold against its `TxsSummry`."""

    entries: int = 0
    total: int = 0
    credits: int = 0
    credit_sum: int = 0
    debits: int = 0
    debit_sum: int = 0

    def add(self, amount: int, *, credit: bool) -> None:
        self.entries += 1
        self.total += amount
        if credit:
            self.credits, self.credit_sum = self.credits + 1, self.credit_sum + amount
        else:
            self.debits, self.debit_sum = self.debits + 1, self.debit_sum + amount


def check_summary(summary: Element | None, totals: Totals, line: int) -> None:
    """Every count and sum `TxsSummry` gives must match the entries; absent ones are not checked."""
    if summary is None:
        return
    for path, count, total in (
        ("TtlNtries", totals.entries, totals.total),
        ("TtlCdtNtries", totals.credits, totals.credit_sum),
        ("TtlDbtNtries", totals.debits, totals.debit_sum),
    ):
        number = text(summary, f"{path}/NbOfNtries")
        if number is not None and not (number.isdigit() and int(number) == count):
            raise _mismatch(f"{path}/NbOfNtries", line)
        if not matches_ore(text(summary, f"{path}/Sum"), total):
            raise _mismatch(f"{path}/Sum", line)
    net = totals.credit_sum - totals.debit_sum
    for amount, indicator in _NET_FORMS:
        if (sign_code := text(summary, f"TtlNtries/{indicator}")) not in (None, "CRDT", "DBIT"):
            raise schema_error("The summary's CdtDbtInd is neither CRDT nor DBIT", line)
        sign = -1 if sign_code == "DBIT" else 1
        if not matches_ore(text(summary, f"TtlNtries/{amount}"), sign * net):
            raise _mismatch("TtlNtries net amount", line)


# The net amount and its sign: .03 on, then .02.
_NET_FORMS = (("TtlNetNtry/Amt", "TtlNetNtry/CdtDbtInd"), ("TtlNetNtryAmt", "CdtDbtInd"))


def _mismatch(name: str, line: int) -> FileRejected:
    message = f"The notification's summary {name} does not match its entries"
    return FileRejected("camt.totals_mismatch", message, line=line)


def date_time(value: str, line: int) -> date:
    """The Europe/Oslo calendar date of an ISODateTime (legal dates are Oslo dates, DOMAIN.md).

    With a UTC offset (`Z`, `+01:00`) the instant is converted: 2026-03-01T23:30:00Z is 2 March
    in Oslo. Without one, ISO 20022 means the sender's local time: a Norwegian bank's is Oslo's.
    """
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise schema_error("A date-time is not ISO 8601", line) from None
    return moment.date() if moment.tzinfo is None else moment.astimezone(OSLO).date()
