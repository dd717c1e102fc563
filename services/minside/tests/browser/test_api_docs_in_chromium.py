"""The API docs render in headless Chromium with nothing from outside, under Min side's CSP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


async def _offline_page(served: Any, chromium: Any) -> tuple[Any, list[str], list[str]]:
    """A page that may reach only Min side; what it tried elsewhere and its console errors."""
    context = await chromium.new_context(base_url=served.container.base_url)
    page = await context.new_page()
    local = urlsplit(served.container.base_url).netloc
    outside: list[str] = []
    errors: list[str] = []

    async def only_local(route: Any) -> None:
        if urlsplit(route.request.url).netloc in (local, ""):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await page.route("**/*", only_local)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, outside, errors


async def test_swagger_ui_renders_offline_with_the_operations_and_an_authorize_button(
    served, chromium, screenshots
):
    page, outside, errors = await _offline_page(served, chromium)

    await page.goto("/docs")
    await page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    await page.screenshot(path=str(screenshots / "api-docs-swagger.png"), full_page=True)
    title = await page.inner_text(".swagger-ui .info .title")
    operations = await page.locator(".opblock").count()

    assert "Kravflyt Min side" in title
    assert operations > 0
    assert outside == []
    assert [e for e in errors if "Content Security Policy" in e] == []
    await page.context.close()


async def test_redoc_renders_offline(served, chromium, screenshots):
    page, outside, errors = await _offline_page(served, chromium)

    await page.goto("/redoc")
    await page.wait_for_selector("h1", timeout=15_000)
    await page.screenshot(path=str(screenshots / "api-docs-redoc.png"), full_page=True)
    heading = await page.inner_text("h1")

    assert "Kravflyt Min side" in heading
    assert outside == []
    # ReDoc's own "powered by" logo is a remote image: the CSP keeps it out, and nothing else.
    blocked = [e for e in errors if "Content Security Policy" in e]
    assert [e for e in blocked if "cdn.redoc.ly/redoc/logo-mini.svg" not in e] == []
    await page.context.close()
