"""Min side's pay page, and Vipps start → redirect through payments to the fake Vipps.

``python -m benchmarks minside_pay [--sessions 50] [--page-requests 40]``

Embedded PostgreSQL and NATS; ``kravflyt serve payments`` and ``kravflyt serve minside`` as
processes of their own, wired as ``make run`` wires them (Min side's service token from the
local issuer payments trusts); the fake Vipps (``python -m fakes vipps``) as a third process.
Claims go in as ``claims.registered.v2`` on NATS: payments opens the accounts and publishes the
balances Min side's read model shows, so both sides agree on every amount. Citizens log in
through the OIDC provider of ``benchmarks.minside``.

* **Pay page**: each session ``GET /pay`` (three open claims, the choice form, KIDs) with 1 s
  think time between its requests.
* **Vipps start → redirect**: each session, with 1 s think time, fetches ``/pay?claim=…``
  (untimed: it gives the form's tokens) and posts the pay form; timed from the ``POST
  /pay/vipps`` until Min side's ``303`` to the Vipps landing page arrives (Min side → payments
  → the fake Vipps and back; each post a new Vipps payment).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import nats

import minside
import payments
from benchmarks.minside import _concurrent, _cpu, _login, _ms, _provider
from benchmarks.report import Section, percentile
from benchmarks.stack import log_tail, spawn_service, step, stop_process
from runtime.embedded import free_port, start_nats, start_postgres
from runtime.local_issuer import LocalIssuer
from runtime.migrations import upgrade_async
from runtime.personal_data import PersonalDataKeys, debtor_ref

_TESTS = Path(__file__).parents[1] / "services/minside/tests"
sys.path[:0] = [str(_TESTS)]
import minside_idporten  # noqa: E402
from minside_factories import fodselsnummer, registered  # noqa: E402
from minside_pages import csrf_of, form_token_of  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CLAIMS = 3
THINK_S = 1.0
GOAL_PAGE_P99_MS = 150.0
GOAL_VIPPS_P99_MS = 300.0
SESSION_SECRET = "minside-session-secret-for-benchmarks-0123456789"  # noqa: S105 - bench only


def _fake_vipps(root: Path, port: int) -> subprocess.Popen[bytes]:
    step(f"starting the fake Vipps: python -m fakes vipps --port {port}")
    env = {**os.environ, "PYTHONPATH": str(REPO), "FAKE_VIPPS_WEBHOOK_URL": ""}
    with open(root / "fake-vipps.log", "ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own fake, fixed arguments
            [sys.executable, "-m", "fakes", "vipps", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    for _ in range(200):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/_admin/health").status_code == 200:
                return process
        time.sleep(0.05)
    raise RuntimeError(f"the fake Vipps did not start:\n{log_tail(root, 'fake-vipps')}")


async def _publish_claims(nats_url: str, refs: list[str]) -> dict[str, list[str]]:
    """Three claims per citizen, due in a month (no interest yet), as intake publishes them."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    claims: dict[str, list[str]] = {}
    try:
        for ref in refs:
            for i in range(CLAIMS):
                e = registered(
                    ref,
                    principal_ore=50_000 + 1_000 * i,
                    due=date.today() + timedelta(days=30),
                    description=f"Krav {i + 1}",
                )
                claims.setdefault(ref, []).append(str(e.payload.claim_id))
                await js.publish(
                    f"kravflyt.{e.type}",
                    e.model_dump_json().encode(),
                    headers={"Nats-Msg-Id": str(e.id)},
                )
    finally:
        await nc.close()
    return claims


async def _until_shown(dsn: str, count: int, seconds: float = 120.0) -> None:
    """Until Min side's read model has every claim with its KID and balance."""
    conn = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            shown = await conn.fetchval(
                "SELECT count(*) FROM claim_view WHERE kid IS NOT NULL"
                " AND balance_total_ore IS NOT NULL"
            )
            if shown >= count:
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"Min side shows {shown} of {count} claims after {seconds:.0f} s")
    finally:
        await conn.close()


