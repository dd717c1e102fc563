"""The local stack of ``make run``: embedded PostgreSQL, NATS JetStream and every service.

All of it lives in one directory (``.kravflyt/``): ``pg/`` (PostgreSQL data), ``nats/``
(JetStream store), ``keys/`` (personal-data and submission keys, 0600), ``issuer/`` (the local
Maskinporten stand-in), ``digipost/`` (the letters the fake Digipost received),
``logs/<name>.log``, ``run.lock`` (locked by the running stack, holds its pid), ``pids`` (its
child processes) and ``seeded`` (services whose demo data is loaded).
The end-to-end tests start the same :class:`LocalStack`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Iterator
from pathlib import Path
from types import FrameType
from typing import TextIO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from runtime.embedded import Postgres, start_nats, start_postgres
from runtime.local_issuer import LocalIssuer
from runtime.migrations import upgrade
from runtime.personal_data import PersonalDataKeys
from runtime.service import ServiceDefinition, discover_services

DEMO_ORGNR = "921234554"  # Drammen kommune in the demo office
# The fake national services (``python -m fakes NAME``, in the repository) and their ports.
FAKE_PORTS = {
    "oidc": 8090,
    "krr": 8091,
    "digipost": 8092,
    "svarut": 8093,
    "altinn": 8094,
    "vipps": 8095,
}
FAKES_ROOT = Path(__file__).resolve().parents[4]  # the repository, when run from a checkout
DIGIPOST_SENDER = "100001"
DIGIPOST_KEY = "digipost-sender.pem"
OIDC_CLIENT_SECRET = "local-minside-secret"  # noqa: S105 - the local fake's
SCOPES = ("kravflyt:claims.write", "kravflyt:claims.read")
SUBMISSION_KEY = "intake-submission.pem"
STOP_SECONDS = 10.0
READY_SECONDS = 60.0
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StackError(RuntimeError):
    """Something did not start, or stopped unexpectedly; the message says what."""


class AlreadyRunningError(StackError):
    """Another stack holds the directory's lock."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        who = f"pid {pid}" if pid else "pid unknown"
        super().__init__(
            f"Kravflyt is already running ({who}) — stop it with Ctrl-C in its terminal"
        )


