"""The ``local_stack`` fixture: a service can be killed and restarted and keeps its data."""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from runtime.localstack import LocalStack, StackError

pytestmark = pytest.mark.e2e


def test_intake_survives_sigkill_and_restart(
    local_stack: LocalStack, claim_body: Callable[..., dict[str, Any]]
) -> None:
    local_stack.start_service("intake")
    with pytest.raises(StackError, match="already running"):
        local_stack.start_service("intake")
    headers = {"Authorization": f"Bearer {local_stack.token()}"}
    url = local_stack.service_url("intake")
    with httpx.Client(base_url=url, headers=headers, trust_env=False) as client:
        created = client.post("/v1/claims", json=claim_body())
        assert created.status_code == 201, created.text

        assert local_stack.stop_service("intake", signal.SIGKILL) == -signal.SIGKILL
        local_stack.start_service("intake")

        assert client.get(f"/v1/claims/{created.json()['id']}").json() == created.json()
    env = local_stack.env_for("intake")
    assert env["KRAVFLYT_BUS_URL"] == local_stack.nats_url
    assert env["KRAVFLYT_INTAKE_DATABASE_URL"] == local_stack.database_url("intake")
    assert local_stack.dead_process() is None
