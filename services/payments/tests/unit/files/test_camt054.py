"""camt.054 notifications: golden files parse to exact payments; faults reject the whole file."""

from __future__ import annotations

import io
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from payments.files import Camt054Reader, FileRejected, IncomingPayment, validate_camt054
from payments.files.camt054 import iter_payments

GOLDEN = Path(__file__).with_name("golden")
NOV_23, NOV_24, NOV_25 = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
BASIC = (GOLDEN / "camt054_basic.xml").read_bytes()


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
        "creditor_account": "NO9386011117947",
        "transaction_type": "PMNT/RCDT/DMCT",
    }
    given = defaults | fields
    given.setdefault("paid_on", min(given["booking_date"], given["value_date"]))  # type: ignore[type-var]
    return IncomingPayment("camt054", file_key, payment_key, amount_ore, **given)  # type: ignore[arg-type]


def parse(content: bytes) -> list[IncomingPayment]:
    return list(iter_payments(io.BytesIO(content)))


def rejection(content: bytes) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        validate_camt054(io.BytesIO(content))
    return caught.value


def test_basic_notification_parses_to_the_exact_payments() -> None:
    key = "camt054:DNB-CAMT054-20261124-000123"

    payments = parse(BASIC)

    assert payments == [
        payment(key, "2026112400001/1", 125_000, kid="33010000124", kid_valid=True,
                archive_reference="9901234567", payer_account="12345678903",
                payer_name="Kari Nordmann"),
        payment(key, "2026112400001/2", 25_000, kid="330100003-", kid_valid=True,
                archive_reference="9901234568", payer_account="NO8330001234567",
                payer_name="Åse Ødegård Bræk"),
        payment(key, "2026112400002/1", 21_050, value_date=NOV_23,
                archive_reference="2026112400002", payer_account="98765432106",
                payer_name="Per Hansen", free_text="Faktura 4711 husleie",
                transaction_type="PMNT/RCDT/ESCT", end_to_end_id="E2E-4711"),
    ]  # fmt: skip


def test_basic_notification_summary_has_identity_counts_and_totals() -> None:
    summary = validate_camt054(io.BytesIO(BASIC))

    assert (summary.file_key, summary.transmission_number, summary.sender) == (
        "camt054:DNB-CAMT054-20261124-000123",
        "DNB-CAMT054-20261124-000123",
        "DNBANOKKXXX",
    )
    assert (summary.payment_count, summary.record_count, summary.created_date) == (3, 2, NOV_24)
    assert (summary.credit_ore, summary.control_total_ore, summary.net_ore) == (171_050,) * 3


def test_a_reversed_credit_is_a_reversal_and_fees_and_pending_entries_are_skipped() -> None:
    key = "camt054:NDA-054-20261125-7"
    content = (GOLDEN / "camt054_reversal.xml").read_bytes()

    payments = parse(content)
    summary = validate_camt054(io.BytesIO(content))

    common = {"booking_date": NOV_25, "value_date": NOV_25, "kid_valid": True}
    common |= {"creditor_account": "15038812345", "transaction_type": "KID"}
    assert payments == [
        payment(key, "NDA-7-1/1", 50_000, kid="33010000454", archive_reference="NDA-7-1",
                payer_name="Kari Nordmann", **common),
        payment(key, "NDA-7-2/1", 30_000, reversal=True, kid="33010000124",
                archive_reference="ARK-000042", **common),
    ]  # fmt: skip
    assert (summary.payment_count, summary.reversal_count, summary.skipped_count) == (2, 1, 2)
    assert (summary.control_total_ore, summary.net_ore, summary.sender) == (
        91_500,
        20_000,
        "NDEANOKK",
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("camt054_wrong_totals.xml", "camt.totals_mismatch"),
        ("camt054_not_nok.xml", "camt.currency"),
    ],
)
def test_bad_golden_notification_is_rejected_whole_with_its_reason(name: str, code: str) -> None:
    assert rejection((GOLDEN / name).read_bytes()).code == code


