"""Every service as a real process (``kravflyt serve``) over real PostgreSQL and NATS, for
schemathesis to fuzz through its own OpenAPI document with valid tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runtime.embedded import free_port
from runtime.localstack import FAKE_PORTS, LocalStack
from runtime.service import discover_services

MUNICIPALITIES = ("3301", "3303", "3312")
# Every staff role any service checks: the fuzzer should reach the routes, not the 403.
STAFF_ROLES = ("caseworker", "admin", "office_admin", "payments")


@pytest.fixture(scope="session")
def fuzzed_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The five services and the national fakes, started once for all fuzz tests."""
    ports = {name: free_port() for name in discover_services()}
    fake_ports = {name: free_port() for name in FAKE_PORTS}
    stack = LocalStack(
        tmp_path_factory.mktemp("fuzz"), nats_port=free_port(), ports=ports, fake_ports=fake_ports
    )
    try:
        stack.start_infrastructure()
        stack.prepare()
        stack.start_fakes()
        for name in ports:
            stack.start_service(name, wait=False)
        for name in ports:
            stack.wait_ready(name)
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture(scope="session")
def municipal_headers(fuzzed_stack: LocalStack) -> dict[str, str]:
    """Drammen's integration, allowed to submit and read claims."""
    return {"Authorization": f"Bearer {fuzzed_stack.token()}"}


@pytest.fixture(scope="session")
def staff_headers(fuzzed_stack: LocalStack) -> dict[str, str]:
    """A caseworker of the demo office holding every staff role."""
    token = fuzzed_stack.staff_issuer.issue_staff_token(
        subject="fuzz-1", name="Fuzz Tester", roles=STAFF_ROLES, municipalities=MUNICIPALITIES
    )
    return {"Authorization": f"Bearer {token}"}
