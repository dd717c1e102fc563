"""The fakes of the national services as real processes for the tests, and their admin API."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.embedded import free_port

__all__ = ["Fakes", "fakes"]


@dataclass
class Fakes:
    """The four fakes, each a real process on its own port."""

    urls: dict[str, str]

    def url(self, name: str) -> str:
        return self.urls[name]

    async def admin(self, name: str, method: str, path: str, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.urls[name], timeout=10) as client:
            response = await client.request(method, "/_admin" + path, **kwargs)
            response.raise_for_status()
            return response.json() if response.content else None

    async def fault(self, name: str, **fault: Any) -> None:
        """Make the next request(s) to ``name`` fail (see ``fakes._base.FaultIn``)."""
        await self.admin(name, "POST", "/faults", json=fault)

    async def clear_faults(self) -> None:
        for name in self.urls:
            await self.admin(name, "DELETE", "/faults")

    async def digipost_messages(self, message_id: str) -> list[dict[str, Any]]:
        found = (await self.admin("digipost", "GET", "/messages"))["messages"]
        return [m for m in found if m["message_id"] == message_id]

    async def svarut_letters(self, reference: str) -> list[dict[str, Any]]:
        found = (await self.admin("svarut", "GET", "/forsendelser"))["forsendelser"]
        return [f for f in found if f["eksternReferanse"] == reference]

    async def altinn_orders(self, reference: str) -> list[dict[str, Any]]:
        found = (await self.admin("altinn", "GET", "/orders"))["orders"]
        return [o for o in found if o["sendersReference"] == reference]

    async def wait_altinn_orders(self, reference: str, within: float = 10) -> list[dict[str, Any]]:
        """The alert orders for ``reference`` once one is there: the alert follows the letter."""
        deadline = asyncio.get_running_loop().time() + within
        while not (orders := await self.altinn_orders(reference)):
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.05)
        return orders


@pytest.fixture(scope="session")
def fakes(repo_root: Path) -> Iterator[Fakes]:
    """KRR (with Maskinporten), Digipost, SvarUt and Altinn as subprocesses."""
    processes: list[subprocess.Popen[bytes]] = []
    urls: dict[str, str] = {}
    env = {**os.environ, "PYTHONPATH": str(repo_root)}
    for name in ("krr", "digipost", "svarut", "altinn"):
        port = free_port()
        command = [sys.executable, "-m", "fakes", name, "--port", str(port)]
        processes.append(subprocess.Popen(command, cwd=repo_root, env=env))
        urls[name] = f"http://127.0.0.1:{port}"
    try:
        for name, url in urls.items():
            _wait_healthy(name, url)
        yield Fakes(urls)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def _wait_healthy(name: str, url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/_admin/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the {name} fake did not start")