class LocalStack:
    """PostgreSQL, NATS and the services, as child processes of this one."""

    def __init__(
        self,
        directory: Path,
        *,
        nats_port: int = 4222,
        ports: dict[str, int] | None = None,
        fake_ports: dict[str, int] | None = None,
        verbose: bool = False,
    ) -> None:
        self.directory = directory.resolve()
        self.services: dict[str, ServiceDefinition] = discover_services()
        self.ports = {n: (ports or {}).get(n, d.default_port) for n, d in self.services.items()}
        self.nats_port = nats_port
        self.fakes = {
            name: (fake_ports or {}).get(name, port)
            for name, port in FAKE_PORTS.items()
            if _fake_exists(name)
        }
        self.fakes_started = False
        self.verbose = verbose
        self.postgres: Postgres | None = None
        self.nats: subprocess.Popen[bytes] | None = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.issuer: LocalIssuer | None = None
        self.staff_issuer: LocalIssuer
        self._keys: dict[str, str] = {}
        self._lock_fd: int | None = None
        self._log_start: dict[str, int] = {}

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.nats_port}"

    def database_url(self, name: str) -> str:
        """The SQLAlchemy URL of service ``name``'s database."""
        assert self.postgres is not None, "start_infrastructure() first"
        return self.postgres.url(f"kravflyt_{name}")

    def service_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def fake_url(self, name: str) -> str:
        """The address of fake ``name`` (``krr``, ``digipost``, …)."""
        host = "localhost" if name == "oidc" else "127.0.0.1"  # the issuer's own spelling
        return f"http://{host}:{self.fakes[name]}"

    def log_path(self, name: str) -> Path:
        """Where ``name`` (a service, ``nats`` or ``postgres``) logs."""
        if name == "postgres":
            return self.directory / "pg" / "log"
        return self.directory / "logs" / f"{name}.log"

    def token(self, orgnr: str = DEMO_ORGNR, scopes: tuple[str, ...] = SCOPES) -> str:
        """A bearer token from the local issuer, as ``kravflyt token`` prints it."""
        assert self.issuer is not None, "start_infrastructure() first"
        return self.issuer.issue_token(orgnr=orgnr, scopes=scopes)

    def acquire_lock(self) -> None:
        """Own the directory, or raise :class:`AlreadyRunningError` naming the owner."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / "run.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            raise AlreadyRunningError(int(text) if text.isdigit() else None) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd

    def start_infrastructure(self) -> None:
        """Lock the directory, make keys on first use, start PostgreSQL and NATS."""
        if self._lock_fd is None:
            self.acquire_lock()
        (self.directory / "logs").mkdir(exist_ok=True)
        self._stop_leftovers()
        self._keys = _load_or_create_keys(self.directory / "keys")
        self.issuer = LocalIssuer.load_or_create(self.directory / "issuer")
        self.staff_issuer = LocalIssuer.load_or_create(
            self.directory / "staff-issuer",
            issuer="http://localhost/office-idp-local",
            audience="kravflyt-staff",
        )
        pg_dir = self.directory / "pg"
        with (
            self._step(f"starting PostgreSQL (embedded, data in {_show(pg_dir)})"),
            _Signals.held(),
        ):
            self.postgres = start_postgres(pg_dir)
        nats_dir = self.directory / "nats"
        with self._step(f"starting NATS JetStream on {self.nats_url} (store in {_show(nats_dir)})"):
            if not _port_free(self.nats_port):
                raise StackError(
                    f"port {self.nats_port} is in use by another program;"
                    " set KRAVFLYT_NATS_PORT to use another port"
                )
            with _Signals.held():
                log = self.log_path("nats")
                self.nats = start_nats(nats_dir, self.nats_port, log_file=log, new_session=True)
                self._record_pids()

    def prepare(self) -> None:
        """One database per service, its migrations, and (first start only) its demo data."""
        assert self.postgres is not None, "start_infrastructure() first"
        for name, definition in self.services.items():
            with self._step(f"preparing database kravflyt_{name} (create, migrate)"):
                self.postgres.create_database(f"kravflyt_{name}")
                upgrade(definition.migrations, self.database_url(name))
        marker = self.directory / "seeded"
        seeded = set(marker.read_text().split()) if marker.exists() else set()
        for name, definition in self.services.items():
            if definition.seed_demo is None or name in seeded:
                continue
            with self._step(f"seeding the demo office in {name} (first start only)"):
                url = self.database_url(name)
                settings = definition.settings_class(service=name, database_url=url)
                asyncio.run(_await(definition.seed_demo(settings, self.directory)))
                seeded.add(name)
                marker.write_text("".join(f"{n}\n" for n in sorted(seeded)))

    def start_fakes(self) -> None:
        """Start the fake national services; services started afterwards use them."""
        for name, port in self.fakes.items():
            if not _port_free(port):
                raise StackError(
                    f"port {port} for the fake {name} is in use by another program;"
                    f" set KRAVFLYT_FAKE_{name.upper()}_PORT to use another port"
                )
        env = {
            **os.environ,
            "PYTHONPATH": str(FAKES_ROOT),
            "ISSUER": self.fake_url("oidc") if "oidc" in self.fakes else "",
            "OIDC_CLIENT_SECRET": OIDC_CLIENT_SECRET,
            "FAKE_DIGIPOST_DIR": str(self.directory / "digipost"),
            "MINSIDE_URLS": ",".join(
                f"http://{host}:{self.ports['minside']}" for host in ("localhost", "127.0.0.1")
            )
            if "minside" in self.ports
            else "",
            "FAKE_VIPPS_WEBHOOK_URL": f"{self.service_url('payments')}/v1/vipps/webhooks"
            if "payments" in self.ports
            else "",
        }
        for name, port in self.fakes.items():
            command = [sys.executable, "-m", "fakes", name, "--port", str(port)]
            with self.log_path(f"fake-{name}").open("ab") as out, _Signals.held():
                self.processes[f"fake-{name}"] = subprocess.Popen(  # noqa: S603 - our own
                    command,
                    cwd=FAKES_ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                )
                self._record_pids()
        for name in self.fakes:
            self._wait_http(f"fake-{name}", self.fake_url(name) + "/_admin/health")
        if "digipost" in self.fakes:
            _register_digipost_sender(self.fake_url("digipost"), self.directory / "keys")
        self.fakes_started = True

    def env_for(self, name: str) -> dict[str, str]:
        """The ``KRAVFLYT_*`` environment of service ``name`` in this stack."""
        assert self.issuer is not None, "start_infrastructure() first"
        prefix = f"KRAVFLYT_{name.upper()}_"
        return {
            **(self._fake_env(prefix) if self.fakes_started else {}),
            **self._callee_env(name),
            prefix + "DATABASE_URL": self.database_url(name),
            prefix + "HTTP_PORT": str(self.ports[name]),
            "KRAVFLYT_BUS_URL": self.nats_url,
            **self._keys,
            "KRAVFLYT_AUTH_ISSUER": self.issuer.issuer,
            "KRAVFLYT_AUTH_AUDIENCE": self.issuer.audience,
            "KRAVFLYT_AUTH_JWKS_URL": self.issuer.jwks_url,
            "KRAVFLYT_STAFF_AUTH_ISSUER": self.staff_issuer.issuer,
            "KRAVFLYT_STAFF_AUTH_AUDIENCE": self.staff_issuer.audience,
            "KRAVFLYT_STAFF_AUTH_JWKS_URL": self.staff_issuer.jwks_url,
            "KRAVFLYT_INTAKE_SUBMISSION_KEY_PATH": str(self.directory / "keys" / SUBMISSION_KEY),
            "KRAVFLYT_LOCAL_DIR": str(self.directory),
        }

    def start_service(
        self, name: str, extra_env: dict[str, str] | None = None, *, wait: bool = True
    ) -> subprocess.Popen[bytes]:
        """Start ``kravflyt serve <name>``, logging to ``logs/<name>.log``; wait until ready."""
        running = self.processes.get(name)
        if running is not None and running.poll() is None:
            raise StackError(f"{name} is already running (pid {running.pid})")
        port = self.ports[name]
        if not _port_free(port):
            raise StackError(
                f"port {port} for {name} is in use by another program;"
                f" set KRAVFLYT_{name.upper()}_HTTP_PORT to use another port"
            )
        command = [
            str(Path(sys.executable).parent / "kravflyt"),
            "serve",
            name,
            "--port",
            str(port),
        ]
        env = {**os.environ, **self.env_for(name), **(extra_env or {})}
        with self.log_path(name).open("ab") as out, _Signals.held():
            self._log_start[name] = out.tell()
            self.processes[name] = subprocess.Popen(  # noqa: S603 - our own command
                command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
            self._record_pids()
        if wait:
            self.wait_ready(name)
        return self.processes[name]

    def _callee_env(self, name: str) -> dict[str, str]:
        """Where service ``name`` calls the others: its ``<callee>_base_url`` settings."""
        prefix = f"KRAVFLYT_{name.upper()}_"
        reads = self.services[name].settings_class.model_fields
        return {
            f"{prefix}{callee.upper()}_BASE_URL": self.service_url(callee)
            for callee in self.ports
            if f"{callee}_base_url" in reads
        }

    def _fake_env(self, prefix: str) -> dict[str, str]:
        """Where services find the fakes (each setting read by one service only)."""
        env: dict[str, str] = {}
        if "krr" in self.fakes:
            krr = self.fake_url("krr")
            env |= {
                prefix + "KRR_URL": krr,
                prefix + "MASKINPORTEN_TOKEN_URL": krr + "/token",
                prefix + "MASKINPORTEN_AUDIENCE": krr + "/",
            }
        if "digipost" in self.fakes:
            env[prefix + "DIGIPOST_URL"] = self.fake_url("digipost")
            env[prefix + "DIGIPOST_SENDER_ID"] = DIGIPOST_SENDER
            env[prefix + "DIGIPOST_KEY_PATH"] = str(self.directory / "keys" / DIGIPOST_KEY)
        for name, setting in (("svarut", "SVARUT_URL"), ("altinn", "ALTINN_URL")):
            if name in self.fakes:
                env[prefix + setting] = self.fake_url(name)
        if "vipps" in self.fakes:
            env[prefix + "VIPPS_BASE_URL"] = self.fake_url("vipps")
            if "minside" in self.ports:
                env[prefix + "VIPPS_RETURN_URL"] = self.service_url("minside") + "/pay/done"
        if "oidc" in self.fakes:
            env[prefix + "OIDC_ISSUER"] = self.fake_url("oidc")
            env[prefix + "OIDC_CLIENT_SECRET"] = OIDC_CLIENT_SECRET
        return env

    def wait_ready(self, name: str, timeout: float = READY_SECONDS) -> None:
        """Poll ``/health/ready`` until it answers 200; StackError with the log tail if not."""
        self._wait_http(name, self.service_url(name) + "/health/ready", timeout)

    def _wait_http(self, name: str, url: str, timeout: float = READY_SECONDS) -> None:
        process = self.processes[name]
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(urllib.error.URLError, OSError):
                with opener.open(url, timeout=2) as answer:
                    if answer.status == 200:
                        return
            time.sleep(0.1)
        code = process.poll()
        state = f"was not ready after {timeout:.0f} s" if code is None else f"exited ({code})"
        raise StackError(f"{name} {state}; the end of its log:\n{self.log_tail(name)}")

    def stop_service(
        self, name: str, sig: int = signal.SIGTERM, timeout: float = STOP_SECONDS
    ) -> int | None:
        """Send ``sig`` (SIGKILL after ``timeout`` s); the exit code, None if not running."""
        process = self.processes.pop(name, None)
        if process is None:
            return None
        _stop(process, sig, timeout)
        self._record_pids()
        return process.returncode

    def stop_all(self) -> None:
        """Stop the services (together), then NATS, then PostgreSQL; release the lock.

        Each part is attempted even if an earlier one fails; the first failure is raised.
        """
        failure: Exception | None = None
        for stop in (self._stop_services, self._stop_nats, self._stop_postgres, self._unlock):
            try:
                stop()
            except Exception as error:  # raised below, once the rest has stopped
                failure = failure or error
        if failure is not None:
            raise failure

    def _stop_services(self) -> None:
        if self.processes:
            with self._step(f"stopping {', '.join(self.processes)}"):
                for process in self.processes.values():
                    if process.poll() is None:
                        process.send_signal(signal.SIGTERM)
                deadline = time.monotonic() + STOP_SECONDS
                for process in self.processes.values():
                    _stop(process, None, max(0.0, deadline - time.monotonic()))
                self.processes.clear()

    def _stop_nats(self) -> None:
        if self.nats is not None:
            with self._step("stopping NATS"):
                _stop(self.nats, signal.SIGTERM, STOP_SECONDS)
                self.nats = None

    def _stop_postgres(self) -> None:
        if self.postgres is not None:
            with self._step("stopping PostgreSQL"):
                handle, self.postgres = self.postgres.handle, None
                if not process_alive(handle.get_pid()):
                    handle.cleanup_mode = None  # nothing left to stop; just let go of it
                handle.cleanup()

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            self._record_pids()
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def dead_process(self) -> tuple[str, str] | None:
        """A process of the stack that stopped on its own: its name and how it ended."""
        if self.postgres is not None and not process_alive(self.postgres.handle.get_pid()):
            return "postgres", "its server process is gone"
        children = {**self.processes, **({"nats": self.nats} if self.nats else {})}
        for name, process in children.items():
            if (code := process.poll()) is not None:
                return (
                    name,
                    f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}",
                )
        return None

    def log_tail(self, name: str, lines: int = 20) -> str:
        """The last lines of ``name``'s log since this stack last started it."""
        try:
            with self.log_path(name).open("rb") as log:
                log.seek(self._log_start.get(name, 0))
                text = log.read().decode(errors="replace")
        except OSError:
            text = ""
        tail = text.splitlines()[-lines:] or ["(nothing logged)"]
        return "\n".join(f"  | {line}" for line in tail)

    @contextlib.contextmanager
    def _step(self, label: str) -> Iterator[None]:
        started = time.monotonic()
        if self.verbose:
            _say(f"==> {label} …", end="")
        try:
            yield
        except BaseException as error:
            if self.verbose:
                _say(" interrupted" if isinstance(error, _Interrupted) else " failed")
            raise
        if self.verbose:
            _say(f" ok ({time.monotonic() - started:.1f} s)")

    def _record_pids(self) -> None:
        children = {**self.processes, **({"nats": self.nats} if self.nats else {})}
        lines = [f"{n} {p.pid}\n" for n, p in children.items() if p.poll() is None]
        (self.directory / "pids").write_text("".join(lines))

    def _stop_leftovers(self) -> None:
        """Kill children of an earlier run that died without stopping them (we hold the lock)."""
        path = self.directory / "pids"
        stale = []
        for name, _, pid in (p.partition(" ") for p in _read(path).splitlines()):
            cmdline = _read(Path(f"/proc/{pid}/cmdline"))
            ours = ("nats-server", "kravflyt", "fakes")
            if pid.isdigit() and any(word in cmdline for word in ours):
                stale.append((name, int(pid)))
        if stale:
            names = ", ".join(f"{n} (pid {p})" for n, p in stale)
            with self._step(f"stopping {names}, left over from an earlier run"):
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    for _, stale_pid in stale:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(stale_pid, sig)
                    deadline = time.monotonic() + STOP_SECONDS / 2
                    while any(process_alive(p) for _, p in stale) and time.monotonic() < deadline:
                        time.sleep(0.05)
        path.write_text("")


