"""ISO 20022 camt.054 (BankToCustomerDebitCreditNotification), .02 to .08: a streaming parser.

Expat (the parser under ElementTree) reads the file in chunks; the shared fields of each `Ntry`
and each `Ntry/NtryDtls/TxDtls` become a small ElementTree element that is read and dropped, so a
batch entry of 100 000 transactions needs the memory of one. A DTD rejects the file: camt.054
has none, and refusing it rules out entity expansion and external entities.

What becomes a payment: each transaction of a booked entry (`Sts` BOOK) that credits the account
(`CRDT`); and, as a reversal, each of a debit entry with `RvslInd` true (a credit taken back,
like OCR types 18 and 20). Other entries (fees, outgoing payments, pending) are skipped and
counted. An entry's amount must equal its transactions' sum, and `Ntfctn/TxsSummry`, when given,
its entries' counts and sums. As with OCR, a caller books nothing until iteration has ended.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from payments.files import camt054_fields as f
from payments.files.errors import FileRejected
from payments.files.model import FileSummary, IncomingPayment

ROOT = "BkToCstmrDbtCdtNtfctn"
_CHUNK = 64 * 1024


@dataclass(slots=True)
class _Entry:
    element: Element
    fallback_key: str
    shared: f.Entry | None = None
    transactions: int = 0
    net: int = 0
    amountless: Element | None = None
    batch_size: str | None = None


class Camt054Reader:
    """One pass over one camt.054 file given as a binary stream."""

    def __init__(self, stream: IO[bytes], chunk_size: int = _CHUNK) -> None:
        self._stream, self._chunk_size = stream, chunk_size
        self._digest, self._size = hashlib.sha256(), 0
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.buffer_text = True
        self._parser.StartDoctypeDeclHandler = self._refuse_dtd
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._data
        self._namespace: str | None = None
        self._path: list[str] = []
        self._sinks: list[TreeBuilder | None] = []
        self._ready: deque[IncomingPayment] = deque()
        self._msg_id = ""
        self._created: date | None = None
        self._sender: str | None = None
        self._totals = f.Totals()  # the current notification's
        self._notifications, self._entries, self._control_total = 0, 0, 0
        self._credit, self._reversed, self._reversals, self._skipped, self._count = 0, 0, 0, 0, 0
        self._account: str | None = None
        self._notification_id: str | None = None
        self._txs_summary: Element | None = None
        self._entry: _Entry | None = None
        self.summary: FileSummary | None = None

    def payments(self) -> Iterator[IncomingPayment]:
        """Yield every payment; raise `FileRejected` at the first fault, at the latest at EOF."""
        while chunk := self._stream.read(self._chunk_size):
            self._digest.update(chunk)
            self._size += len(chunk)
            self._parse(chunk, final=False)
            while self._ready:
                yield self._ready.popleft()
        self._parse(b"", final=True)
        while self._ready:
            yield self._ready.popleft()
        if not self._notifications:
            raise f.schema_error("The message holds no notification (Ntfctn)", self._line())
        self.summary = self._summary()

    def _parse(self, data: bytes, *, final: bool) -> None:
        try:
            self._parser.Parse(data, final)
        except expat.ExpatError as error:
            message = "The file is not well-formed XML"
            raise FileRejected("camt.malformed", message, line=error.lineno) from None

    def _line(self) -> int:
        return self._parser.CurrentLineNumber

    def _refuse_dtd(self, *_: object) -> None:
        raise FileRejected("camt.malformed", "The file declares a DTD", line=self._line())

    def _local(self, name: str) -> str:
        namespace, _, local = name.rpartition(" ")
        if self._namespace is None:
            if namespace not in f.NAMESPACES or local != "Document":
                raise f.schema_error("Not a camt.054.001.02–08 Document", self._line())
            self._namespace = namespace
        return local if namespace == self._namespace else f"{{{namespace}}}{local}"

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = self._local(name)
        self._path.append(local)
        parent = self._sinks[-1] if self._sinks else None
        sink = self._route(local, parent)
        self._sinks.append(sink)
        if sink is not None:
            element = sink.start(local, attributes)
            if sink is not parent and local == "Ntry":
                self._begin_entry(element)

    def _route(self, local: str, parent: TreeBuilder | None) -> TreeBuilder | None:
        """Where an element's events go: a new capture, its parent's, or nowhere."""
        path, depth = self._path, len(self._path)
        if depth == 2 and local != ROOT:
            raise f.schema_error(f"The message is not a {ROOT}", self._line())
        if depth == 3:
            return self._open_block(local)
        in_entry = depth >= 5 and path[2] == "Ntfctn" and path[3] == "Ntry"
        if depth == 4 and path[2] == "Ntfctn":
            return TreeBuilder()  # Ntry, or another child of the notification
        if in_entry and depth == 5 and local == "NtryDtls":
            self._begin_details()
            return None  # each TxDtls is captured on its own, not inside the entry
        if in_entry and depth == 6 and path[4] == "NtryDtls":
            return TreeBuilder()  # Btch or TxDtls
        return parent if depth > 3 else None

    def _open_block(self, local: str) -> TreeBuilder | None:
        if local == "GrpHdr":
            return TreeBuilder()
        if local == "Ntfctn":
            if not self._msg_id:
                raise f.schema_error("GrpHdr must come before Ntfctn", self._line())
            self._totals, self._txs_summary = f.Totals(), None
            self._account = self._notification_id = None
            return None
        if local == "SplmtryData":
            return None
        raise f.schema_error(f"{local} is not allowed in {ROOT}", self._line())

    def _data(self, text: str) -> None:
        if self._sinks and (sink := self._sinks[-1]) is not None:
            sink.data(text)

    def _end(self, name: str) -> None:
        local, depth = self._path[-1], len(self._path)
        sink = self._sinks.pop()
        parent = self._sinks[-1] if self._sinks else None
        if sink is not None:
            element = sink.end(local)
            if sink is not parent:
                self._captured(depth, local, element)
        elif depth == 3 and local == "Ntfctn":
            f.check_summary(self._txs_summary, self._totals, self._line())
            self._notifications += 1
        self._path.pop()

    def _captured(self, depth: int, local: str, element: Element) -> None:
        line = self._line()
        if depth == 3:  # GrpHdr
            self._msg_id = f.required(element, "MsgId", line)
            self._created = f.date_time(f.required(element, "CreDtTm", line), line)
        elif local == "Ntry":
            self._end_entry(line)
        elif local == "TxDtls":
            self._transaction(element, line)
        elif local == "Btch" and self._entry is not None:
            self._entry.batch_size = f.text(element, "NbOfTxs")
        elif local == "Id" and depth == 4:
            self._notification_id = f.text(element, ".")
        elif local == "Acct" and depth == 4:
            self._account = f.account_id(element, ".")
            self._sender = self._sender or f.servicer(element)
        elif local == "TxsSummry" and depth == 4:
            self._txs_summary = element

    def _begin_entry(self, element: Element) -> None:
        if not self._notification_id:
            raise f.schema_error("Ntfctn/Id is missing", self._line())
        fallback = f"{self._notification_id}/{self._totals.entries + 1}"
        self._entry = _Entry(element, fallback)

    def _begin_details(self) -> None:
        entry = self._current_entry()
        if entry.shared is None:
            key = f.text(entry.element, "NtryRef")
            key = f"{self._notification_id}/{key}" if key else entry.fallback_key
            entry.shared = f.entry(entry.element, key, self._line())

    def _current_entry(self) -> _Entry:
        assert self._entry is not None  # the routing guarantees it
        return self._entry

    def _transaction(self, tx: Element, line: int) -> None:
        entry = self._current_entry()
        entry.transactions += 1
        amount = f.transaction_amount(tx, line)
        if entry.amountless is not None or (amount is None and entry.transactions > 1):
            raise f.schema_error("A transaction of a batch entry has no amount", line)
        if amount is None:
            entry.amountless = tx  # the only one so far: the entry's amount, once that is sure
            return
        self._take(tx, entry, entry.transactions, amount, line)

    def _end_entry(self, line: int) -> None:
        entry = self._current_entry()
        self._begin_details()
        shared = entry.shared
        assert shared is not None
        if entry.transactions == 0 or entry.amountless is not None:
            tx = entry.amountless if entry.amountless is not None else Element("TxDtls")
            self._take(tx, entry, 1, shared.amount_ore, line)
        elif entry.net != shared.amount_ore:
            message = "An entry's amount is not the sum of its transactions"
            raise FileRejected("camt.totals_mismatch", message, line=line)
        if entry.batch_size is not None and entry.batch_size != str(entry.transactions):
            message = "An entry's Btch/NbOfTxs is not its number of transactions"
            raise FileRejected("camt.totals_mismatch", message, line=line)
        self._totals.add(shared.amount_ore, credit=shared.credit)
        self._entries += 1
        self._control_total += shared.amount_ore
        self._entry = None

    def _take(self, tx: Element, entry: _Entry, index: int, amount: int, line: int) -> None:
        shared = entry.shared
        assert shared is not None
        credit = f.credit(tx, shared, line)
        entry.net += amount if credit == shared.credit else -amount
        # A credit is a payment; a reversed (RvslInd) debit takes a credit back.
        if not shared.booked or credit == shared.reversal:
            self._skipped += 1
            return
        if shared.booking_date is None:
            raise f.schema_error("A booked entry has no BookgDt", line)
        file_key, account = f"camt054:{self._msg_id}", self._account
        self._ready.append(f.payment(tx, shared, file_key, index, amount, not credit, account))
        if credit:
            self._credit += amount
        else:
            self._reversed += amount
            self._reversals += 1
        self._count += 1

    def _summary(self) -> FileSummary:
        return FileSummary(
            format="camt054",
            file_key=f"camt054:{self._msg_id}",
            sender=self._sender,
            recipient=None,
            transmission_number=self._msg_id,
            created_date=self._created,
            payment_count=self._count,
            reversal_count=self._reversals,
            skipped_count=self._skipped,
            credit_ore=self._credit,
            reversal_ore=self._reversed,
            control_total_ore=self._control_total,
            record_count=self._entries,
            sha256=self._digest.hexdigest(),
            size_bytes=self._size,
        )


def iter_payments(stream: IO[bytes]) -> Iterator[IncomingPayment]:
    """Yield the payments of a camt.054 file; it counts only if this ends without raising."""
    return Camt054Reader(stream).payments()


def validate_camt054(stream: IO[bytes]) -> FileSummary:
    """Read and check a whole camt.054 file without keeping its payments."""
    reader = Camt054Reader(stream)
    for _ in reader.payments():
        pass
    assert reader.summary is not None
    return reader.summary
