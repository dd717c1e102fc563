"""Every service's app refuses oversized, over-deep and control-character requests with 4xx.

The app is built by ``service_app`` itself (no lifespan: nothing connects), so what is tested
is what each service gets.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import APIRouter, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from runtime.idempotency import request_fingerprint
from runtime.limits import json_depth_exceeds
from runtime.service import Runtime, service_app
from runtime.settings import ServiceSettings


class Note(BaseModel):
    text: Any


def client(**settings: Any) -> TestClient:
    router = APIRouter()

    @router.post("/parsed")
    def parsed(note: Note) -> dict[str, str]:
        return {"ok": "yes"}

    @router.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        return {"length": len(json.loads(await request.body()))}

    @router.get("/search")
    def search(q: str = "") -> dict[str, str]:
        return {"q": q}

    runtime = Runtime(ServiceSettings(service="limits", **settings))
    return TestClient(service_app(runtime, title="limits", routers=[router]))


def nested(depth: int) -> str:
    return '{"text": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("route", ["/parsed", "/raw"])
def test_json_nested_a_thousand_deep_is_a_client_error_not_a_recursion_error(route: str) -> None:
    response = client().post(
        route, content=nested(1000), headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "request.json_too_deep"


def test_json_within_the_depth_limit_is_served() -> None:
    response = client().post(
        "/parsed", content=nested(20), headers={"content-type": "application/json"}
    )

    assert response.status_code == 200


@pytest.mark.parametrize("route", ["/parsed", "/raw"])
def test_a_body_over_the_configured_size_is_refused_as_too_large(route: str) -> None:
    body = json.dumps({"text": "x" * 5000})

    response = client(http_max_body_bytes=4096).post(
        route, content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_the_default_body_limit_is_ten_megabytes() -> None:
    body = json.dumps({"text": "x" * (10 * 1024 * 1024)})

    response = client().post("/raw", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 413


@pytest.mark.parametrize(
    ("query", "code", "status"),
    [
        ("q=%00", "request.query_invalid", 400),
        ("q=a%1bb", "request.query_invalid", 400),
        ("q=a%C2%85", "request.query_invalid", 400),
        ("q=" + "x" * 5000, "request.query_too_long", 414),
    ],
    ids=["nul", "escape", "c1-next-line", "5000-bytes"],
)
def test_a_query_with_control_characters_or_too_long_is_a_problem(
    query: str, code: str, status: int
) -> None:
    response = client().get(f"/search?{query}")

    assert (response.status_code, response.json()["code"]) == (status, code)


def test_an_ordinary_query_with_letters_and_spaces_is_served() -> None:
    response = client().get("/search?q=Bl%C3%A5b%C3%A6r+%C3%85s")

    assert response.json() == {"q": "Blåbær Ås"}


def test_the_depth_check_ignores_brackets_inside_strings() -> None:
    body = json.dumps({"text": "[" * 500 + '\\"{' * 500, "list": [[1, [2]]]}).encode()

    assert not json_depth_exceeds(body, 8)
    assert json_depth_exceeds(b"[" * 9 + b"]" * 9, 8)
    assert json_depth_exceeds(b"[" * 30, 8)


def test_the_same_json_with_other_whitespace_and_key_order_has_one_fingerprint() -> None:
    compact = b'{"a":1,"b":[1,2,{"c":"\xc3\xa6"}]}'
    spread = b'{\n  "b": [1, 2, {"c": "\\u00e6"}],\n  "a": 1\n}'

    assert request_fingerprint("POST", "/v1/claims", compact) == request_fingerprint(
        "POST", "/v1/claims", spread
    )
    assert request_fingerprint("POST", "/v1/claims", compact) != request_fingerprint(
        "POST", "/v1/claims", b'{"a":2,"b":[1,2,{"c":"\xc3\xa6"}]}'
    )


def test_a_lone_surrogate_in_the_body_still_has_a_fingerprint() -> None:
    body = b'{"name": "\\ud800"}'

    assert request_fingerprint("POST", "/v1/claims", body) == request_fingerprint(
        "POST", "/v1/claims", b'{ "name" : "\\ud800" }'
    )
