"""Intake's HTTP API for municipal integrations: parse, call a handler, shape the answer."""

import json
import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from contracts.claims import ClaimStatus
from intake import db
from intake.domain.errors import REASONS, ClaimProblem, IntakeError, problem
from intake.handlers import (
    ItemResult,
    StoredResponse,
    adjust_claim,
    register_claims,
    reserve_idempotency_key,
    save_idempotent_response,
)
from intake.mapping import ClaimIn, claim_resource, parse_claim, problem_json
from intake.resources import AdjustmentOut, BatchOut, ClaimOut, ClaimPage
from runtime.auth import Principal, requires_scope
from runtime.docs import json_body
from runtime.idempotency import request_fingerprint
from runtime.problems import Problem, problem_body, problem_response

if TYPE_CHECKING:
    from intake.bootstrap import Container


WRITE = "kravflyt:claims.write"
READ = "kravflyt:claims.read"
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
_CLAIM_EXAMPLE = {
    "municipality": "3301",
    "invoice_number": "F-2026-000123",
    "claim_type": "barnehage",
    "debtor": {
        "id": "15038510190",
        "name": "Kari Nordmann",
        "address": {"lines": ["Storgata 1"], "postal_code": "3015", "city": "Drammen"},
    },
    "principal_ore": 325000,
    "issue_date": "2026-10-01",
    "due_date": "2026-10-20",
    "description": "Foreldrebetaling barnehage oktober",
}
CLAIM_EXAMPLES = {
    "claim": _CLAIM_EXAMPLE,
    "batch": [
        _CLAIM_EXAMPLE,
        {
            **_CLAIM_EXAMPLE,
            "invoice_number": "F-2026-000124",
            "claim_type": "eiendomsgebyr",
            "debtor": {"id": "01019020009", "name": "Ola Nordmann"},
            "description": "Vann og avløp, 2. termin",
            "property": {"gnr": 12, "bnr": 34},
        },
    ],
}
_JSON_TYPE = re.compile(r"^application/([a-z0-9.+-]*\+)?json\s*(;.*)?$", re.IGNORECASE)


class AdjustmentIn(BaseModel):
    """A credit note (with amount), a cancellation or a write-off of one claim."""

    kind: Literal["credit_note", "cancellation", "write_off"]
    amount_ore: int | None = Field(default=None, description="Only for credit notes")
    reason_code: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[str, Field(min_length=1, max_length=500)]


def refusal(*problems: ClaimProblem) -> Problem:
    """An RFC 9457 problem for refused claims (the first reason decides the status)."""
    first = problems[0]
    status, title = REASONS[first.code]
    return Problem(
        code=first.code,
        status=status,
        title=title,
        detail=first.message,
        errors=[problem_json(p) for p in problems],
    )


def install_error_handler(app: FastAPI) -> None:
    """Answer every :class:`IntakeError` as an RFC 9457 problem with per-field errors."""

    async def on_intake_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, IntakeError)
        p = refusal(*error.problems)
        return problem_response(p.code, p.status, p.title, detail=p.detail, errors=p.errors)

    app.add_exception_handler(IntakeError, on_intake_error)


