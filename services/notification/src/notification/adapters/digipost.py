"""Digipost's REST API (v8): one signed multipart ``POST /messages`` per letter.

Every request carries ``Date``, ``X-Digipost-UserId`` (our sender id), ``X-Content-SHA256``
and ``X-Digipost-Signature``: SHA256withRSA over the canonical string of method, path, those
headers and the query. The message id is the notice id, so a resend after a crash is refused
by Digipost as ``DUPLICATE_MESSAGE`` and we know the letter was already delivered.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from email.utils import formatdate
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from notification.adapters.errors import PermanentError, ProviderReceipt, error_for, send

MEDIA_TYPE = "application/vnd.digipost-v8+xml"
NAMESPACE = "http://api.digipost.no/schema/v8"


def canonical_string(
    method: str, path: str, date: str, content_sha256: str | None, user_id: str, query: str = ""
) -> str:
    """The string Digipost signs: six newline-terminated lines (no hash line without a body)."""
    lines = [method.upper(), path.lower(), f"date: {date}"]
    if content_sha256 is not None:
        lines.append(f"x-content-sha256: {content_sha256}")
    lines += [f"x-digipost-userid: {user_id}", query.lower()]
    return "".join(line + "\n" for line in lines)


def sign(private_key: rsa.RSAPrivateKey, canonical: str) -> str:
    """Base64 SHA256withRSA (PKCS#1 v1.5) signature of the canonical string."""
    signature = private_key.sign(canonical.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


class DigipostClient:
    """Sends letters to a person's Digipost mailbox by fødselsnummer."""

    def __init__(
        self, http: httpx.AsyncClient, base_url: str, sender_id: str, private_key_pem: bytes
    ) -> None:
        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the Digipost key must be an RSA private key")
        self._http = http
        self._url = base_url.rstrip("/") + "/messages"
        self._sender_id = sender_id
        self._key = key

    async def send_letter(
        self, *, message_id: str, document_id: str, recipient: str, subject: str, pdf: bytes
    ) -> ProviderReceipt:
        """Deliver one PDF; a duplicate message id counts as already delivered."""
        boundary = uuid.uuid4().hex
        body = _multipart(
            boundary,
            self._message_xml(message_id, document_id, recipient, subject),
            document_id,
            pdf,
        )
        response = await send(
            self._http,
            "digipost",
            "POST",
            self._url,
            content=body,
            headers=self._headers(body, boundary),
        )
        if response.status_code in (200, 201):
            return ProviderReceipt(
                message_id, status=_text(response.content, "status") or "DELIVERED"
            )
        code, message = _error(response.content)
        if response.status_code == 409 and code == "DUPLICATE_MESSAGE":
            return ProviderReceipt(message_id, duplicate=True, status="DELIVERED")
        raise error_for("digipost", response.status_code, code, message)

    def _headers(self, body: bytes, boundary: str) -> dict[str, str]:
        date = formatdate(usegmt=True)
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        path = urlsplit(self._url).path
        canonical = canonical_string("POST", path, date, digest, self._sender_id)
        return {
            "Accept": MEDIA_TYPE,
            "Content-Type": f"multipart/vnd.digipost-v8+xml; boundary={boundary}",
            "Date": date,
            "X-Digipost-UserId": self._sender_id,
            "X-Content-SHA256": digest,
            "X-Digipost-Signature": sign(self._key, canonical),
        }

    def _message_xml(
        self, message_id: str, document_id: str, recipient: str, subject: str
    ) -> bytes:
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<message xmlns="{NAMESPACE}">'
            f"<message-id>{escape(message_id)}</message-id>"
            f"<sender-id>{escape(self._sender_id)}</sender-id>"
            "<recipient>"
            f"<personal-identification-number>{escape(recipient)}</personal-identification-number>"
            "</recipient>"
            "<primary-document>"
            f"<uuid>{escape(document_id)}</uuid>"
            f"<subject>{escape(subject)}</subject>"
            "<file-type>pdf</file-type>"
            "<authentication-level>PASSWORD</authentication-level>"
            "<sensitivity-level>SENSITIVE</sensitivity-level>"
            "</primary-document>"
            "</message>"
        )
        return xml.encode()


def _part_headers(media_type: str, filename: str) -> str:
    return f'Content-Type: {media_type}\r\nContent-Disposition: attachment; filename="{filename}"'


def _multipart(boundary: str, message: bytes, document_id: str, pdf: bytes) -> bytes:
    parts = [
        (_part_headers(MEDIA_TYPE, "message"), message),
        (_part_headers("application/pdf", document_id), pdf),
    ]
    out = b""
    for headers, content in parts:
        out += f"--{boundary}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def _text(xml: bytes, tag: str) -> str:
    try:
        root = ET.fromstring(xml)  # noqa: S314 - see the import
    except ET.ParseError:
        return ""
    found = root.find(f"{{{NAMESPACE}}}{tag}")
    return (found.text or "").strip() if found is not None else ""


def _error(xml: bytes) -> tuple[str, str]:
    return _text(xml, "error-code"), _text(xml, "error-message")


__all__ = ["DigipostClient", "PermanentError", "canonical_string", "sign"]