def test_wrong_totals_name_which_total_is_wrong() -> None:
    error = rejection((GOLDEN / "camt054_wrong_totals.xml").read_bytes())

    assert "TtlNtries/Sum" in error.message


def edited(old: str, new: str, count: int = 1) -> bytes:
    text = BASIC.decode()
    assert text.count(old) >= count, old
    return text.replace(old, new, count).encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">&b;</Document>"""


NAMESPACE = ' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"'
BOOKING = "\n        <BookgDt><Dt>2026-11-24</Dt></BookgDt>"
EDITS = {
    # name: (text to find, its replacement, the code of the rejection)
    "a camt.053 namespace": (NAMESPACE, NAMESPACE.replace("054", "053"), "camt.schema"),
    "no namespace": (NAMESPACE, "", "camt.schema"),
    "no MsgId": ("<MsgId>DNB-CAMT054-20261124-000123</MsgId>", "", "camt.schema"),
    "no Ntfctn/Id": ("<Id>NTF-20261124-0001</Id>", "", "camt.schema"),
    "a fraction of an øre": (">250.00<", ">250.005<", "camt.schema"),
    "a negative amount": (">250.00<", ">-250<", "camt.schema"),
    "no amount in a batch": ('<Amt Ccy="NOK">250.00</Amt>', "", "camt.schema"),
    "a booked entry without BookgDt": (BOOKING, "", "camt.schema"),
    "CdtDbtInd CRDIT": ("<CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>", "<Sts>", "camt.schema"),
    "a summary CdtDbtInd CR": ("CRDT</CdtDbtInd></TtlNetNtry>", "CR</CdtDbtInd></TtlNetNtry>",
                               "camt.schema"),
    "an Rpt in a notification": ("</Ntfctn>", "</Ntfctn><Rpt/>", "camt.schema"),
    "an entry not its sum": (">250.00<", ">240.00<", "camt.totals_mismatch"),
    "a wrong Btch/NbOfTxs": ("<NbOfTxs>2<", "<NbOfTxs>3<", "camt.totals_mismatch"),
    "a wrong NbOfNtries": ("<NbOfNtries>2<", "<NbOfNtries>3<", "camt.totals_mismatch"),
    "a net sum as debit": ("<Amt>1710.50</Amt><CdtDbtInd>CRDT", "<Amt>1710.50</Amt><CdtDbtInd>DBIT",
                           "camt.totals_mismatch"),
}  # fmt: skip


@pytest.mark.parametrize("name", EDITS)
def test_a_faulty_notification_is_rejected_with_its_reason_and_line(name: str) -> None:
    old, new, code = EDITS[name]

    error = rejection(edited(old, new))

    assert error.code == code
    assert error.line >= 1 and f"(line {error.line})" in error.message


def test_a_notification_without_ntfctn_names_its_last_line() -> None:
    content = (
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">'
        b"\n<BkToCstmrDbtCdtNtfctn>"
        b"\n<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-24T08:00:00</CreDtTm></GrpHdr>"
        b"\n</BkToCstmrDbtCdtNtfctn>\n</Document>"
    )

    error = rejection(content)

    assert (error.code, error.line) == ("camt.schema", 5)


def test_a_booking_date_time_late_in_the_utc_evening_books_on_the_next_oslo_date() -> None:
    content = edited(
        "<BookgDt><Dt>2026-11-24</Dt></BookgDt>\n        <ValDt><Dt>2026-11-24</Dt></ValDt>",
        "<BookgDt><DtTm>2026-03-01T23:30:00Z</DtTm></BookgDt>\n"
        "        <ValDt><DtTm>2026-03-01T23:30:00+00:00</DtTm></ValDt>",
    )

    first = parse(content)[0]

    assert (first.booking_date, first.value_date, first.payment_date) == (
        date(2026, 3, 2),
        date(2026, 3, 2),
        date(2026, 3, 2),
    )


def test_a_date_time_without_offset_is_read_as_oslo_time() -> None:
    content = edited(
        "<BookgDt><Dt>2026-11-24</Dt></BookgDt>",
        "<BookgDt><DtTm>2026-11-24T23:30:00</DtTm></BookgDt>",
    )

    assert parse(content)[0].booking_date == NOV_24


