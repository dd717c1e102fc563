"""axe-core (vendored from npm, see browser/vendor) run inside a Playwright page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "browser" / "vendor" / "axe.min.js"


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """What axe-core (every rule it runs by default) finds wrong on the page."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text("utf-8"))
    result = await page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