def _load_or_create_keys(directory: Path) -> dict[str, str]:
    """Personal-data keys as ``KRAVFLYT_*`` variables; makes them and intake's key once."""
    directory.mkdir(mode=0o700, exist_ok=True)
    env_file = directory / "personal-data.env"
    if not env_file.exists():
        pseudonym, sealing, active = PersonalDataKeys.generate().to_strings()
        _write_secret(
            env_file,
            "# Keys of make run only; never use them anywhere else.\n"
            f"KRAVFLYT_PSEUDONYM_KEY={pseudonym}\nKRAVFLYT_SEALING_KEYS={sealing}\n"
            f"KRAVFLYT_SEALING_ACTIVE_KEY_ID={active}\n".encode(),
        )
    if not (directory / SUBMISSION_KEY).exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_secret(directory / SUBMISSION_KEY, pem)
    lines = env_file.read_text().splitlines()
    keys = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    if "KRAVFLYT_SESSION_SECRET" not in keys:
        # Signs web sessions (Min side); added to stacks made before it existed.
        keys["KRAVFLYT_SESSION_SECRET"] = secrets.token_urlsafe(48)
        lines.append(f"KRAVFLYT_SESSION_SECRET={keys['KRAVFLYT_SESSION_SECRET']}")
        env_file.unlink()
        _write_secret(env_file, ("\n".join(lines) + "\n").encode())
    return keys


