"""Fake Digipost REST API (v8): signed multipart ``POST /messages``, as the real one checks it.

Headers ``Date`` (within five minutes), ``X-Digipost-UserId``, ``X-Content-SHA256`` (of the
body) and ``X-Digipost-Signature`` are required; the signature is verified against the
sender's public key when it was registered (``PUT /_admin/senders/{id}``). A repeated
``message-id`` is refused with 409 ``DUPLICATE_MESSAGE``; ``fakes.people`` decides who has
a Digipost mailbox.

With a directory (``create_app(directory)``, or ``FAKE_DIGIPOST_DIR`` for ``python -m fakes``;
``make run`` uses ``.kravflyt/digipost/``) every letter is kept there, its details as JSON and
its PDF beside them, so the mailbox and the duplicate check survive a restart. Without one the
letters live in memory and only the last ``KEEP_PDFS`` keep their PDF.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections import deque
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel

from fakes._base import Faults, admin_router, install_faults
from fakes.digipost.wire import NAMESPACE, parse_message, signature_ok
from fakes.people import digipost_user

MEDIA_TYPE = "application/vnd.digipost-v8+xml"
KEEP_PDFS = 200


class SenderIn(BaseModel):
    public_key_pem: str


def _xml(status: int, body: str) -> Response:
    text = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{body}'
    return Response(text, status_code=status, media_type=MEDIA_TYPE)


def _error(status: int, code: str, message: str) -> Response:
    kind = "CLIENT_DATA" if status < 500 else "SERVER"
    return _xml(
        status,
        f'<error xmlns="{NAMESPACE}"><error-code>{code}</error-code>'
        f"<error-message>{message}</error-message><error-type>{kind}</error-type></error>",
    )


class Mailbox:
    """The letters received: details and PDFs in memory, or each kept as files in ``directory``."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.messages: dict[str, dict[str, Any]] = {}
        self._pdfs: dict[str, bytes] = {}
        self._recent: deque[str] = deque()
        if directory is not None:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # letters name people
            kept = [json.loads(p.read_text("utf-8")) for p in directory.glob("*.json")]
            for message in sorted(kept, key=lambda m: m["received_at"]):
                self.messages[message["message_id"]] = message

    def add(self, message: dict[str, Any], pdf: bytes) -> None:
        message_id = message["message_id"]
        if self.directory is None:
            self._pdfs[message_id] = pdf
            self._recent.append(message_id)
            if len(self._recent) > KEEP_PDFS:  # keep memory flat under a benchmark
                self._pdfs.pop(self._recent.popleft(), None)
        else:  # the PDF first: a letter listed is one that can be read
            _write(self._file(message_id, ".pdf"), pdf)
            _write(self._file(message_id, ".json"), json.dumps(message).encode())
        self.messages[message_id] = message

    def pdf(self, message_id: str) -> bytes:
        if self.directory is None:
            return self._pdfs.get(message_id, b"")
        return self._file(message_id, ".pdf").read_bytes()

    def clear(self) -> None:
        for message_id in self.messages:
            if self.directory is not None:
                for suffix in (".json", ".pdf"):
                    self._file(message_id, suffix).unlink(missing_ok=True)
        self.messages.clear()
        self._pdfs.clear()
        self._recent.clear()

    def _file(self, message_id: str, suffix: str) -> Path:
        assert self.directory is not None
        # Named by a hash: a message id is the sender's text, never a path.
        return self.directory / (hashlib.sha256(message_id.encode()).hexdigest() + suffix)


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def create_app(directory: Path | None = None) -> FastAPI:
    """A fake with no senders, and the letters kept in ``directory`` (if any) from before.

    ``directory`` defaults to ``FAKE_DIGIPOST_DIR`` when that is set.
    """
    if directory is None and os.environ.get("FAKE_DIGIPOST_DIR"):
        directory = Path(os.environ["FAKE_DIGIPOST_DIR"])
    app = FastAPI(title="Fake Digipost")
    senders: dict[str, str] = {}
    mailbox = Mailbox(directory)
    messages = mailbox.messages
    faults = Faults()
    install_faults(app, faults, _error)

    def reset() -> None:
        senders.clear()
        mailbox.clear()

    admin = admin_router(faults, reset)

    @admin.put("/senders/{sender_id}", status_code=204)
    async def put_sender(sender_id: str, sender: SenderIn) -> None:
        senders[sender_id] = sender.public_key_pem

    @admin.get("/messages")
    async def list_messages() -> dict[str, Any]:
        public = list(messages.values())
        return {"count": len(public), "messages": public}

    @admin.get("/messages/{message_id}/pdf")
    async def message_pdf(message_id: str) -> Response:
        if message_id not in messages:
            return _error(404, "NOT_FOUND", "No such message")
        return Response(mailbox.pdf(message_id), media_type="application/pdf")

    app.include_router(admin)

    @app.get("/")
    async def entrypoint() -> Response:
        return _xml(
            200, f'<entrypoint xmlns="{NAMESPACE}"><certificate>fake</certificate></entrypoint>'
        )

    @app.post("/messages")
    async def send(request: Request) -> Response:
        body = await request.body()
        problem = _check_headers(request, body, senders)
        if problem is not None:
            return _error(*problem)
        try:
            message = parse_message(request.headers.get("content-type", ""), body)
        except ValueError as error:
            return _error(400, "INVALID_MESSAGE", str(error))
        if message["message_id"] in messages:
            return _error(
                409, "DUPLICATE_MESSAGE", "A message with this message-id was already sent"
            )
        if not digipost_user(message["recipient"]):
            return _error(400, "UNKNOWN_RECIPIENT", "The recipient is not a Digipost user")
        sender = request.headers["x-digipost-userid"]
        now = datetime.now(UTC)
        pdf = message.pop("pdf")
        details = {
            **message,
            "sender_id": sender,
            "signature_verified": sender in senders,
            "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
            "received_at": now.isoformat(),
        }
        mailbox.add(details, pdf)
        return _xml(
            200,
            f'<message-delivery xmlns="{NAMESPACE}">'
            f"<message-id>{message['message_id']}</message-id>"
            f"<delivery-method>DIGIPOST</delivery-method><status>DELIVERED</status>"
            f"<delivery-time>{now.isoformat()}</delivery-time>"
            f"<primary-document><uuid>{message['document_uuid']}</uuid></primary-document>"
            "</message-delivery>",
        )

    return app


def _check_headers(
    request: Request, body: bytes, senders: dict[str, str]
) -> tuple[int, str, str] | None:
    headers = request.headers
    for name in ("date", "x-digipost-userid", "x-content-sha256", "x-digipost-signature"):
        if not headers.get(name):
            return 400, "MISSING_HEADER", f"The {name} header is required"
    try:
        sent = parsedate_to_datetime(headers["date"])
    except (TypeError, ValueError):
        return 400, "INVALID_DATE", "Date must be RFC 1123"
    if abs((datetime.now(UTC) - sent).total_seconds()) > 300:
        return (
            403,
            "INVALID_DATE",
            "Date is more than five minutes from "
            + format_datetime(datetime.now(UTC), usegmt=True),
        )
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    if headers["x-content-sha256"] != digest:
        return 400, "INVALID_CONTENT_HASH", "X-Content-SHA256 does not match the body"
    key = senders.get(headers["x-digipost-userid"])
    if key is not None and not signature_ok(
        key, request.method, request.url.path, headers, request.url.query
    ):
        return 403, "INVALID_SIGNATURE", "X-Digipost-Signature does not verify"
    return None
