"""Fixtures for end-to-end tests over real processes: a local stack in a temporary directory.

``local_stack`` has PostgreSQL, NATS and migrated, seeded databases running, and no service:
a test starts what it needs (``local_stack.start_fakes()``, then
``local_stack.start_service("intake")``), may kill it
(``local_stack.stop_service("intake", signal.SIGKILL)``) and start it again. Its addresses:
``service_url(name)``, ``nats_url``, ``database_url(name)``, ``env_for(name)``; ``token()``
gives a bearer token for Drammen. Its methods block (start_service waits for readiness): from
an async test, call them through ``asyncio.to_thread`` so the test's own subscribers keep running.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from runtime.embedded import free_port
from runtime.localstack import FAKE_PORTS, LocalStack
from runtime.service import discover_services

REPO_ROOT = Path(__file__).resolve().parents[2]
# e2e_helpers lives beside this file; importlib mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).parent))

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """PostgreSQL, NATS and prepared databases on free ports; services are up to the test."""
    ports = {name: free_port() for name in discover_services()}
    fake_ports = {name: free_port() for name in FAKE_PORTS}
    stack = LocalStack(
        tmp_path_factory.mktemp("stack"), nats_port=free_port(), ports=ports, fake_ports=fake_ports
    )
    try:
        stack.start_infrastructure()
        stack.prepare()
        yield stack
    finally:
        stack.stop_all()


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    value = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return None if value == 10 else value % 11


def synthetic_fodselsnummer(birth: str = "150385") -> str:
    """A made-up fødselsnummer (valid check digits) for someone born ``birth`` (DDMMYY)."""
    start = next(_serial) * 7
    for step in range(500):
        base = birth + f"{(start + step) % 500:03d}"
        k1 = _check_digit(base, _K1)
        k2 = None if k1 is None else _check_digit(base + str(k1), _K2)
        if k2 is not None:
            return f"{base}{k1}{k2}"
    raise AssertionError(f"no valid number for birth date {birth}")


@pytest.fixture
def claim_body() -> Callable[..., dict[str, Any]]:
    """A factory of valid Drammen claims (a new invoice number each call); override any field."""

    def make(**overrides: Any) -> dict[str, Any]:
        today = date.today()
        body: dict[str, Any] = {
            "municipality": "3301",
            "invoice_number": f"E2E-{today:%Y%m%d}-{next(_serial):06d}",
            "claim_type": "barnehage",
            "debtor": {"id": synthetic_fodselsnummer(), "name": "Kari Nordmann"},
            "principal_ore": 125_000,
            "issue_date": (today - timedelta(days=30)).isoformat(),
            "due_date": (today - timedelta(days=10)).isoformat(),
            "description": "Foreldrebetaling barnehage",
        }
        return body | overrides

    return make