def build_router(c: "Container") -> APIRouter:
    """The ``/v1`` routes of intake, bound to one container."""
    router = APIRouter(prefix="/v1", tags=["claims"])
    writer = Depends(requires_scope(c.verifier, WRITE))
    reader = Depends(requires_scope(c.verifier, READ))

    async def tenant_of(principal: Principal) -> str:
        async with c.runtime.engine.connect() as conn:
            served = {m.orgnr: k for k, m in (await db.municipalities(conn)).items() if m.served}
        if principal.orgnr not in served:
            raise Problem(
                code="auth.municipality_not_served",
                status=403,
                detail="The office does not serve the token's organisation.",
            )
        return served[principal.orgnr]

    @router.post(
        "/claims",
        status_code=201,
        summary="Submit one claim (object) or a batch of up to 1,000 (array)",
        response_model=None,
        responses={
            200: {"model": BatchOut, "description": "Batch: a result per item"},
            201: {"model": ClaimOut, "description": "One claim: registered"},
        },
        openapi_extra=json_body(
            ClaimIn | Annotated[list[ClaimIn], Field(min_length=1, max_length=1000)],
            examples=CLAIM_EXAMPLES,
            description="One claim, or an array of claims each judged on its own",
        ),
    )
    async def submit_claims(
        request: Request,
        principal: Annotated[Principal, writer],
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        tenant = await tenant_of(principal)
        body = await request.body()
        data = _json_body(request.headers.get("content-type"), body)
        items = _items(data, c.limits.max_batch)
        if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise refusal(problem("request.idempotency_key_invalid"))
        async with c.runtime.uow() as uow:
            if idempotency_key:
                fingerprint = request_fingerprint("POST", "/v1/claims", body, parsed=data)
                stored = await reserve_idempotency_key(
                    uow, principal.orgnr, idempotency_key, fingerprint
                )
                if stored is not None:
                    return _replay(stored)
            results = await register_claims(
                uow,
                [parse_claim(item) for item in items],
                tenant=tenant,
                keys=c.keys,
                limits=c.limits,
                register=c.register,
                source="http",
            )
            answer = _single(results[0]) if isinstance(data, dict) else _batch(results)
            if idempotency_key:
                await save_idempotent_response(uow, principal.orgnr, idempotency_key, answer)
            await uow.commit()
        return _replay(answer)

    @router.get(
        "/claims/{claim_id}",
        summary="One claim of the caller's municipality",
        response_model=None,
        responses={200: {"model": ClaimOut}},
    )
    async def get_claim(claim_id: UUID, principal: Annotated[Principal, reader]) -> dict[str, Any]:
        tenant = await tenant_of(principal)
        async with c.runtime.engine.connect() as conn:
            row = await db.claim_by_id(conn, claim_id, tenant)
        if row is None:
            # 404 also for another municipality's claim: existence must not leak.
            raise refusal(problem("claim.not_found"))
        return claim_resource(row)

    @router.get(
        "/claims",
        summary="The caller's claims, filtered and paged by id",
        response_model=None,
        responses={200: {"model": ClaimPage}},
    )
    async def list_claims(
        principal: Annotated[Principal, reader],
        status: ClaimStatus | None = None,
        claim_type: str | None = None,
        due_before: date | None = None,
        due_after: date | None = None,
        debtor_ref: str | None = Query(default=None, description="The debtor's keyed hash"),
        after: UUID | None = Query(default=None, description="Cursor: the last id seen"),  # noqa: B008
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        tenant = await tenant_of(principal)
        async with c.runtime.engine.connect() as conn:
            rows = await db.list_claims(
                conn,
                tenant,
                status=status,
                claim_type=claim_type,
                due_before=due_before,
                due_after=due_after,
                debtor_ref=debtor_ref,
                after_id=after,
                limit=limit,
            )
        items = [claim_resource(r) for r in rows]
        return {"items": items, "next": items[-1]["id"] if len(items) == limit else None}

    @router.post(
        "/claims/{claim_id}/adjustments",
        status_code=201,
        summary="Adjust a claim",
        response_model=None,
        responses={201: {"model": AdjustmentOut}},
    )
    async def post_adjustment(
        claim_id: UUID,
        adjustment: AdjustmentIn,
        request: Request,
        principal: Annotated[Principal, writer],
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        tenant = await tenant_of(principal)
        fingerprint = request_fingerprint("POST", request.url.path, await request.body())
        async with c.runtime.uow() as uow:
            if idempotency_key:
                stored = await reserve_idempotency_key(
                    uow, principal.orgnr, idempotency_key, fingerprint
                )
                if stored is not None:
                    return _replay(stored)
            row = await adjust_claim(
                uow, claim_id, tenant=tenant, text=c.limits.claim.text, **adjustment.model_dump()
            )
            answer = StoredResponse(201, _adjustment_json(row))
            if idempotency_key:
                await save_idempotent_response(uow, principal.orgnr, idempotency_key, answer)
            await uow.commit()
        return _replay(answer)

    @router.get("/keys/submission", summary="Public key to encrypt identity numbers on the bus")
    async def submission_key() -> dict[str, Any]:
        return {"keys": [c.submission_public_jwk]}

    return router


def _json_body(content_type: str | None, body: bytes) -> Any:
    if not content_type or not _JSON_TYPE.match(content_type):
        raise refusal(problem("request.unsupported_media_type"))
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise refusal(problem("request.not_json")) from None


def _items(data: Any, max_batch: int) -> list[Any]:
    if isinstance(data, dict):
        return [data]
    if not isinstance(data, list):
        raise refusal(problem("request.body_invalid"))
    if not data:
        raise refusal(problem("request.batch_empty"))
    if len(data) > max_batch:
        raise refusal(problem("request.batch_too_large", f"At most {max_batch} claims per batch"))
    return data


def _single(result: ItemResult) -> StoredResponse:
    if result.problems:
        p = refusal(*result.problems)
        body = problem_body(p.code, p.status, p.title, p.detail, p.errors)
        return StoredResponse(p.status, body)
    assert result.claim is not None
    return StoredResponse(201, _claim_json(result.claim))


def _batch(results: list[ItemResult]) -> StoredResponse:
    items = []
    for r in results:
        if r.problems:
            items.append(
                {
                    "index": r.index,
                    "status": "rejected",
                    "errors": [problem_json(p) for p in r.problems],
                }
            )
        else:
            assert r.claim is not None
            items.append(
                {
                    "index": r.index,
                    "status": "registered",
                    "id": str(r.claim["id"]),
                    "invoice_number": r.claim["invoice_number"],
                    "municipality": r.claim["municipality"],
                    "original_municipality": r.claim["original_municipality"],
                }
            )
    registered = sum(1 for i in items if i["status"] == "registered")
    return StoredResponse(
        200, {"registered": registered, "rejected": len(items) - registered, "results": items}
    )


def _claim_json(row: dict[str, Any]) -> dict[str, Any]:
    return claim_resource(_Row(row))


class _Row:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _adjustment_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "claim_id": str(row["claim_id"]),
        "kind": row["kind"],
        "amount_ore": row["amount_ore"],
        "principal_before_ore": row["principal_before_ore"],
        "principal_after_ore": row["principal_after_ore"],
        "reason_code": row["reason_code"],
        "reason": row["reason"],
        "adjusted_at": row["adjusted_at"].isoformat(),
    }


def _replay(stored: StoredResponse) -> Response:
    media = "application/problem+json" if stored.status_code >= 400 else "application/json"
    headers = {}
    if stored.status_code == 201 and isinstance(stored.body, dict) and "id" in stored.body:
        if "claim_id" not in stored.body:
            headers["Location"] = f"/v1/claims/{stored.body['id']}"
    return JSONResponse(
        stored.body, status_code=stored.status_code, media_type=media, headers=headers
    )
