"""Single-claim POST latency at a steady request rate (open loop), beside /health/live.

Requests are scheduled at fixed intervals (10 ms at 100 requests/s) and sent whether or not
earlier ones have answered; each latency is measured from the request's *scheduled* send time,
so a stall shows up in every request it delays (no coordinated omission). The floor is
``GET /health/live`` at the same rate against the same process: HTTP, uvicorn and the client
with no database work. A short warm-up at the same rate precedes each phase and is not counted.

To read the percentiles, a short closed-loop phase (4 requests in flight for 5 s) then
measures how many single claims per second the process can take at all: latency grows
steeply once the offered rate approaches that capacity.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.data import ClaimFactory
from benchmarks.intake_batch import DRAIN_TIMEOUT, _wait_drained
from benchmarks.report import Section, percentile
from benchmarks.stack import Stack, step

WARMUP_SECONDS = 1.0
CAPACITY_CLIENTS = 4
CAPACITY_SECONDS = 5.0
CAPACITY_MAX_REQUESTS = 3000
# After the last scheduled send, answers still missing this much later are given up (and
# counted as errors, their waits so far kept as lower bounds in the percentiles).
GRACE_SECONDS = 10.0


@dataclass
class Phase:
    """Latencies (seconds from scheduled send to complete response) of one open-loop phase."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    max_send_lag: float = 0.0
    sent: int = 0
    first_scheduled: float = 0.0
    last_done: float = 0.0
    unfinished: list[float] = field(default_factory=list)

    @property
    def completed_per_second(self) -> float:
        span = self.last_done - self.first_scheduled
        return len(self.latencies) / span if span > 0 else 0.0

    def ms(self, p: float) -> float:
        return 1000 * percentile(sorted(self.latencies + self.unfinished), p)

    @property
    def failed(self) -> int:
        return len(self.errors) + len(self.unfinished)


async def open_loop(
    request: Callable[[int], Awaitable[httpx.Response]],
    *,
    count: int,
    interval: float,
    expected_status: int,
) -> Phase:
    """Send ``count`` requests at fixed ``interval``s, never waiting for earlier answers."""
    loop = asyncio.get_running_loop()
    phase = Phase()

    async def one(i: int, scheduled: float) -> None:
        phase.max_send_lag = max(phase.max_send_lag, loop.time() - scheduled)
        try:
            response = await request(i)
        except httpx.HTTPError as error:
            phase.errors.append(f"{type(error).__name__}: {error}")
            return
        done = loop.time()
        latency = done - scheduled
        phase.last_done = max(phase.last_done, done)
        if response.status_code != expected_status:
            phase.errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
            return
        phase.latencies.append(latency)

    start = loop.time() + 0.05
    phase.first_scheduled = start
    tasks: dict[asyncio.Task[None], float] = {}
    for i in range(count):
        scheduled = start + i * interval
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks[asyncio.create_task(one(i, scheduled))] = scheduled
        phase.sent += 1
    _, late = await asyncio.wait(tasks, timeout=GRACE_SECONDS)
    if late:
        now = loop.time()
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        # Lower bounds: how long they had waited when given up.
        phase.unfinished = [now - tasks[task] for task in late]
    return phase


async def run(
    stack: Stack, *, rate: float, duration: float, idempotency_keys: bool = True
) -> Section:
    """Health floor first, then claims; returns the section for the table."""
    interval = 1.0 / rate
    count = max(1, round(rate * duration))
    warm = max(1, round(rate * WARMUP_SECONDS))
    factory = ClaimFactory(stack.run_id)
    bodies = factory.single_bodies("single", warm + count + CAPACITY_MAX_REQUESTS)
    gc.freeze()  # the pre-built bodies are never garbage: keep the client's GC pauses short
    headers = stack.headers()
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    timeout = httpx.Timeout(30.0, connect=10.0)
    conn = await stack.connect()
    try:
        async with httpx.AsyncClient(
            base_url=stack.base_url, limits=limits, timeout=timeout
        ) as client:

            async def health(_: int) -> httpx.Response:
                return await client.get("/health/live")

            def claims(offset: int) -> Callable[[int], Awaitable[httpx.Response]]:
                async def post(i: int) -> httpx.Response:
                    h = dict(headers)
                    if idempotency_keys:
                        h["Idempotency-Key"] = f"{stack.run_id}-single-{offset + i}"
                    return await client.post("/v1/claims", content=bodies[offset + i], headers=h)

                return post

            step(f"single_claim: GET /health/live at {rate:g}/s for {duration:g} s")
            await open_loop(health, count=warm, interval=interval, expected_status=200)
            cpu0 = stack.cpu_seconds()[0]
            floor = await open_loop(health, count=count, interval=interval, expected_status=200)
            health_cpu = (stack.cpu_seconds()[0] - cpu0) / max(len(floor.latencies), 1)
            step(f"single_claim: POST /v1/claims at {rate:g}/s for {duration:g} s")
            await open_loop(claims(0), count=warm, interval=interval, expected_status=201)
            await _wait_drained(conn, DRAIN_TIMEOUT)
            before = await _registered(conn, factory.series_prefix("single"))
            cpu0 = stack.cpu_seconds()[0]
            posts = await open_loop(
                claims(warm), count=count, interval=interval, expected_status=201
            )
            await _wait_drained(conn, DRAIN_TIMEOUT)
            registered = await _registered(conn, factory.series_prefix("single")) - before
            post_cpu = (stack.cpu_seconds()[0] - cpu0) / max(registered, 1)
            step(f"single_claim: capacity, {CAPACITY_CLIENTS} in flight for {CAPACITY_SECONDS:g} s")
            capacity = await closed_loop(
                claims(warm + count), clients=CAPACITY_CLIENTS, seconds=CAPACITY_SECONDS
            )
        drained = await _wait_drained(conn, DRAIN_TIMEOUT)
        stored = await _registered(conn, factory.series_prefix("single"))
    finally:
        await conn.close()
    return _section(
        rate, duration, count, warm, posts, floor, capacity, stored, drained, post_cpu, health_cpu
    )


