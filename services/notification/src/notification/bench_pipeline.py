"""The pipeline half of the benchmark: NATS → notification → PostgreSQL → fake Digipost.

Starts what is missing (PostgreSQL, NATS, the repository's ``fakes/``), publishes the requests,
and times notification until every letter is stored and delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from contracts.claims import DebtorDetails, PostalAddress
from contracts.dunning import NoticeClaim, NoticeRequestedV2
from contracts.envelope import new_envelope
from notification.bootstrap import create_app
from notification.config import NotificationSettings
from notification.domain.notice import Address, ClaimLine, Notice
from runtime.embedded import Postgres, free_port, start_nats, start_postgres
from runtime.migrations import upgrade_async
from runtime.personal_data import PersonalDataKeys, debtor_ref, seal, seal_details

REPO_ROOT = Path(__file__).resolve().parents[4]
MIGRATIONS = Path(__file__).with_name("migrations")
FAKES = ("krr", "digipost", "svarut", "altinn")
SENDER_ID = "100001"


def reminder(i: int) -> Notice:
    principal = 50_000 + (i * 7919) % 900_000
    line = ClaimLine(
        str(uuid.uuid4()),
        f"2026-{i:06d}",
        "barnehage",
        "Foreldrebetaling barnehage mars",
        date(2026, 3, 1),
        principal,
        0,
        3500,
    )
    return Notice(
        notice_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        step_kind="purring",
        municipality=("3301", "3303", "3312")[i % 3],
        language="nb",
        debtor_ref="ref1_bench",
        debtor_kind="person",
        debtor_name=f"Kari Nordmann {i}",
        debtor_address=Address((f"Storgata {i % 200 + 1}",), "3015", "Drammen"),
        claims=(line,),
        principal_ore=principal,
        interest_ore=0,
        fees_ore=3500,
        new_fee_ore=3500,
        total_ore=principal + 3500,
        interest_rate_percent="12.00",
        interest_from=date(2026, 3, 2),
        kid="2345676",
        account_number="12345678903",
        sent_date=date(2026, 3, 31),
        deadline_date=date(2026, 4, 14),
        legal_basis="inkassoforskriften § 1-2",
    )


def _request(keys: PersonalDataKeys, notice: Notice, identity: str) -> NoticeRequestedV2:
    c = notice.claims[0]
    claim = NoticeClaim(
        claim_id=uuid.uuid4(),
        invoice_number=c.invoice_number,
        claim_type=c.claim_type,
        description=c.description,
        due_date=c.due_date or date(2026, 3, 1),
        principal_ore=c.principal_ore or 0,
        interest_ore=0,
        fees_ore=3500,
    )
    return NoticeRequestedV2(
        notice_id=notice.notice_id,
        case_id=notice.case_id,
        step_kind="purring",
        municipality=notice.municipality,
        language="nb",
        debtor_ref=debtor_ref(keys, identity),
        debtor_sealed=seal(keys, identity),
        debtor_kind="person",
        debtor_details_sealed=seal_details(
            keys,
            DebtorDetails(
                name=notice.debtor_name,
                address=PostalAddress(lines=["Storgata 1"], postal_code="3015", city="Drammen"),
            ),
        ),
        claims=[claim],
        principal_ore=claim.principal_ore,
        interest_ore=0,
        fees_ore=3500,
        new_fee_ore=3500,
        total_ore=claim.principal_ore + 3500,
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


def _identity(i: int) -> str:
    """A valid fødselsnummer born on the 15th (a Digipost user to the fakes)."""
    for serial in range(i % 400, 1000):
        base = f"1503{85 - i // 400 % 60:02d}{serial % 1000:03d}"
        k1 = (
            11
            - sum(int(d) * w for d, w in zip(base, (3, 7, 6, 1, 8, 9, 4, 5, 2), strict=True)) % 11
        )
        if k1 == 10:
            continue
        base += str(k1 % 11)
        k2 = (
            11
            - sum(int(d) * w for d, w in zip(base, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True))
            % 11
        )
        if k2 != 10:
            return base + str(k2 % 11)
    raise ValueError("no identity number")


async def pipeline_rate(n: int, database_url: str | None, bus_url: str | None) -> float:
    with tempfile.TemporaryDirectory(prefix="notification-bench-") as tmp:
        async with _infrastructure(Path(tmp), database_url, bus_url) as (db_url, nats_url):
            with _fakes() as urls:
                settings, keys = await _settings(Path(tmp), db_url, nats_url, urls)
                requests = [_request(keys, reminder(i), _identity(i)) for i in range(n)]
                app = create_app(settings)
                container = app.state.container
                await container.start()
                try:
                    started = time.perf_counter()
                    await _publish(nats_url, requests)
                    await _wait_delivered(container, n)
                    return n / (time.perf_counter() - started)
                finally:
                    await container.stop()


@contextlib.asynccontextmanager
async def _infrastructure(
    tmp: Path, database_url: str | None, bus_url: str | None
) -> AsyncIterator[tuple[str, str]]:
    postgres = Postgres(server_url=database_url) if database_url else start_postgres(tmp / "pg")
    nats_process = None
    if bus_url is None:
        port = free_port()
        nats_process = start_nats(tmp / "nats", port)
        bus_url = f"nats://127.0.0.1:{port}"
    name = f"notification_bench_{uuid.uuid4().hex[:8]}"
    postgres.create_database(name)
    try:
        await upgrade_async(MIGRATIONS, postgres.url(name))
        yield postgres.url(name), bus_url
    finally:
        postgres.drop_database(name)
        if nats_process is not None:
            nats_process.terminate()
            nats_process.wait(timeout=10)
        if database_url is None:
            postgres.handle.cleanup()


@contextlib.contextmanager
def _fakes() -> Iterator[dict[str, str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    processes, urls = [], {}
    for name in FAKES:
        port = free_port()
        command = [sys.executable, "-m", "fakes", name, "--port", str(port)]
        processes.append(subprocess.Popen(command, cwd=REPO_ROOT, env=env))  # noqa: S603 - our fakes
        urls[name] = f"http://127.0.0.1:{port}"
    try:
        for url in urls.values():
            _wait_healthy(url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url + "/_admin/health", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"fake at {url} did not start")


async def _settings(
    tmp: Path, db_url: str, nats_url: str, urls: dict[str, str]
) -> tuple[NotificationSettings, PersonalDataKeys]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp / "digipost.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    async with httpx.AsyncClient() as client:
        await client.put(
            f"{urls['digipost']}/_admin/senders/{SENDER_ID}",
            json={"public_key_pem": public.decode()},
        )
    keys = PersonalDataKeys.generate()
    pseudonym, sealing, active = keys.to_strings()
    settings = NotificationSettings(
        service="notification",
        database_url=db_url,
        bus_url=nats_url,
        pseudonym_key=pseudonym,
        sealing_keys=sealing,
        sealing_active_key_id=active,
        log_level="WARNING",
        maskinporten_token_url=urls["krr"] + "/token",
        maskinporten_audience=urls["krr"] + "/",
        krr_url=urls["krr"],
        digipost_url=urls["digipost"],
        digipost_key_path=str(pem),
        digipost_sender_id=SENDER_ID,
        svarut_url=urls["svarut"],
        altinn_url=urls["altinn"],
        sweep_interval_seconds=3600,
        relay_poll_seconds=0.05,
    )
    return settings, keys


async def _publish(nats_url: str, requests: list[NoticeRequestedV2]) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for payload in requests:
            envelope = new_envelope(
                "notices.requested.v2",
                source="bench",
                tenant=payload.municipality,
                subject=str(payload.case_id),
                payload=payload,
                occurred_at=datetime.now(UTC),
            )
            await js.publish(
                "kravflyt.notices.requested.v2",
                envelope.model_dump_json().encode(),
                headers={"Nats-Msg-Id": str(envelope.id)},
            )
    finally:
        await nc.close()


async def _wait_delivered(container: Any, n: int) -> None:
    query = sa.text(
        "SELECT count(*) FROM notice WHERE status IN ('delivered', 'failed', 'refused')"
    )
    while True:
        async with container.runtime.engine.connect() as conn:
            done = (await conn.execute(query)).scalar_one()
        if done >= n:
            return
        await asyncio.sleep(0.1)
