"""Prometheus metrics every service exposes on ``/metrics``.

Names follow Prometheus conventions; the Grafana dashboard in ``deploy/`` uses them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "kravflyt_http_requests_total",
    "HTTP requests answered",
    ["service", "method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "kravflyt_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
EVENTS_CONSUMED = Counter(
    "kravflyt_events_consumed_total",
    "Events handled by a consumer",
    ["service", "event_type", "outcome"],
)
EVENTS_PUBLISHED = Counter(
    "kravflyt_events_published_total",
    "Events the outbox relay published",
    ["service", "event_type"],
)
DEAD_LETTERS = Counter(
    "kravflyt_dead_letters_total",
    "Messages sent to the dead-letter subject",
    ["service", "event_type"],
)
OUTBOX_BACKLOG = Gauge("kravflyt_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "kravflyt_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
CONSUMER_PENDING = Gauge(
    "kravflyt_consumer_pending_messages",
    "Messages waiting for a durable consumer (lag)",
    ["service", "consumer"],
)


ScrapeHook = Callable[[], Awaitable[None]]


def install_metrics(
    app: FastAPI,
    service: str,
    on_scrape: Sequence[ScrapeHook] = (),
    expose_on: FastAPI | None = None,
) -> None:
    """Count and time every request by route template, and serve ``GET /metrics``.

    ``on_scrape`` hooks run before each scrape to refresh gauges whose truth is elsewhere
    (e.g. the daily run's last outcome, written by the CronJob into the service's database).
    ``expose_on`` serves ``/metrics`` on another app (the operations port) instead of ``app``.
    """

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        if template != "/metrics":
            HTTP_REQUESTS.labels(service, request.method, template, str(response.status_code)).inc()
            HTTP_DURATION.labels(service, request.method, template).observe(
                time.perf_counter() - started
            )
        return response

    @(expose_on or app).get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        for hook in on_scrape:
            try:
                await hook()
            except Exception:
                log.warning("a metrics hook failed; serving the last values", exc_info=True)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
