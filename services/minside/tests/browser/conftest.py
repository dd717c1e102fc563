"""Min side served over real HTTP for headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from minside.bootstrap import create_app
from minside_fakes import FakeNotification, FakePayments
from minside_testing import MinsideUnderTest, minside_settings
from runtime.embedded import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = (
    Path(os.environ.get("KRAVFLYT_ARTIFACTS", "/tmp/kravflyt-artifacts")) / "minside-screenshots"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install -y chromium")
    for item in items:
        if "/browser/" in str(item.path):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def screenshots() -> Path:
    """Where the pages' screenshots go (kept after the run to be looked at)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="module")
async def served(
    minside_db: str, nats_url: str, personal_keys: dict[str, str], idporten: Any
) -> AsyncIterator[MinsideUnderTest]:
    """Min side on http://localhost:<port>, with FAKE payments whose "Vipps" approves at once."""
    port = free_port()
    base = f"http://localhost:{port}"
    idporten.register_redirects(base)
    settings = minside_settings(
        minside_db,
        nats_url,
        personal_keys,
        idporten.issuer,
        public_base_url=base,
        vipps_base_url=base,
    )
    payments = FakePayments(redirect_base=base + "/pay/done")
    notification = FakeNotification()
    app = create_app(settings, payments=payments.client(), documents=notification.client())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(15):
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await asyncio.sleep(0.05)
    async with httpx.AsyncClient(base_url=base) as client:
        yield MinsideUnderTest(app, client, settings, idporten, payments, notification)
    server.should_exit = True
    await task


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Any]:
    """Headless Chromium from Debian."""
    from playwright.async_api import async_playwright

    assert shutil.which(CHROMIUM)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()
