"""Helpers of the end-to-end tests: the daily run as the CronJob runs it, and what to wait for."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from runtime.localstack import LocalStack


def daily_run(
    stack: LocalStack, day: date, extra_env: dict[str, str] | None = None
) -> dict[str, Any]:
    """``kravflyt dunning run --date DAY`` as a process; its JSON report."""
    command = [
        str(Path(sys.executable).parent / "kravflyt"),
        "dunning",
        "run",
        "--date",
        day.isoformat(),
    ]
    env = {**os.environ, **stack.env_for("dunning"), **(extra_env or {})}
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


async def until_kid_known(database_url: str, claim_id: str, wait: float = 20.0) -> None:
    """Wait until dunning has learnt the claim's KID (from accounts.opened.v1)."""
    import asyncpg

    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn)
    try:
        for _ in range(int(wait / 0.2)):
            query = "SELECT kid FROM claim_ledger WHERE claim_id = $1"
            if await connection.fetchval(query, UUID(claim_id)):
                return
            await asyncio.sleep(0.2)
    finally:
        await connection.close()
    raise AssertionError("dunning never recorded the claim's KID")


def post_overdue_property_claim(
    stack: LocalStack, claim_body: Callable[..., dict[str, Any]], today: date
) -> dict[str, Any]:
    """POST a property fee that fell due 30 days ago (a reminder is due today); the claim."""
    body = claim_body(
        claim_type="eiendomsgebyr",
        property={"gnr": 12, "bnr": 34},
        issue_date=(today - timedelta(days=60)).isoformat(),
        due_date=(today - timedelta(days=30)).isoformat(),
    )
    headers = {"Authorization": f"Bearer {stack.token()}"}
    with httpx.Client(base_url=stack.service_url("intake"), trust_env=False) as client:
        created = client.post("/v1/claims", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return created.json() | {"debtor_id": body["debtor"]["id"]}


def claim_in_notice(claim_id: str) -> Callable[[dict[str, Any]], bool]:
    """Matches a ``notices.requested.v2`` whose letter lists the claim."""
    return lambda e: any(c["claim_id"] == claim_id for c in e["payload"]["claims"])
