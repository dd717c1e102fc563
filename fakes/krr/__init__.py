"""Fake KRR (Digdir's kontaktinfo lookup) with Maskinporten's token endpoint beside it.

``POST /token`` takes a JWT grant (RFC 7523) and issues an access token; the grant's signature
is checked when the client's public key was registered (``PUT /_admin/clients/{id}``), its
claims always. ``POST /rest/v1/personer`` needs a token with the KRR scopes.
"""

from __future__ import annotations

import secrets
import time
from typing import Annotated, Any

import jwt
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from fakes._base import Faults, admin_router, install_faults
from fakes.people import krr_person

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
KRR_SCOPES = {"krr:global/kontaktinformasjon.read", "krr:global/digitalpost.read"}


class PeopleIn(BaseModel):
    """KRR's lookup body: 1 to 1,000 identity numbers."""

    personidentifikatorer: Annotated[list[str], Field(min_length=1, max_length=1000)]


class ClientIn(BaseModel):
    public_key_pem: str


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": code.lower(), "error_description": message}, status_code=status)


def create_app() -> FastAPI:
    """A fresh fake with no overrides, clients or lookups."""
    app = FastAPI(title="Fake KRR and Maskinporten")
    secret = secrets.token_bytes(32)
    state: dict[str, Any] = {"people": {}, "clients": {}, "lookups": [], "tokens": 0}
    faults = Faults()

    def reset() -> None:
        for key in ("people", "clients"):
            state[key].clear()
        state["lookups"].clear()
        state["tokens"] = 0

    install_faults(app, faults, _error)
    admin = admin_router(faults, reset)

    @admin.put("/people/{number}", status_code=204)
    async def put_person(number: str, person: dict[str, Any]) -> None:
        state["people"][number] = {"personidentifikator": number, **person}

    @admin.put("/clients/{client_id}", status_code=204)
    async def put_client(client_id: str, client: ClientIn) -> None:
        state["clients"][client_id] = client.public_key_pem

    @admin.get("/lookups")
    async def lookups() -> dict[str, Any]:
        return {"count": len(state["lookups"]), "tokens": state["tokens"]}

    app.include_router(admin)

    @app.post("/token")
    async def token(
        request: Request,
        grant_type: Annotated[str, Form()],
        assertion: Annotated[str, Form()],
    ) -> Response:
        if grant_type != GRANT_TYPE:
            return _error(400, "unsupported_grant_type", "Use the JWT bearer grant")
        try:
            claims = _grant_claims(assertion, str(request.base_url), state["clients"])
        except jwt.InvalidTokenError as error:
            return _error(400, "invalid_grant", str(error))
        now = int(time.time())
        access = {
            "iss": str(request.base_url),
            "client_id": claims["iss"],
            "scope": claims.get("scope", ""),
            "iat": now,
            "exp": now + 120,
        }
        state["tokens"] += 1
        body = {
            "access_token": jwt.encode(access, secret, algorithm="HS256"),
            "token_type": "Bearer",
            "expires_in": 120,
            "scope": access["scope"],
        }
        return JSONResponse(body)

    @app.post("/rest/v1/personer")
    async def personer(body: PeopleIn, authorization: Annotated[str, Header()] = "") -> Response:
        scheme, _, token_value = authorization.partition(" ")
        try:
            access = (
                jwt.decode(token_value, secret, algorithms=["HS256"])
                if scheme == "Bearer"
                else None
            )
        except jwt.InvalidTokenError:
            access = None
        if access is None:
            return _error(401, "invalid_token", "A Maskinporten token is required")
        if not KRR_SCOPES <= set(str(access.get("scope", "")).split()):
            return _error(403, "insufficient_scope", "The token lacks the KRR scopes")
        state["lookups"].append(len(body.personidentifikatorer))
        people = [state["people"].get(n) or krr_person(n) for n in body.personidentifikatorer]
        return JSONResponse({"personer": people})

    return app


def _grant_claims(assertion: str, audience: str, clients: dict[str, str]) -> dict[str, Any]:
    unverified = jwt.decode(assertion, options={"verify_signature": False})
    key = clients.get(str(unverified.get("iss", "")))
    if key is None:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            options={"verify_signature": False, "require": ["iss", "aud", "exp", "iat", "jti"]},
            audience=audience,
        )
    else:
        claims = jwt.decode(
            assertion,
            key,
            algorithms=["RS256"],
            audience=audience,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
    if int(claims["exp"]) - int(claims["iat"]) > 120:
        raise jwt.InvalidTokenError("a grant may live at most 120 seconds")
    return claims
