"""What a service is to the runtime: its definition (found by entry point) and its plumbing.

Each service package exposes ``SERVICE = ServiceDefinition(...)`` and registers it under the
``kravflyt.services`` entry-point group; the runtime never imports a service by name.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from runtime.bus import Bus
from runtime.db import Clock, UnitOfWork, create_engine, utc_now
from runtime.docs import docs_router, install_openapi
from runtime.kafka_admin import KafkaOptions
from runtime.limits import RequestLimits
from runtime.logging import configure_logging
from runtime.metrics import ScrapeHook, install_metrics
from runtime.outbox import OutboxRelay
from runtime.problems import install_problem_handlers
from runtime.resealing import SealedColumn
from runtime.settings import ServiceSettings
from runtime.telemetry import configure_telemetry, instrument_fastapi

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceDefinition:
    """How to configure, migrate, serve and seed one service."""

    name: str
    default_port: int
    settings_class: type[ServiceSettings]
    create_app: Callable[[Any], FastAPI]
    migrations: Path
    seed_demo: Callable[[Any, Path], Awaitable[None]] | None = None
    commands: Any = None  # an optional typer.Typer mounted as ``kravflyt <name> ...``
    # Columns holding values sealed with the personal-data keys (``kravflyt personal-data``).
    sealed_columns: tuple[SealedColumn, ...] = ()


def service_names() -> list[str]:
    """Names of the installed services, without importing them."""
    return sorted(entry.name for entry in entry_points(group="kravflyt.services"))


def load_service(name: str) -> ServiceDefinition:
    """Import one service's definition."""
    [entry] = [e for e in entry_points(group="kravflyt.services") if e.name == name]
    definition: ServiceDefinition = entry.load()
    return definition


def discover_services() -> dict[str, ServiceDefinition]:
    """Every installed service, by name, in a stable order."""
    return {name: load_service(name) for name in service_names()}


@dataclass
class Runtime:
    """The shared plumbing of one service process: database, bus, outbox relay."""

    settings: ServiceSettings
    clock: Clock = utc_now
    engine: Any = field(init=False)
    bus: Bus = field(init=False)
    relay: OutboxRelay = field(init=False)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        s = self.settings
        self.engine = create_engine(s.database_url, pool_size=s.db_pool_size)
        self.bus = Bus(
            s.bus_url,
            s.service,
            max_attempts=s.consumer_max_attempts,
            retry_base_seconds=s.consumer_retry_base_seconds,
            consume=s.role != "api",
            kafka=KafkaOptions.from_settings(s),
        )
        self.relay = OutboxRelay(
            self.engine, self.bus, batch_size=s.relay_batch_size, poll_seconds=s.relay_poll_seconds
        )

    def uow(self) -> UnitOfWork:
        """A new unit of work whose commit wakes the relay."""
        uow = UnitOfWork(self.engine, source=self.settings.service, clock=self.clock)
        uow.on_commit.append(self.relay.wake)
        return uow

    async def start(self) -> None:
        """Connect the bus, start subscribers and (if enabled) the outbox relay.

        An ``api`` process starts without the bus: its writes wait in the outbox, so it keeps
        serving through a broker outage and connects when the broker answers.
        """
        if self.settings.role == "api":
            self._tasks.append(asyncio.create_task(self._connect_bus(), name="bus-connect"))
        else:
            await self.bus.start()
        if self.settings.relay_enabled:
            self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        if self.settings.role != "api":  # an api process consumes nothing
            self._tasks.append(asyncio.create_task(self._measure_lag(), name="consumer-lag"))

    async def _connect_bus(self, first_delay: float = 0.5, max_delay: float = 30.0) -> None:
        delay = first_delay
        while True:
            try:
                await self.bus.start()
                return
            except Exception as error:
                log.warning("bus unreachable (%s); retrying in %.0f s", type(error).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)

    async def _measure_lag(self, every_seconds: float = 15.0) -> None:
        while True:
            try:
                await self.bus.measure_lag()
            except Exception:
                log.warning("could not measure consumer lag", exc_info=True)
            await asyncio.sleep(every_seconds)

    async def stop(self) -> None:
        """Stop the relay and the bus, then close the pool."""
        self.relay.stop()
        for task in self._tasks:
            if task.get_name() in ("consumer-lag", "bus-connect"):
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, timeout=5)
        await self.bus.stop()
        await self.engine.dispose()

    async def readiness(self) -> dict[str, str]:
        """``ok`` or the failure for each dependency this process cannot serve without.

        An ``api`` process needs only its database (events wait in the outbox); a process
        that consumes needs the bus as well.
        """
        checks: dict[str, str] = {}
        try:
            async with self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as error:
            checks["database"] = type(error).__name__
        if self.settings.role == "api":
            return checks
        try:
            checks["bus"] = "ok" if await self.bus.broker.ping(timeout=2.0) else "unreachable"
        except Exception as error:
            checks["bus"] = type(error).__name__
        return checks


