"""Schemathesis against every service's OpenAPI document, over HTTP with valid tokens.

Bounded and seeded (``derandomize``): a few valid and a few invalid requests per operation, no
shrinking, so a failure repeats. Two checks, the ones a client relies on: no 5xx, and every
response matches the schema its operation documents. A failure names the operation and the
curl command that repeats it.
"""

from __future__ import annotations

import contextlib

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.e2e

CHECKS = [not_a_server_error, response_schema_conformance]
BOUNDED = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _strategy(operation):
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    with contextlib.suppress(Exception):  # some operations have nothing to make invalid
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


def _fuzz_operation(operation, headers: dict[str, str] | None) -> str | None:
    """The first failure of ``operation`` under generated requests, with its curl command."""
    failures: list[str] = []

    @BOUNDED
    @given(case=_strategy(operation))
    def run(case):
        try:
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
        except Exception as error:
            curl = case.as_curl_command(headers=headers)
            failures.append(f"{operation.label}: {str(error)[:600]}\n  {curl[:400]}")
            raise

    with contextlib.suppress(Exception):  # recorded above: one failure per operation suffices
        run()
    return failures[0] if failures else None


def fuzz(stack, service: str, headers: dict[str, str] | None = None) -> list[str]:
    """Every operation of ``service`` under generated requests; what failed, as repeatable text."""
    schema = schemathesis.openapi.from_url(f"{stack.service_url(service)}/openapi.json")
    found = [_fuzz_operation(result.ok(), headers) for result in schema.get_all_operations()]
    return [failure for failure in found if failure]


@pytest.mark.parametrize("service", ["intake", "dunning", "payments", "notification", "minside"])
def test_every_service_answers_generated_requests_without_5xx_and_as_documented(
    service, fuzzed_stack, municipal_headers, staff_headers
):
    headers = {"intake": municipal_headers, "minside": None}.get(service, staff_headers)

    failures = fuzz(fuzzed_stack, service, headers)

    assert failures == [], "\n".join(failures)
