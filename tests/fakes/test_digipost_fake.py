"""The fake Digipost's mailbox: kept in a directory, it survives a restart of the fake."""

from __future__ import annotations

from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fakes.digipost import create_app

from notification.adapters.digipost import DigipostClient

PDF = b"%PDF-1.7\n% a letter\n"
PERSON = "15038512345"  # made up; born on the 15th: the fake's people have Digipost


def sender_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


async def send(app, key: bytes, message_id: str) -> bool:
    """Send one letter with notification's client; whether it was a duplicate."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://digipost") as http:
        client = DigipostClient(http, "http://digipost", "100001", key)
        receipt = await client.send_letter(
            message_id=message_id,
            document_id=f"doc-{message_id}",
            recipient=PERSON,
            subject="Purring",
            pdf=PDF,
        )
    return receipt.duplicate


async def admin(app, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://digipost") as http:
        return await http.get("/_admin" + path)


async def test_letters_kept_in_a_directory_are_there_after_a_restart(tmp_path: Path) -> None:
    key = sender_key()
    before = create_app(tmp_path / "digipost")
    assert await send(before, key, "m-1") is False

    after = create_app(tmp_path / "digipost")  # the fake started again
    listed = (await admin(after, "/messages")).json()
    pdf = await admin(after, "/messages/m-1/pdf")
    again = await send(after, key, "m-1")

    assert [m["message_id"] for m in listed["messages"]] == ["m-1"]
    assert listed["messages"][0]["subject"] == "Purring"
    assert pdf.content == PDF
    assert again is True  # the duplicate check remembers it too


async def test_a_reset_empties_the_kept_mailbox(tmp_path: Path) -> None:
    app = create_app(tmp_path / "digipost")
    await send(app, sender_key(), "m-2")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://digipost") as http:
        assert (await http.post("/_admin/reset")).status_code == 204

    assert (await admin(create_app(tmp_path / "digipost"), "/messages")).json()["count"] == 0
    assert list((tmp_path / "digipost").iterdir()) == []


async def test_without_a_directory_the_letters_live_in_memory_only(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("FAKE_DIGIPOST_DIR", raising=False)
    await send(create_app(), sender_key(), "m-3")

    assert (await admin(create_app(), "/messages")).json()["count"] == 0
