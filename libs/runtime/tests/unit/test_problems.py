from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

import pytest
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from runtime.problems import Problem, install_problem_handlers, problem_body

NATIONAL_ID = "01017012345"
CallNext = Callable[[Request], Awaitable[Response]]


class Debtor(BaseModel):
    national_id: str = Field(pattern=r"^\d{9}$")
    amount_ore: int


class TokenExpired(Exception):
    """Shaped like runtime.auth's errors: code, message, status and headers."""

    status: ClassVar[int] = 401

    def __init__(self) -> None:
        super().__init__("auth.token_expired: expired")
        self.code = "auth.token_expired"
        self.message = "The token has expired."
        self.headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.middleware("http")
    async def mark_response(request: Request, call_next: CallNext) -> Response:
        response = await call_next(request)
        response.headers["x-outer-middleware"] = "saw a response"
        return response

    @app.post("/debtors")
    def create_debtor(debtor: Debtor) -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/claims/{claim_id}")
    def get_claim(claim_id: str) -> dict[str, str]:
        raise Problem(code="claim.not_found", status=404, detail=f"No claim {claim_id}.")

    @app.get("/me")
    def me() -> dict[str, str]:
        raise TokenExpired()

    @app.get("/teapot")
    def teapot() -> dict[str, str]:
        raise HTTPException(status_code=418, detail="Short and stout")

    @app.get("/boom")
    def boom() -> dict[str, str]:
        raise RuntimeError(f"database said: duplicate key {NATIONAL_ID}")

    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(make_app())


def test_problem_body_leaves_out_fields_that_are_none() -> None:
    body = problem_body("claim.not_found", 404, "Not Found")

    assert body == {
        "type": "https://kravflyt.no/problems/claim.not_found",
        "title": "Not Found",
        "status": 404,
        "code": "claim.not_found",
    }


def test_problem_title_defaults_to_the_status_phrase() -> None:
    problem = Problem(code="claim.closed", status=409)

    assert problem.title == "Conflict"
    assert str(problem) == "claim.closed: Conflict"


def test_raised_problem_is_answered_as_problem_json(client: TestClient) -> None:
    response = client.get("/claims/c-1")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://kravflyt.no/problems/claim.not_found",
        "title": "Not Found",
        "status": 404,
        "detail": "No claim c-1.",
        "code": "claim.not_found",
    }


def test_validation_error_lists_fields_without_echoing_the_submitted_value(
    client: TestClient,
) -> None:
    response = client.post("/debtors", json={"national_id": NATIONAL_ID})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "request.invalid"
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("body.national_id", "string_pattern_mismatch"),
        ("body.amount_ore", "missing"),
    }
    assert all(set(e) == {"code", "message", "field"} for e in body["errors"])
    assert NATIONAL_ID not in response.text


def test_validation_error_masks_an_identity_number_used_as_a_key(client: TestClient) -> None:
    response = client.post("/debtors", json={"national_id": "1", "amount_ore": {NATIONAL_ID: 1}})

    assert response.status_code == 422
    assert NATIONAL_ID not in response.text


def test_error_with_code_message_and_status_keeps_its_status_and_headers(
    client: TestClient,
) -> None:
    response = client.get("/me")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["code"] == "auth.token_expired"
    assert response.json()["detail"] == "The token has expired."


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/nowhere")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "request.not_found"
    assert "detail" not in response.json()


def test_wrong_method_is_a_405_problem_with_allow_header(client: TestClient) -> None:
    response = client.delete("/me")

    assert response.status_code == 405
    assert response.json()["code"] == "request.method_not_allowed"
    assert response.headers["allow"] == "GET"


def test_other_http_exceptions_keep_their_status_and_detail(client: TestClient) -> None:
    response = client.get("/teapot")

    assert response.status_code == 418
    assert response.json()["code"] == "request.i_m_a_teapot"
    assert response.json()["detail"] == "Short and stout"


def test_unhandled_exception_is_a_500_problem_without_its_text(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/boom")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "internal.error"
    assert "duplicate key" not in response.text
    assert NATIONAL_ID not in response.text
    assert response.headers["x-outer-middleware"] == "saw a response"
    assert any(r.name == "runtime.problems" and r.exc_info for r in caplog.records)
