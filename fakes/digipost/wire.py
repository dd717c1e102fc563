"""The Digipost wire format: the signed canonical string and the multipart message."""

from __future__ import annotations

import base64
from email import message_from_bytes
from typing import Any
from xml.etree import ElementTree as ET  # a local fake parsing its own tests' XML

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

NAMESPACE = "http://api.digipost.no/schema/v8"


def canonical(method: str, path: str, headers: Any, query: str) -> str:
    """Method, path, the signed headers in alphabetical order, the query; each line ends in \\n."""
    lines = [method.upper(), path.lower(), f"date: {headers['date']}"]
    if headers.get("x-content-sha256"):
        lines.append(f"x-content-sha256: {headers['x-content-sha256']}")
    lines += [f"x-digipost-userid: {headers['x-digipost-userid']}", query.lower()]
    return "".join(line + "\n" for line in lines)


def signature_ok(public_pem: str, method: str, path: str, headers: Any, query: str) -> bool:
    """Whether ``X-Digipost-Signature`` is the sender's SHA256withRSA over the canonical string."""
    key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        signature = base64.b64decode(headers["x-digipost-signature"])
        key.verify(
            signature,
            canonical(method, path, headers, query).encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_message(content_type: str, body: bytes) -> dict[str, Any]:
    """The message XML part and the document part of ``multipart/vnd.digipost-v8+xml``."""
    if (
        not content_type.startswith("multipart/vnd.digipost-v8+xml")
        or "boundary=" not in content_type
    ):
        raise ValueError("Content-Type must be multipart/vnd.digipost-v8+xml with a boundary")
    boundary = content_type.split("boundary=", 1)[1].strip('"')
    envelope = f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode() + body
    parts = [p for p in message_from_bytes(envelope).walk() if not p.is_multipart()]
    if len(parts) < 2 or parts[0].get_filename() != "message":
        raise ValueError("The first part must be the message XML (filename=message)")
    xml = parts[0].get_payload(decode=True)
    if not isinstance(xml, bytes):
        raise ValueError("The message part is empty")
    root = ET.fromstring(xml)  # noqa: S314 - see the import
    ns = {"d": NAMESPACE}
    message_id = root.findtext("d:message-id", namespaces=ns) or ""
    recipient = root.findtext("d:recipient/d:personal-identification-number", namespaces=ns) or ""
    document_uuid = root.findtext("d:primary-document/d:uuid", namespaces=ns) or ""
    subject = root.findtext("d:primary-document/d:subject", namespaces=ns) or ""
    if not (message_id and recipient and document_uuid):
        raise ValueError("message-id, recipient and primary-document/uuid are required")
    document = next((p for p in parts[1:] if p.get_filename() == document_uuid), None)
    pdf = document.get_payload(decode=True) if document is not None else None
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF"):
        raise ValueError("The primary document must be a PDF part named by its uuid")
    return {
        "message_id": message_id,
        "recipient": recipient,
        "document_uuid": document_uuid,
        "subject": subject,
        "pdf": pdf,
    }
