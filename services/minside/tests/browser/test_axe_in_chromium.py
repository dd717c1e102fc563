"""axe-core finds nothing on any page of Min side, in bokmål, nynorsk and English."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from minside_axe import axe_violations
from minside_chromium import LANGS, citizen, log_in


async def _pages(served: Any, page: Any, kari: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, path) of every page a citizen can reach, with one of each form in use."""
    await page.goto(f"/requests/new/dispute?claim={kari['sfo']}")
    await page.fill("#text", "Barnet hadde ikke plass i november.")
    await page.locator("form[action='/requests/new/dispute'] button[type=submit]").click()
    await page.wait_for_url("**/requests/*")
    request_path = "/" + page.url.split("/", 3)[3]
    return [
        ("overview", "/"),
        ("claim", f"/claims/{kari['vann']}"),
        ("paid-claim", f"/claims/{kari['paid']}"),
        ("history", "/history"),
        ("pay", "/pay"),
        ("pay-done", "/pay/done"),
        ("requests", "/requests"),
        ("request", request_path),
        ("plan", f"/requests/new/plan?claim={kari['sfo']}"),
        ("deferral", f"/requests/new/deferral?claim={kari['sfo']}"),
        ("dispute", f"/requests/new/dispute?claim={kari['vann']}"),
        ("contact", "/requests/new/contact"),
        ("accessibility", "/accessibility"),
        ("not-found", "/no/such/page"),
    ]


@pytest.mark.parametrize("lang", list(LANGS))
async def test_axe_finds_nothing_on_any_page(served, chromium, screenshots, lang):
    kari = await citizen(served)
    page = await log_in(served, chromium, kari["user"], lang)
    await page.goto(f"/language?lang={lang}&next=/")
    found: dict[str, Any] = {}

    for name, path in await _pages(served, page, kari):
        await page.goto(path)
        found[name] = await axe_violations(page)
        await page.screenshot(path=str(screenshots / f"{lang}-{name}.png"), full_page=True)
    found.update(await _form_states(page, kari, screenshots, lang))
    await page.get_by_role(
        "button", name={"nb": "Logg ut", "nn": "Logg ut", "en": "Log out"}[lang]
    ).click()
    await _confirm_provider_logout(page)
    found["logged-out"] = await axe_violations(page)
    await page.screenshot(path=str(screenshots / f"{lang}-logged-out.png"), full_page=True)
    await page.goto("/")
    found["start"] = await axe_violations(page)

    assert {k: v for k, v in found.items() if v} == {}, json.dumps(found, indent=1)
    assert await page.get_by_role(
        "link",
        name={
            "nb": "Logg inn med ID-porten",
            "nn": "Logg inn med ID-porten",
            "en": "Log in with ID-porten",
        }[lang],
    ).is_visible()
    await page.context.close()


async def _form_states(page: Any, kari: dict[str, Any], shots: Path, lang: str) -> dict[str, Any]:
    """A form with errors shown, and the plan preview."""
    found = {}
    await page.goto(f"/requests/new/deferral?claim={kari['sfo']}")
    await page.fill("#until", "2020-01-01")
    await page.locator("form[action='/requests/new/deferral'] button[type=submit]").click()
    found["deferral-errors"] = await axe_violations(page)
    await page.screenshot(path=str(shots / f"{lang}-deferral-errors.png"), full_page=True)
    await page.goto(f"/requests/new/plan?claim={kari['sfo']}")
    await page.fill("#monthly_kroner", "500")
    await page.locator("form[action='/requests/new/plan/preview'] button[type=submit]").click()
    found["plan-preview"] = await axe_violations(page)
    return found


async def _confirm_provider_logout(page: Any) -> None:
    """The provider asks before ending its session; say yes."""
    await page.wait_for_load_state()
    if "/logged-out" not in page.url:
        await page.locator("button[value=logout]").click()
        await page.wait_for_url("**/logged-out**")