class Liveness(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(description="Each dependency: ok, or what went wrong")


def health_router(runtime: Runtime) -> APIRouter:
    """``/health/live`` (the process answers) and ``/health/ready`` (what the role needs)."""
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live", response_model=None, responses={200: {"model": Liveness}})
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/ready", responses={200: {"model": Readiness}, 503: {"model": Readiness}})
    async def ready() -> JSONResponse:
        checks = await runtime.readiness()
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "unavailable", "checks": checks},
            status_code=200 if healthy else 503,
        )

    return router


def service_app(
    runtime: Runtime,
    *,
    title: str,
    version: str = "0.1.0",
    routers: Sequence[APIRouter] = (),
    description: str = "",
    on_scrape: Sequence[ScrapeHook] = (),
    body_limits: Mapping[str, int] | None = None,
) -> FastAPI:
    """A FastAPI app with health, metrics, RFC 9457 problems, tracing, and the runtime's lifecycle.

    Requests are held to the limits of :mod:`runtime.limits`; ``body_limits`` names the routes
    (exact paths) that take bodies larger than ``http_max_body_bytes``.

    A ``worker`` process serves only health and metrics; its work is the subscribers.
    """
    configure_logging(runtime.settings.service, runtime.settings.log_level)
    configure_telemetry(runtime.settings.service)

    operations = _operations_app(runtime) if runtime.settings.metrics_port else None

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        server = _serve_operations(operations, runtime.settings) if operations else None
        try:
            yield
        finally:
            if server is not None:
                await server.stop()
            await runtime.stop()

    settings = runtime.settings
    app = FastAPI(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_problem_handlers(app)
    app.add_middleware(
        RequestLimits,
        max_body_bytes=settings.http_max_body_bytes,
        max_query_bytes=settings.http_max_query_bytes,
        max_json_depth=settings.http_max_json_depth,
        body_limits=body_limits,
    )
    app.include_router(docs_router(title))
    install_openapi(app)
    if operations is None:
        # With an operations port, health and metrics stay off the (maybe public) HTTP port.
        app.include_router(health_router(runtime))
    install_metrics(app, runtime.settings.service, on_scrape, expose_on=operations)
    if runtime.settings.role != "worker":
        for router in routers:
            app.include_router(router)
    instrument_fastapi(app)
    app.state.runtime = runtime
    return app


def _operations_app(runtime: Runtime) -> FastAPI:
    """Health and metrics alone, for the operations port (``metrics_port``)."""
    operations = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    operations.include_router(health_router(runtime))
    return operations


class _NestedServer(uvicorn.Server):
    """A second server in the process: the main server owns the signals."""

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


@dataclass
class _OperationsServer:
    server: uvicorn.Server
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(self.task, timeout=5)


def _serve_operations(app: FastAPI, settings: ServiceSettings) -> _OperationsServer:
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.metrics_port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    server = _NestedServer(config)
    return _OperationsServer(server, asyncio.create_task(server.serve(), name="operations-http"))