async def _registered(conn: Any, prefix: str) -> int:
    """Claims of a series in PostgreSQL with their registered event in the outbox."""
    return int(
        await conn.fetchval(
            """
            SELECT count(*) FROM claim c
            JOIN outbox o ON o.message_key = c.id::text AND o.event_type = 'claims.registered.v2'
            WHERE c.invoice_number LIKE $1
            """,
            prefix + "-%",
        )
    )


@dataclass
class Capacity:
    """Completed requests of a closed-loop phase."""

    done: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


async def closed_loop(
    request: Callable[[int], Awaitable[httpx.Response]], *, clients: int, seconds: float
) -> Capacity:
    """``clients`` loops each sending the next request as soon as the last one answered."""
    result = Capacity()
    numbers = iter(range(CAPACITY_MAX_REQUESTS))
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        for i in numbers:
            if time.perf_counter() >= deadline:
                return
            try:
                response = await request(i)
            except httpx.HTTPError:
                result.errors += 1
                continue
            if response.status_code == 201:
                result.done += 1
            else:
                result.errors += 1

    start = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    result.seconds = time.perf_counter() - start
    return result


def _section(
    rate: float,
    duration: float,
    count: int,
    warm: int,
    posts: Phase,
    floor: Phase,
    capacity: Capacity,
    stored: int,
    drained: float | None,
    post_cpu: float,
    health_cpu: float,
) -> Section:
    section = Section(
        f"single_claim — open loop, {rate:g} requests/s for {duration:g} s ({count:,} requests)"
    )
    for label, p in (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100)):
        post, health = posts.ms(p), floor.ms(p)
        section.add(
            f"POST /v1/claims (1 claim) {label}",
            f"{post:.1f} ms",
            f"GET /health/live {label} {health:.1f} ms",
            f"+{post - health:.1f} ms",
        )
    section.add(
        "errors",
        f"{posts.failed}/{posts.sent:,}",
        f"GET /health/live {floor.failed}/{floor.sent:,}",
    )
    section.add(
        f"POST capacity, closed loop, {CAPACITY_CLIENTS} in flight",
        f"{capacity.per_second:,.0f} claims/s",
        f"offered in the open loop: {rate:g}/s",
        f"load {100 * rate / capacity.per_second:.0f} %" if capacity.per_second else "",
    )
    section.add(
        "CPU per request: intake process",
        f"{1000 * post_cpu:.2f} ms per POST incl. its relay work = "
        f"{1 / max(post_cpu, 1e-9):,.0f} claims/CPU-s",
        f"GET /health/live {1000 * health_cpu:.2f} ms",
    )
    sent = count + warm + capacity.done + capacity.errors
    section.note(
        f"{stored:,} claims with their outbox rows in PostgreSQL for {sent:,} sent "
        f"(incl. {warm} warm-up, {capacity.done + capacity.errors:,} capacity; "
        f"{capacity.errors} capacity errors); relay drained "
        f"{'in time' if drained is not None else 'NOT in time'}"
    )
    section.note(
        f"completed: POST {posts.completed_per_second:,.1f}/s, health "
        f"{floor.completed_per_second:,.1f}/s (offered {rate:g}/s; first scheduled → last answer)"
    )
    section.note(
        f"client send lag (scheduled → sent) max: POST {1000 * posts.max_send_lag:.1f} ms, "
        f"health {1000 * floor.max_send_lag:.1f} ms"
    )
    for name, phase in (("POST", posts), ("health", floor)):
        if phase.unfinished:
            section.note(
                f"{name}: {len(phase.unfinished)} requests unanswered {GRACE_SECONDS:g} s after "
                "the last send were given up (errors; their waits count as lower bounds)"
            )
    for error in (posts.errors + floor.errors)[:3]:
        section.note(f"error: {error}")
    return section
