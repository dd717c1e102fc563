"""Notification as a real process: a letter requested on NATS reaches the fake Digipost once,
even when the process is killed after Digipost took the letter and before it was recorded."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import nats
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import notification
from contracts.dunning import NoticeClaim, NoticeRequestedV1
from contracts.envelope import new_envelope
from runtime.db import create_engine
from runtime.embedded import free_port
from runtime.migrations import upgrade
from runtime.personal_data import PersonalDataKeys, debtor_ref, seal

pytestmark = pytest.mark.e2e
MIGRATIONS = Path(notification.__file__).with_name("migrations")
SENDER = "100001"
PERSON = "15038500047"  # made up; born on the 15th: a Digipost user to the fakes


def _spawn(
    command: list[str], cwd: Path, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never became ready:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def fakes(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs = tmp_path_factory.mktemp("fake-logs")
    env = {**os.environ, "PYTHONPATH": str(repo_root)}
    processes, urls = [], {}
    for name in ("krr", "digipost", "svarut", "altinn"):
        port = free_port()
        processes.append(
            _spawn(
                [sys.executable, "-m", "fakes", name, "--port", str(port)],
                repo_root,
                env,
                logs / f"{name}.log",
            )
        )
        urls[name] = f"http://127.0.0.1:{port}"
    try:
        for (name, url), process in zip(urls.items(), processes, strict=True):
            _wait(url + "/_admin/health", process, logs / f"{name}.log")
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def service(
    fresh_database: Callable[[str], str],
    nats_url: str,
    fakes: dict[str, str],
    repo_root: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("notification-e2e")
    database_url = fresh_database("notification")
    upgrade(MIGRATIONS, database_url)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (directory / "digipost.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    httpx.put(
        f"{fakes['digipost']}/_admin/senders/{SENDER}", json={"public_key_pem": public.decode()}
    ).raise_for_status()
    keys = PersonalDataKeys.generate()
    pseudonym, sealing, active = keys.to_strings()
    port = free_port()
    env = {
        **os.environ,
        "KRAVFLYT_NOTIFICATION_DATABASE_URL": database_url,
        "KRAVFLYT_BUS_URL": nats_url,
        "KRAVFLYT_PSEUDONYM_KEY": pseudonym,
        "KRAVFLYT_SEALING_KEYS": sealing,
        "KRAVFLYT_SEALING_ACTIVE_KEY_ID": active,
        "KRAVFLYT_NOTIFICATION_MASKINPORTEN_TOKEN_URL": fakes["krr"] + "/token",
        "KRAVFLYT_NOTIFICATION_MASKINPORTEN_AUDIENCE": fakes["krr"] + "/",
        "KRAVFLYT_NOTIFICATION_KRR_URL": fakes["krr"],
        "KRAVFLYT_NOTIFICATION_DIGIPOST_URL": fakes["digipost"],
        "KRAVFLYT_NOTIFICATION_DIGIPOST_KEY_PATH": str(directory / "digipost.pem"),
        "KRAVFLYT_NOTIFICATION_SVARUT_URL": fakes["svarut"],
        "KRAVFLYT_NOTIFICATION_ALTINN_URL": fakes["altinn"],
        "KRAVFLYT_NOTIFICATION_SWEEP_INTERVAL_SECONDS": "0.5",
        "KRAVFLYT_NOTIFICATION_SWEEP_GRACE_SECONDS": "1",
        "KRAVFLYT_NOTIFICATION_PROVIDER_TIMEOUT_SECONDS": "30",
    }
    command = [
        str(Path(sys.executable).parent / "kravflyt"),
        "serve",
        "notification",
        "--port",
        str(port),
    ]
    state: dict[str, Any] = {
        "keys": keys,
        "database_url": database_url,
        "nats_url": nats_url,
        "url": f"http://127.0.0.1:{port}",
        "log": directory / "notification.log",
    }

    def start() -> subprocess.Popen[bytes]:
        process = _spawn(command, repo_root, env, state["log"])
        _wait(state["url"] + "/health/ready", process, state["log"])
        state["process"] = process
        return process

    state["start"] = start
    start()
    yield state
    process = state["process"]
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def _request(keys: PersonalDataKeys) -> NoticeRequestedV1:
    claim = NoticeClaim(
        claim_id=uuid4(),
        invoice_number="2026-77",
        claim_type="sfo",
        description="SFO april – Åskollen",
        due_date=date(2026, 3, 1),
        principal_ore=180000,
        interest_ore=900,
        fees_ore=3500,
    )
    return NoticeRequestedV1(
        notice_id=uuid4(),
        case_id=uuid4(),
        step_kind="purring",
        municipality="3312",
        language="nb",
        debtor_ref=debtor_ref(keys, PERSON),
        debtor_sealed=seal(keys, PERSON),
        debtor_kind="person",
        debtor_name="Øystein Ærlig",
        debtor_address=None,
        claims=[claim],
        principal_ore=180000,
        interest_ore=900,
        fees_ore=3500,
        new_fee_ore=3500,
        total_ore=184400,
        interest_rate_percent="12.00",
        interest_from=date(2026, 3, 2),
        kid="2345676",
        account_number="12345678903",
        sent_date=date(2026, 3, 31),
        deadline_date=date(2026, 4, 14),
        legal_basis="inkassoforskriften § 1-2",
        legal_text_keys=[],
        requested_at=datetime.now(UTC),
    )


async def _publish(nats_url: str, payload: NoticeRequestedV1) -> None:
    envelope = new_envelope(
        "notices.requested.v1",
        source="dunning",
        tenant=payload.municipality,
        subject=str(payload.case_id),
        payload=payload,
        occurred_at=datetime.now(UTC),
    )
    nc = await nats.connect(nats_url)
    try:
        await nc.jetstream().publish(
            "kravflyt.notices.requested.v1",
            envelope.model_dump_json().encode(),
            headers={"Nats-Msg-Id": str(envelope.id)},
        )
    finally:
        await nc.close()


async def _messages(fakes: dict[str, str], notice_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as client:
        found = (await client.get(fakes["digipost"] + "/_admin/messages")).json()["messages"]
    return [m for m in found if m["message_id"] == notice_id]


async def _until(check: Callable[[], Any], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := await check():
            return result
        await asyncio.sleep(0.1)
    raise AssertionError("the condition never held")


async def _delivered_events(database_url: str, notice_id: str) -> list[dict[str, Any]]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.text("SELECT body FROM outbox WHERE event_type = 'notices.delivered.v1'")
            )
            bodies = [json.loads(r.body) for r in rows]
    finally:
        await engine.dispose()
    return [b for b in bodies if b["payload"]["notice_id"] == notice_id]


async def test_a_requested_letter_reaches_the_digital_mailbox(service, fakes):
    payload = _request(service["keys"])

    await _publish(service["nats_url"], payload)

    [message] = await _until(lambda: _messages(fakes, str(payload.notice_id)))
    assert message["signature_verified"] is True
    assert message["subject"] == "Betalingspåminnelse"
    events = await _until(
        lambda: _delivered_events(service["database_url"], str(payload.notice_id))
    )
    assert [e["payload"]["channel"] for e in events] == ["digipost"]


async def test_a_process_killed_between_sent_and_recorded_delivers_the_letter_once(service, fakes):
    payload = _request(service["keys"])
    fault = {"mode": "slow", "seconds": 8, "times": 1, "path": "/messages"}
    async with httpx.AsyncClient() as client:
        (await client.post(fakes["digipost"] + "/_admin/faults", json=fault)).raise_for_status()

    await _publish(service["nats_url"], payload)
    await _until(lambda: _messages(fakes, str(payload.notice_id)))
    service["process"].send_signal(signal.SIGKILL)
    service["process"].wait(timeout=10)
    recorded_before_restart = await _delivered_events(
        service["database_url"], str(payload.notice_id)
    )
    service["start"]()
    events = await _until(
        lambda: _delivered_events(service["database_url"], str(payload.notice_id))
    )
    await asyncio.sleep(2)

    assert recorded_before_restart == []
    assert len(await _messages(fakes, str(payload.notice_id))) == 1
    assert (
        len(await _delivered_events(service["database_url"], str(payload.notice_id)))
        == len(events)
        == 1
    )
