"""The system under test: embedded PostgreSQL and NATS, and intake as a real server process.

Everything lives in one temporary directory and listens on loopback only. ``Stack`` is a
context manager: whatever it started is stopped in reverse order on the way out, also on
Ctrl-C or SIGTERM, and the directory is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import intake
from intake.config import IntakeSettings
from intake.office import DEMO_OFFICE, load_office
from runtime.embedded import Postgres, free_port, start_nats, start_postgres
from runtime.local_issuer import LocalIssuer
from runtime.migrations import upgrade_async
from runtime.personal_data import PersonalDataKeys

DRAMMEN_ORGNR = "921234554"
DATABASE = "intake_bench"
MIGRATIONS = Path(intake.__file__).with_name("migrations")
SCOPES = ("kravflyt:claims.write", "kravflyt:claims.read")
_READY_TIMEOUT = 60.0


@dataclass
class Machine:
    """What the figures were measured on."""

    cores: int
    cpu: str
    python: str
    postgres: str
    load: float  # 1-minute load average before the benchmarks started

    def describe(self) -> str:
        busy = "  ← other processes busy: figures will be low" if self.load > 0.5 else ""
        return (
            f"{self.cores} cores ({self.cpu}), Python {self.python}, "
            f"PostgreSQL {self.postgres}, {platform.system()} {platform.release()}; "
            f"load average before start {self.load:.2f}{busy}"
        )


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


@dataclass
class Stack:
    """PostgreSQL + NATS (+ an intake server process unless ``serve`` is False)."""

    serve: bool = True
    profile_to: Path | None = None  # run the server under cProfile, stats written here
    keep_dir: bool = False
    split_relay: bool = False  # relay in a second process (--role worker), API with --role api
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    root: Path = field(init=False)
    postgres: Postgres | None = field(init=False, default=None)
    nats: subprocess.Popen[bytes] | None = field(init=False, default=None)
    server: subprocess.Popen[bytes] | None = field(init=False, default=None)
    worker: subprocess.Popen[bytes] | None = field(init=False, default=None)
    nats_url: str = field(init=False, default="")
    database_url: str = field(init=False, default="")
    port: int = field(init=False, default=0)
    env: dict[str, str] = field(init=False, default_factory=dict)
    issuer: LocalIssuer = field(init=False)
    _token: tuple[str, float] = field(init=False, default=("", float("-inf")))
    machine: Machine = field(init=False)
    server_log: Path = field(init=False)

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        self._load = os.getloadavg()[0]
        self.root = Path(tempfile.mkdtemp(prefix="kravflyt-bench-"))
        self.server_log = self.root / "intake.log"
        previous = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        self._previous_sigterm = previous
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *_: Any) -> None:
        try:
            self._stop_server()
            if self.nats is not None:
                stop_process(self.nats, "nats-server", grace=5.0)
                self.nats = None
            if self.postgres is not None and self.postgres.handle is not None:
                with contextlib.suppress(Exception):
                    self.postgres.handle.cleanup()
                self.postgres = None
        finally:
            if not self.keep_dir:
                shutil.rmtree(self.root, ignore_errors=True)
            signal.signal(signal.SIGTERM, self._previous_sigterm)

    def _start(self) -> None:
        step("starting embedded PostgreSQL")
        self.postgres = start_postgres(self.root / "pg")
        self.postgres.create_database(DATABASE)
        self.database_url = self.postgres.url(DATABASE)
        step("starting NATS JetStream")
        nats_port = free_port()
        self.nats = start_nats(
            self.root / "nats", nats_port, log_file=self.root / "nats.log", new_session=True
        )
        self.nats_url = f"nats://127.0.0.1:{nats_port}"
        step("migrating intake's database and loading the demo office")
        asyncio.run(self._prepare_database())
        self._make_keys()
        self.machine = Machine(
            cores=os.cpu_count() or 0,
            cpu=_cpu_model(),
            python=platform.python_version(),
            postgres=asyncio.run(self._server_version()),
            load=self._load,
        )
        if self.serve:
            self.start_server()

    async def _prepare_database(self) -> None:
        await upgrade_async(MIGRATIONS, self.database_url)
        await load_office(self.database_url, DEMO_OFFICE)

    async def _server_version(self) -> str:
        conn = await self.connect()
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    def _make_keys(self) -> None:
        keys_dir = self.root / "keys"
        keys_dir.mkdir()
        submission = keys_dir / "submission.pem"
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        submission.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        submission.chmod(0o600)
        pseudonym, sealing, active = PersonalDataKeys.generate("bench1").to_strings()
        self.issuer = LocalIssuer.load_or_create(keys_dir / "issuer")
        self.port = free_port()
        # Only our settings: nothing from the caller's KRAVFLYT_* environment leaks in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("KRAVFLYT_")}
        env.update(
            {
                "KRAVFLYT_INTAKE_DATABASE_URL": self.database_url,
                "KRAVFLYT_BUS_URL": self.nats_url,
                "KRAVFLYT_PSEUDONYM_KEY": pseudonym,
                "KRAVFLYT_SEALING_KEYS": sealing,
                "KRAVFLYT_SEALING_ACTIVE_KEY_ID": active,
                "KRAVFLYT_AUTH_ISSUER": self.issuer.issuer,
                "KRAVFLYT_AUTH_AUDIENCE": self.issuer.audience,
                "KRAVFLYT_AUTH_JWKS_URL": self.issuer.jwks_url,
                "KRAVFLYT_INTAKE_SUBMISSION_KEY_PATH": str(submission),
                "KRAVFLYT_HTTP_HOST": "127.0.0.1",
            }
        )
        self.env = env

    def settings(self, **extra: Any) -> IntakeSettings:
        """The same settings the server process reads from its environment (for in-process use)."""
        e = self.env
        return IntakeSettings(
            service="intake",
            database_url=e["KRAVFLYT_INTAKE_DATABASE_URL"],
            bus_url=e["KRAVFLYT_BUS_URL"],
            pseudonym_key=e["KRAVFLYT_PSEUDONYM_KEY"],
            sealing_keys=e["KRAVFLYT_SEALING_KEYS"],
            sealing_active_key_id=e["KRAVFLYT_SEALING_ACTIVE_KEY_ID"],
            auth_issuer=e["KRAVFLYT_AUTH_ISSUER"],
            auth_audience=e["KRAVFLYT_AUTH_AUDIENCE"],
            auth_jwks_url=e["KRAVFLYT_AUTH_JWKS_URL"],
            submission_key_path=e["KRAVFLYT_INTAKE_SUBMISSION_KEY_PATH"],
            **extra,
        )

    # -- the intake server process(es) ------------------------------------------------------

    def start_server(self) -> None:
        """``kravflyt serve intake --port P`` (optionally under cProfile); wait until ready.

        With ``split_relay`` the API process runs with ``--role api`` and the relay off, and a
        second process, ``--role worker``, runs the relay (and the subscribers).
        """
        args = ["serve", "intake", "--host", "127.0.0.1", "--port", str(self.port)]
        env = dict(self.env)
        if self.split_relay:
            args += ["--role", "api"]
            env["KRAVFLYT_INTAKE_RELAY_ENABLED"] = "false"
        self.server = self._spawn(args, env, self.profile_to)
        self._wait_ready(self.server, self.port)
        if self.split_relay:
            worker_port = free_port()
            worker_args = ["serve", "intake", "--host", "127.0.0.1", "--port", str(worker_port)]
            self.worker = self._spawn([*worker_args, "--role", "worker"], self.env, None)
            self._wait_ready(self.worker, worker_port)

    def _spawn(
        self, args: list[str], env: dict[str, str], profile_to: Path | None
    ) -> subprocess.Popen[bytes]:
        if profile_to is not None:
            command = [sys.executable, "-m", "benchmarks.profiled_server", str(profile_to), *args]
        else:
            command = [str(Path(sys.executable).parent / "kravflyt"), *args]
        step(f"starting intake: kravflyt {' '.join(args)}")
        log = open(self.server_log, "ab")
        try:
            return subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=Path(__file__).resolve().parent.parent,
                start_new_session=True,  # Ctrl-C reaches us; we stop it in order
            )
        finally:
            log.close()

    def _wait_ready(self, process: subprocess.Popen[bytes], port: int) -> None:
        deadline = time.monotonic() + _READY_TIMEOUT
        url = f"http://127.0.0.1:{port}/health/ready"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"intake exited with {process.returncode}:\n{self.server_log_tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"intake not ready after {_READY_TIMEOUT} s:\n{self.server_log_tail()}")

    def _stop_server(self) -> None:
        for attribute in ("server", "worker"):
            process = getattr(self, attribute)
            if process is not None:
                stop_process(process, f"intake {attribute}", grace=15.0, sig=signal.SIGINT)
                setattr(self, attribute, None)

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU time (user + system) used so far by the intake process(es) and by PostgreSQL.

        On a shared machine wall time also measures the neighbours; CPU time does not. For
        PostgreSQL it is the postmaster, its live processes and the exited ones it reaped.
        """
        import psutil

        server = 0.0
        for process in (self.server, self.worker):
            if process is not None:
                with contextlib.suppress(psutil.Error):
                    t = psutil.Process(process.pid).cpu_times()
                    server += t.user + t.system
        postgres = 0.0
        if self.postgres is not None and self.postgres.handle is not None:
            with contextlib.suppress(psutil.Error, AssertionError):
                master = psutil.Process(self.postgres.handle.get_pid())
                t = master.cpu_times()
                postgres = t.user + t.system + t.children_user + t.children_system
                for child in master.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        c = child.cpu_times()
                        postgres += c.user + c.system
        return server, postgres

    def server_alive(self) -> bool:
        processes = [p for p in (self.server, self.worker) if p is not None]
        return bool(processes) and all(p.poll() is None for p in processes)

    def server_log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.server_log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        """A bearer token for Drammen, renewed after half its hour (tokens live at most one)."""
        token, issued = self._token
        if time.monotonic() - issued > 1800:
            token = self.issuer.issue_token(orgnr=DRAMMEN_ORGNR, scopes=SCOPES)
            self._token = (token, time.monotonic())
        return token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    async def connect(self) -> asyncpg.Connection:
        """A plain asyncpg connection to intake's database."""
        dsn = self.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        return await asyncpg.connect(dsn)


