"""What every fake shares: switchable faults, the admin API, a server in a thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel

ErrorBody = Callable[[int, str, str], Response]


class FaultIn(BaseModel):
    """A fault to inject: the next ``times`` matching requests fail (``-1``: until cleared).

    ``error`` answers ``status`` at once; ``timeout`` waits ``seconds`` and answers 504;
    ``slow`` lets the request succeed but answers only after ``seconds`` (a caller that dies
    meanwhile has sent the letter without knowing it).
    """

    mode: Literal["error", "timeout", "slow"] = "error"
    status: int = 503
    code: str = "SERVICE_UNAVAILABLE"
    message: str = "The service is unavailable (injected fault)"
    times: int = 1
    path: str = ""
    seconds: float = 30.0


@dataclass
class Faults:
    """Faults waiting for requests; admin paths are never affected."""

    pending: list[FaultIn] = field(default_factory=list)
    hits: int = 0

    def take(self, path: str) -> FaultIn | None:
        for fault in self.pending:
            if fault.times != 0 and fault.path in path:
                if fault.times > 0:
                    fault.times -= 1
                self.hits += 1
                return fault
        return None


def install_faults(app: FastAPI, faults: Faults, error_body: ErrorBody) -> None:
    """Answer with the pending fault before the real endpoint sees the request."""

    @app.middleware("http")
    async def inject(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        fault = None if path.startswith("/_admin") else faults.take(path)
        if fault is None:
            return await call_next(request)
        if fault.mode == "slow":
            response = await call_next(request)
            await asyncio.sleep(fault.seconds)
            return response
        if fault.mode == "timeout":
            await asyncio.sleep(fault.seconds)
            return error_body(504, "TIMEOUT", "The service did not answer in time")
        return error_body(fault.status, fault.code, fault.message)


def admin_router(faults: Faults, reset: Callable[[], None]) -> APIRouter:
    """``/_admin``: health, faults and reset; each fake adds its own views."""
    router = APIRouter(prefix="/_admin", tags=["admin"])

    @router.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @router.post("/faults", status_code=201)
    async def add_fault(fault: FaultIn) -> dict[str, Any]:
        faults.pending.append(fault)
        return {"pending": len(faults.pending)}

    @router.delete("/faults", status_code=204)
    async def clear_faults() -> None:
        faults.pending.clear()

    @router.get("/faults")
    async def fault_hits() -> dict[str, Any]:
        return {"hits": faults.hits, "pending": [f.model_dump() for f in faults.pending]}

    @router.post("/reset", status_code=204)
    async def reset_all() -> None:
        faults.pending.clear()
        faults.hits = 0
        reset()

    return router


class ServerThread:
    """A fake served by uvicorn in a background thread (in-process tests, benchmarks)."""

    def __init__(self, app: FastAPI, port: int, host: str = "127.0.0.1") -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=5)