async def _vipps_starts(
    base: str, vipps: str, cookies: list[str], claims: list[list[str]], per_session: int
) -> tuple[list[float], float, list[str]]:
    """Each session: GET the pay page of one claim, POST its form; ms until the 303 to Vipps."""
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    async def one(cookie: str, ids: list[str]) -> None:
        async with httpx.AsyncClient(
            base_url=base, headers={"Cookie": cookie}, timeout=30.0, limits=limits
        ) as client:
            await asyncio.sleep(random.uniform(0, THINK_S))
            for n in range(per_session):
                if n:
                    await asyncio.sleep(THINK_S)
                claim = ids[n % len(ids)]
                page = await client.get("/pay", params={"claim": claim})
                form = {
                    "csrf_token": csrf_of(page),
                    "form_token": form_token_of(page),
                    "claim_ids": claim,
                }
                t = time.perf_counter()
                try:
                    answer = await client.post("/pay/vipps", data=form)
                except httpx.HTTPError as error:
                    errors.append(f"{type(error).__name__}: {error}")
                    continue
                elapsed = (time.perf_counter() - t) * 1000
                location = answer.headers.get("location", "")
                if answer.status_code != 303 or not location.startswith(vipps + "/fake/landing/"):
                    errors.append(f"HTTP {answer.status_code}: {answer.text[:200]}")
                    continue
                latencies.append(elapsed)

    started = time.perf_counter()
    await asyncio.gather(*(one(c, ids) for c, ids in zip(cookies, claims, strict=True)))
    wall = time.perf_counter() - started
    latencies.sort()
    return latencies, wall, errors


async def run(sessions: int = 50, per_session: int = 40) -> Section:
    """Seed through payments, serve both, log in, measure; the table section."""
    with tempfile.TemporaryDirectory(prefix="kravflyt-bench-pay-") as directory:
        root = Path(directory)
        step("starting embedded PostgreSQL and NATS for payments and minside")
        pg = start_postgres(root / "pg")
        processes: dict[str, subprocess.Popen[bytes]] = {}
        try:
            urls = {}
            for name, package in (("payments", payments), ("minside", minside)):
                pg.create_database(f"{name}_bench")
                urls[name] = pg.url(f"{name}_bench")
                await upgrade_async(Path(package.__file__).with_name("migrations"), urls[name])
            nats_port = free_port()
            processes["nats"] = start_nats(
                root / "nats", nats_port, log_file=root / "nats.log", new_session=True
            )
            nats_url = f"nats://127.0.0.1:{nats_port}"
            issuer = LocalIssuer.load_or_create(root / "issuer")
            vipps_port, payments_port, minside_port = free_port(), free_port(), free_port()
            vipps = f"http://127.0.0.1:{vipps_port}"
            processes["fake-vipps"] = _fake_vipps(root, vipps_port)
            pseudonym, sealing, active = PersonalDataKeys.generate("bench1").to_strings()
            keys = PersonalDataKeys.from_strings(pseudonym, sealing, active)
            base_env = {k: v for k, v in os.environ.items() if not k.startswith("KRAVFLYT_")}
            common = {
                "KRAVFLYT_BUS_URL": nats_url,
                "KRAVFLYT_LOCAL_DIR": str(root),
                "KRAVFLYT_AUTH_ISSUER": issuer.issuer,
                "KRAVFLYT_AUTH_AUDIENCE": issuer.audience,
                "KRAVFLYT_AUTH_JWKS_URL": issuer.jwks_url,
                "KRAVFLYT_VIPPS_BASE_URL": vipps,
                "KRAVFLYT_PSEUDONYM_KEY": pseudonym,
                "KRAVFLYT_SEALING_KEYS": sealing,
                "KRAVFLYT_SEALING_ACTIVE_KEY_ID": active,
                "KRAVFLYT_LOG_LEVEL": "WARNING",
            }
            processes["payments"] = spawn_service(
                "payments",
                root,
                base_env | common | {"KRAVFLYT_PAYMENTS_DATABASE_URL": urls["payments"]},
                payments_port,
            )
            with _provider() as provider:
                base = f"http://127.0.0.1:{minside_port}"
                provider.register_redirects(base)
                env = base_env | common
                env |= {
                    "AUTHLIB_INSECURE_TRANSPORT": "1",
                    "KRAVFLYT_MINSIDE_DATABASE_URL": urls["minside"],
                    "KRAVFLYT_MINSIDE_PUBLIC_BASE_URL": base,
                    "KRAVFLYT_MINSIDE_PAYMENTS_BASE_URL": f"http://127.0.0.1:{payments_port}",
                    "KRAVFLYT_MINSIDE_OIDC_ISSUER": provider.issuer,
                    "KRAVFLYT_MINSIDE_OIDC_CLIENT_ID": minside_idporten.CLIENT_ID,
                    "KRAVFLYT_MINSIDE_OIDC_CLIENT_SECRET": minside_idporten.CLIENT_SECRET,
                    "KRAVFLYT_MINSIDE_SESSION_SECRET": SESSION_SECRET,
                    "KRAVFLYT_MINSIDE_LOGIN_RATE_LIMIT": "100000/minute",
                }
                processes["minside"] = spawn_service("minside", root, env, minside_port)
                pids = [fodselsnummer() for _ in range(sessions)]
                refs = [debtor_ref(keys, pid) for pid in pids]
                step(f"{sessions} citizens × {CLAIMS} claims through NATS → payments → minside")
                claims = await _publish_claims(nats_url, refs)
                dsn = urls["minside"].replace("postgresql+asyncpg://", "postgresql://", 1)
                await _until_shown(dsn, sessions * CLAIMS)
                step(f"logging {sessions} citizens in through the OIDC provider")
                cookies = [await _login(base, provider, provider.person(pid)) for pid in pids]
            server = processes["minside"]

            def pay_ok(text: str) -> bool:
                return text.count('id="kid-') == CLAIMS and "/pay/vipps" in text

            step(f"pay page, {THINK_S:.0f} s think time: {sessions} sessions × {per_session}")
            await _concurrent(base, "/pay", cookies, 0, 3, pay_ok)
            cpu0 = _cpu(server)
            page_ms, page_wall, page_err = await _concurrent(
                base, "/pay", cookies, per_session, 0, pay_ok, think=THINK_S
            )
            page_cpu = (_cpu(server) - cpu0) / max(1, len(page_ms))
            starts = max(1, per_session // 4)
            step(f"Vipps start → redirect, {THINK_S:.0f} s think: {sessions} sessions × {starts}")
            hops = ("minside", "payments", "fake-vipps")
            cpu0s = [_cpu(processes[n]) for n in hops]
            vipps_ms, vipps_wall, vipps_err = await _vipps_starts(
                base, vipps, cookies, [claims[r] for r in refs], starts
            )
            # Per start, each process; minside's share includes the untimed GET /pay before it.
            start_cpu = {
                n: (_cpu(processes[n]) - c0) / max(1, len(vipps_ms))
                for n, c0 in zip(hops, cpu0s, strict=True)
            }
            load_end = os.getloadavg()[0]
            for name, process in processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} died:\n{log_tail(root, name)}")
        finally:
            for name in ("minside", "payments", "fake-vipps", "nats"):
                if name in processes:
                    stop_process(processes[name], name, grace=15.0, sig=signal.SIGINT)
            with contextlib.suppress(Exception):
                pg.handle.cleanup()
    return _section(sessions, per_session, starts, page_ms, page_wall, page_err, page_cpu,
                    vipps_ms, vipps_wall, vipps_err, start_cpu, load_end)  # fmt: skip