def spawn_service(name: str, root: Path, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """``kravflyt serve NAME`` on 127.0.0.1:PORT, logging to ROOT/NAME.log; returns once ready.

    ``KRAVFLYT_BENCH_PROFILE_SERVER=OUT.prof`` runs it under cProfile (benchmarks.profiled_server).
    """
    args = ["serve", name, "--host", "127.0.0.1", "--port", str(port)]
    step(f"starting {name}: kravflyt {' '.join(args)}")
    command = [str(Path(sys.executable).parent / "kravflyt"), *args]
    if profile := os.environ.get("KRAVFLYT_BENCH_PROFILE_SERVER"):
        command = [sys.executable, "-m", "benchmarks.profiled_server", profile, *args]
    with open(root / f"{name}.log", "ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent,
            start_new_session=True,
        )
    deadline = time.monotonic() + _READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log_tail(root, name)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2.0).status_code == 200:
                return process
        time.sleep(0.1)
    stop_process(process, name, grace=5.0, sig=signal.SIGINT)
    raise TimeoutError(f"{name} not ready after {_READY_TIMEOUT} s:\n{log_tail(root, name)}")


def log_tail(root: Path, name: str, lines: int = 30) -> str:
    """The last lines of ROOT/NAME.log."""
    try:
        return "\n".join((root / f"{name}.log").read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_process(
    process: subprocess.Popen[bytes], name: str, *, grace: float, sig: int = signal.SIGTERM
) -> None:
    """Send ``sig``, wait ``grace`` seconds, then kill."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(sig)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        print(f"  {name} did not stop within {grace:.0f} s; killing it", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait(timeout=5)


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def step(message: str) -> None:
    """Progress on stderr, so stdout holds only the results."""
    print(f"· {message}", file=sys.stderr, flush=True)
