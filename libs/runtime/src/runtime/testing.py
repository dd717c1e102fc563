"""Pytest plugin: one real PostgreSQL and one real NATS server per test session.

``DATABASE_URL`` (a server URL, any database) and ``BUS_URL`` may point at existing servers;
otherwise the embedded ones start. Each test module gets fresh databases from
``fresh_database``. ``read_events`` and ``publish_bytes`` read and write the real stream.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js.api import DeliverPolicy

from runtime.embedded import Postgres, free_port, start_nats, start_postgres

_OWN_BASETEMP = "_kravflyt_own_basetemp"


def pytest_configure(config: pytest.Config) -> None:
    """Give each run a temporary folder of its own unless ``--basetemp`` names one.

    pytest's shared ``pytest-of-<user>`` folder is re-made private (0700) by every new run and
    keeps only the last three runs' folders: with two runs at once, the second cut the first's
    embedded PostgreSQL (run as the ``pgserver`` user under root) off from its data directory.
    """
    if config.option.basetemp is None:
        config.option.basetemp = tempfile.mkdtemp(prefix="kravflyt-pytest-")
        setattr(config, _OWN_BASETEMP, config.option.basetemp)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the run's own folder when every test passed (kept for a look after a failure)."""
    own = getattr(session.config, _OWN_BASETEMP, None)
    if own and exitstatus == 0:
        shutil.rmtree(own, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    """The session's PostgreSQL server (``DATABASE_URL`` if set, else an embedded one)."""
    if os.environ.get("DATABASE_URL"):
        yield Postgres(server_url=os.environ["DATABASE_URL"])
        return
    server = start_postgres(tmp_path_factory.mktemp("pg") / "data")
    yield server
    # Stop it now, while pytest's streams are open (pgserver's own atexit hook logs late).
    server.handle.cleanup()


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``nats://…`` of the session's NATS JetStream server."""
    if os.environ.get("BUS_URL", "").startswith("nats://"):
        yield os.environ["BUS_URL"]
        return
    port = free_port()
    process = start_nats(tmp_path_factory.mktemp("nats"), port)
    yield f"nats://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def fresh_database(
    postgres: Postgres, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], str]]:
    """A factory: ``fresh_database("intake")`` creates a new empty database, returns its URL."""
    created: list[str] = []
    module = re.sub(r"[^a-z0-9]+", "_", request.module.__name__.lower())[-30:]

    def make(label: str) -> str:
        name = f"t_{label}_{module}_{uuid.uuid4().hex[:6]}"
        postgres.create_database(name)
        created.append(name)
        return postgres.url(name)

    yield make
    for name in created:
        postgres.drop_database(name)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root directory."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "uv.lock").exists():
            return parent
    raise RuntimeError("repository root not found")


async def read_events(
    nats_url: str,
    event_type: str,
    match: Callable[[dict[str, Any]], bool],
    expect: int,
    *,
    settle: float = 1.0,
    wait: float = 20.0,
) -> list[dict[str, Any]]:
    """Every envelope of ``event_type`` on the stream that ``match`` accepts.

    Waits up to ``wait`` seconds until ``expect`` arrived, then ``settle`` seconds more so that
    extra copies show up.
    """
    nc = await nats.connect(nats_url)
    found: list[dict[str, Any]] = []
    try:
        sub = await nc.jetstream().subscribe(
            f"kravflyt.{event_type}", ordered_consumer=True, deliver_policy=DeliverPolicy.ALL
        )
        loop = asyncio.get_running_loop()
        deadline, settle_until = loop.time() + wait, None
        while (now := loop.time()) < (settle_until or deadline):
            if len(found) >= expect and settle_until is None:
                settle_until = now + settle
            try:
                msg = await sub.next_msg(timeout=0.3)
            except nats.errors.TimeoutError:
                continue
            envelope = json.loads(msg.data)
            if match(envelope):
                found.append(envelope)
        await sub.unsubscribe()
    finally:
        await nc.close()
    return found


async def publish_bytes(
    nats_url: str, event_type: str, body: bytes, msg_id: str | None = None
) -> None:
    """Publish bytes to an event type's subject, as a relay or a municipal integration would."""
    nc = await nats.connect(nats_url)
    try:
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        await nc.jetstream().publish(f"kravflyt.{event_type}", body, headers=headers)
    finally:
        await nc.close()


def schemaless_answers(document: dict[str, Any]) -> list[str]:
    """Every 2xx JSON answer an OpenAPI ``document`` documents without a schema of its fields
    (no schema, ``{}``, or an open object such as ``dict[str, Any]``), as ``METHOD path status``.
    """
    found = []
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            for status, answer in operation.get("responses", {}).items():
                media = answer.get("content", {}).get("application/json")
                if not status.startswith("2") or media is None:
                    continue
                if not _shaped(media.get("schema")):
                    found.append(f"{method.upper()} {path} {status}")
    return found


def _shaped(schema: Any) -> bool:
    """Whether a response schema names fields: a reference, properties, or items that do."""
    if not isinstance(schema, dict):
        return False
    if "$ref" in schema or schema.get("properties"):
        return True
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        return all(_shaped(s) or s.get("type") == "null" for s in alternatives)
    if schema.get("type") == "array":
        return _shaped(schema.get("items"))
    return False


def answer_schema(document: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    """The JSON schema ``document`` gives the ``status`` answer of ``method path``, with its
    ``#/components`` so that a validator resolves the references."""
    answer = document["paths"][path][method]["responses"][str(status)]
    schema: dict[str, Any] = answer["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}