def _section(
    sessions: int,
    per_session: int,
    starts: int,
    page_ms: list[float],
    page_wall: float,
    page_err: list[str],
    page_cpu: float,
    vipps_ms: list[float],
    vipps_wall: float,
    vipps_err: list[str],
    start_cpu: dict[str, float],
    load_end: float,
) -> Section:
    section = Section(
        f"minside_pay: pay page and Vipps start → redirect, {sessions} logged-in sessions with"
        f" {THINK_S:.0f} s think time; payments, minside and the fake Vipps as processes"
    )
    section.add(
        f"GET /pay ({CLAIMS} open claims), {sessions} sessions × {per_session}",
        _ms(page_ms),
        f"{len(page_ms) / page_wall:,.0f} pages/s" if page_ms else "",
        f"server CPU {1000 * page_cpu:.1f} ms/page",
    )
    section.add(
        f"POST /pay/vipps → 303 to Vipps, {sessions} sessions × {starts}",
        _ms(vipps_ms),
        f"{len(vipps_ms) / vipps_wall:,.1f} starts/s" if vipps_ms else "",
        "CPU ms/start " + ", ".join(f"{n} {1000 * v:.1f}" for n, v in start_cpu.items()),
    )
    page_p99 = percentile(page_ms, 99) if page_ms else float("inf")
    vipps_p99 = percentile(vipps_ms, 99) if vipps_ms else float("inf")
    section.note(
        f"goal pay page p99 < {GOAL_PAGE_P99_MS:.0f} ms:"
        f" {'met' if page_p99 < GOAL_PAGE_P99_MS and not page_err else 'NOT met'}"
        f" ({page_p99:.1f} ms); goal Vipps start → redirect p99 < {GOAL_VIPPS_P99_MS:.0f} ms:"
        f" {'met' if vipps_p99 < GOAL_VIPPS_P99_MS and not vipps_err else 'NOT met'}"
        f" ({vipps_p99:.1f} ms)"
    )
    section.note(
        "Vipps start: Min side stores the attempt, takes its service token (local issuer),"
        " calls payments (token check, ownership and amount of each claim, the fake Vipps'"
        " access token and create payment, the vipps_payment row) and answers 303; the pay page"
        " GET before each post is not timed"
    )
    errors = page_err + vipps_err
    section.note(
        f"errors: pay page {len(page_err)}, Vipps {len(vipps_err)}"
        + (f" — first: {errors[0]}" if errors else "")
        + f"; load average (1 min) at the end {load_end:.2f}"
    )
    return section