def _fake_exists(name: str) -> bool:
    package = FAKES_ROOT / "fakes"
    return (package / f"{name}.py").is_file() or (package / name / "__init__.py").is_file()


def _register_digipost_sender(url: str, keys: Path) -> None:
    """Make (once) the key notification signs Digipost requests with; give the fake its half."""
    path = keys / DIGIPOST_KEY
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_secret(path, pem)
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    body = json.dumps({"public_key_pem": public.decode()}).encode()
    request = urllib.request.Request(  # noqa: S310 - our own fake on localhost
        f"{url}/_admin/senders/{DIGIPOST_SENDER}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=5):
        pass


def _write_secret(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        file.write(data)
    os.replace(tmp, path)


def process_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its parent does not count)."""
    stat = _read(Path(f"/proc/{pid}/stat"))
    return bool(stat) and stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _stop(process: subprocess.Popen[bytes], sig: int | None, timeout: float) -> None:
    """Send ``sig`` (None: already sent), wait up to ``timeout`` s, then SIGKILL."""
    if process.poll() is None:
        if sig is not None:
            process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def _await(awaitable: Awaitable[None]) -> None:
    await awaitable


def _say(text: str, *, end: str = "\n", stream: TextIO | None = None) -> None:
    """Print and flush; a closed terminal or pipe must not stop the shutdown."""
    with contextlib.suppress(OSError, ValueError):
        print(text, end=end, file=stream or sys.stdout, flush=True)


def _show(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


class _Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived."""


class _Signals:
    """Turns SIGINT, SIGTERM and SIGHUP into :class:`_Interrupted`, held back in ``held()``.

    Holding back is a flag, not a signal mask: children inherit a mask and would ignore SIGTERM.
    """

    depth = 0
    arrived: str | None = None

    @classmethod
    def handle(cls, signum: int, _: FrameType | None) -> None:
        cls.arrived = signal.Signals(signum).name
        if cls.depth == 0:
            raise _Interrupted(cls.arrived)

    @classmethod
    @contextlib.contextmanager
    def held(cls) -> Iterator[None]:
        """No interruption inside, so no child starts without being recorded."""
        cls.depth += 1
        try:
            yield
        finally:
            cls.depth -= 1
        if cls.depth == 0 and cls.arrived:
            raise _Interrupted(cls.arrived)


def run_local_stack(directory: Path) -> int:
    """``kravflyt run``: start everything, print the URLs, stop everything on Ctrl-C."""
    env = os.environ
    ports = {
        name: int(env.get(f"KRAVFLYT_{name.upper()}_HTTP_PORT", definition.default_port))
        for name, definition in discover_services().items()
    }
    nats_port = int(env.get("KRAVFLYT_NATS_PORT", "4222"))
    fake_ports = {
        name: int(env.get(f"KRAVFLYT_FAKE_{name.upper()}_PORT", port))
        for name, port in FAKE_PORTS.items()
    }
    stack = LocalStack(
        directory, nats_port=nats_port, ports=ports, fake_ports=fake_ports, verbose=True
    )
    try:
        stack.acquire_lock()
    except AlreadyRunningError as error:
        _say(str(error), stream=sys.stderr)
        return 1
    for sig in _SIGNALS:
        signal.signal(sig, _Signals.handle)
    code = 1
    try:
        stack.start_infrastructure()
        stack.prepare()
        logs = _show(stack.directory / "logs")
        if stack.fakes:
            fakes = ", ".join(stack.fakes)
            with stack._step(f"starting the fake national services ({fakes})"):
                stack.start_fakes()
        with stack._step(f"starting {', '.join(stack.services)} (logs in {logs}/)"):
            for name in stack.services:  # together: most of their start-up is imports
                stack.start_service(name, wait=False)
            for name in stack.services:
                stack.wait_ready(name)
        _print_summary(stack)
        while (dead := stack.dead_process()) is None:
            time.sleep(0.5)
        name, how = dead
        _say(f"\n{name} stopped ({how}); the end of its log:\n{stack.log_tail(name)}\n")
    except _Interrupted:
        _say("\nStopping Kravflyt …")
        code = 0
    except StackError as error:
        _say(f"\n{error}\n", stream=sys.stderr)
    finally:
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        stack.stop_all()
    _say("Kravflyt stopped." if code == 0 else "Kravflyt stopped after an error.")
    return code


def _print_summary(stack: LocalStack) -> None:
    token = f"{_show(Path(sys.executable).parent / 'kravflyt')} token --orgnr {DEMO_ORGNR}"
    if stack.directory != Path(".kravflyt").resolve():
        token = f"KRAVFLYT_LOCAL_DIR={_show(stack.directory)} {token}"
    lines = ["", "Kravflyt is running:", ""]
    for name in stack.services:
        url = stack.service_url(name)
        lines.append(f"  {name:<13} {url:<23} API docs: {url}/docs")
    if stack.fakes_started:
        lines += ["", "  Fakes of the national services (admin API under /_admin):"]
        lines += [f"  {name:<13} {stack.fake_url(name)}" for name in stack.fakes]
    lines += [
        "",
        f"  Logs:   {_show(stack.directory / 'logs')}/<service>.log",
        f"  Token:  {token}   (Drammen kommune)",
        f"  Data:   {_show(stack.directory)}/ survives restarts; delete it to start afresh",
        "",
        "Ctrl-C stops everything.",
    ]
    _say("\n".join(lines))
