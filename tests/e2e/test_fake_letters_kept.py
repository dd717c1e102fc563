"""The fake Digipost of ``make run`` keeps its letters across a restart of the stack.

Two local stacks in turn on one directory, as two ``make run`` in a row: a letter notification's
own Digipost client sends, signed with the stack's sender key, is still in the fake's mailbox
(listed, its PDF readable, its message id known as a duplicate) after the restart.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from notification.adapters.digipost import DigipostClient
from runtime.embedded import free_port
from runtime.localstack import DIGIPOST_KEY, DIGIPOST_SENDER, FAKE_PORTS, LocalStack
from runtime.service import discover_services

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.7\n% a reminder\n"
PERSON = "15038512345"  # made up; born on the 15th: the fake's people have Digipost


def stack_on(directory: Path) -> LocalStack:
    """A stack on ``directory`` with PostgreSQL, NATS and the fakes running, on free ports."""
    stack = LocalStack(
        directory,
        nats_port=free_port(),
        ports={name: free_port() for name in discover_services()},
        fake_ports={name: free_port() for name in FAKE_PORTS},
    )
    stack.start_infrastructure()
    stack.start_fakes()
    return stack


async def send_letter(stack: LocalStack, message_id: str) -> bool:
    """Send one letter as notification does; whether the fake called it a duplicate."""
    key = (stack.directory / "keys" / DIGIPOST_KEY).read_bytes()
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        client = DigipostClient(http, stack.fake_url("digipost"), DIGIPOST_SENDER, key)
        receipt = await client.send_letter(
            message_id=message_id,
            document_id=f"doc-{message_id}",
            recipient=PERSON,
            subject="Purring",
            pdf=PDF,
        )
    return receipt.duplicate


def test_the_fake_digipost_keeps_its_letters_across_restarts_of_the_stack(tmp_path: Path):
    directory = tmp_path / "kravflyt"
    first = stack_on(directory)
    try:
        assert asyncio.run(send_letter(first, "e2e-letter-1")) is False
    finally:
        first.stop_all()

    again = stack_on(directory)
    try:
        base = again.fake_url("digipost") + "/_admin/messages"
        with httpx.Client(trust_env=False, timeout=10) as client:
            listed = client.get(base).json()["messages"]
            pdf = client.get(base + "/e2e-letter-1/pdf")
        duplicate = asyncio.run(send_letter(again, "e2e-letter-1"))
    finally:
        again.stop_all()

    assert [(m["message_id"], m["signature_verified"]) for m in listed] == [("e2e-letter-1", True)]
    assert pdf.content == PDF
    assert duplicate is True
    assert (directory / "digipost").is_dir()
