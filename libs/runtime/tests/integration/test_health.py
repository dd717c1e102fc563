"""Health endpoints report the database and the bus honestly."""

from __future__ import annotations

import httpx
import pytest

from runtime.embedded import free_port
from runtime.service import Runtime, service_app
from runtime.settings import ServiceSettings


def settings(database_url: str, bus_url: str) -> ServiceSettings:
    return ServiceSettings(
        service="healthtest", database_url=database_url, bus_url=bus_url, relay_enabled=False
    )


async def get(app, path: str) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        return await client.get(path)


async def test_ready_is_ok_when_database_and_bus_answer(fresh_database, nats_url):
    runtime = Runtime(settings(fresh_database("health"), nats_url))
    app = service_app(runtime, title="t")
    await runtime.start()

    live, ready = await get(app, "/health/live"), await get(app, "/health/ready")
    await runtime.stop()

    assert live.status_code == 200
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "bus": "ok"}


async def test_ready_is_unavailable_when_the_database_is_gone(postgres, nats_url):
    runtime = Runtime(settings(postgres.url("no_such_database"), nats_url))
    app = service_app(runtime, title="t")
    await runtime.start()

    ready = await get(app, "/health/ready")
    await runtime.stop()

    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] != "ok"
    assert ready.json()["checks"]["bus"] == "ok"


def down_bus() -> str:
    return f"nats://127.0.0.1:{free_port()}"


async def test_an_api_process_starts_and_is_ready_while_the_bus_is_down(fresh_database):
    api = settings(fresh_database("health_api"), down_bus()).model_copy(update={"role": "api"})
    runtime = Runtime(api)
    app = service_app(runtime, title="t")
    await runtime.start()

    ready = await get(app, "/health/ready")
    await runtime.stop()

    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok"}


async def test_a_consuming_process_is_not_ready_while_the_bus_is_down(fresh_database):
    worker = settings(fresh_database("health_worker"), down_bus())
    app = service_app(Runtime(worker.model_copy(update={"role": "worker"})), title="t")

    ready = await get(app, "/health/ready")

    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["bus"] != "ok"


async def test_metrics_and_health_move_to_the_operations_port_when_one_is_set(
    fresh_database, nats_url
):
    port = free_port()
    ops = settings(fresh_database("health_ops"), nats_url).model_copy(update={"metrics_port": port})
    app = service_app(Runtime(ops), title="t")

    async with app.router.lifespan_context(app):
        public = await get(app, "/metrics")
        public_health = [await get(app, p) for p in ("/health/live", "/health/ready")]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False) as c:
            metrics, ready = await c.get("/metrics"), await c.get("/health/ready")

    assert public.status_code == 404
    assert [h.status_code for h in public_health] == [404, 404]
    assert metrics.status_code == 200 and "kravflyt_http_requests_total" in metrics.text
    assert ready.status_code == 200
    with pytest.raises(httpx.TransportError):  # the port closes with the app
        async with httpx.AsyncClient(trust_env=False) as c:
            await c.get(f"http://127.0.0.1:{port}/metrics")