def test_the_payment_date_is_the_value_date_when_it_is_earlier_than_the_booking_date() -> None:
    last = parse(BASIC)[-1]

    assert (last.booking_date, last.value_date, last.payment_date) == (NOV_24, NOV_23, NOV_23)


@pytest.mark.parametrize(
    "content",
    [
        BILLION_LAUGHS,
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">',
        b"not xml at all",
        b"",
    ],
)
def test_what_is_not_well_formed_xml_or_declares_a_dtd_is_malformed(content: bytes) -> None:
    assert rejection(content).code == "camt.malformed"


def test_a_lone_transaction_without_an_amount_takes_the_entrys() -> None:
    content = edited('<Amt Ccy="NOK">210.50</Amt>\n            <CdtDbtInd>', "<CdtDbtInd>")

    payments = parse(content)

    assert payments[-1].amount_ore == 21_050


def test_an_entry_without_details_is_one_payment() -> None:
    start, end = (
        BASIC.index(b"<NtryDtls>", BASIC.index(b"<NtryRef>2<")),
        BASIC.rindex(b"</NtryDtls>"),
    )
    content = BASIC[:start] + BASIC[end + len(b"</NtryDtls>") :]

    payments = parse(content)

    assert (payments[-1].payment_key, payments[-1].amount_ore, payments[-1].kid) == (
        "2026112400002/1",
        21_050,
        None,
    )


def test_identical_content_gives_identical_file_key_and_hash() -> None:
    first = validate_camt054(io.BytesIO(BASIC))
    second = validate_camt054(io.BytesIO(bytes(BASIC)))
    other = validate_camt054(io.BytesIO(BASIC.replace(b"Per Hansen", b"Per Hanssen")))

    assert (first.file_key, first.sha256) == (second.file_key, second.sha256)
    assert (other.file_key, other.sha256 != first.sha256) == (first.file_key, True)


def batch(count: int) -> bytes:
    """A notification of one batch entry of `count` KID payments of 100.00 NOK."""
    tx = (
        '<TxDtls><Refs><AcctSvcrRef>{n}</AcctSvcrRef></Refs><Amt Ccy="NOK">100.00</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>Kari Nordmann</Nm></Pty></Dbtr>"
        "</RltdPties><RmtInf><Strd><CdtrRefInf><Ref>33010000124</Ref></CdtrRefInf></Strd>"
        "</RmtInf></TxDtls>\n"
    )
    head, tail = BASIC.split(b"<NtryDtls>", 1)[0], BASIC.split(b"</Ntry>", 1)[1]
    head = head.replace(
        b'<Amt Ccy="NOK">1500.00</Amt>', f'<Amt Ccy="NOK">{count * 100}.00</Amt>'.encode()
    )
    tail = tail.split(b"<Ntry>", 1)[0] + b"</Ntfctn>" + tail.split(b"</Ntfctn>", 1)[1]
    head = head.split(b"<TxsSummry>")[0] + head.split(b"</TxsSummry>")[1]
    body = "".join(tx.format(n=n) for n in range(count)).encode()
    return head + b"<NtryDtls>" + body + b"</NtryDtls></Ntry>" + tail


def test_a_batch_entry_of_10_000_transactions_streams_in_constant_memory() -> None:
    content = batch(10_000)

    started = time.perf_counter()
    summary = validate_camt054(io.BytesIO(content))
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    validate_camt054(io.BytesIO(content))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"parse-only: 10 000 camt.054 payments in {elapsed:.2f} s, peak {peak / 1024:.0f} KiB")
    assert summary.payment_count == 10_000
    assert peak < 1024 * 1024  # the content is ~3 MB, its payments as objects several times that


def test_payments_come_out_before_the_file_is_read_to_its_end() -> None:
    stream = io.BytesIO(batch(2_000))
    reader = Camt054Reader(stream, chunk_size=4096)

    next(reader.payments())

    assert stream.tell() < len(stream.getvalue()) // 10
