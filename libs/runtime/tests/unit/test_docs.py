"""Every service's API docs: served from the service itself, CSP-safe, with schemas and auth."""

# No `from __future__ import annotations`: FastAPI must resolve the route's annotations.

import re
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from runtime.auth import Principal, TokenVerifier, requires_scope
from runtime.docs import json_body
from runtime.service import Runtime, service_app
from runtime.settings import ServiceSettings


class ItemIn(BaseModel):
    name: str


def app_with_a_protected_route():
    verifier = TokenVerifier("http://issuer", "aud", "file:///dev/null")
    router = APIRouter(prefix="/v1")

    @router.post(
        "/items", openapi_extra=json_body(ItemIn | list[ItemIn], examples={"one": {"name": "a"}})
    )
    async def post_items(
        request: Request, _: Annotated[Principal, Depends(requires_scope(verifier, "s"))]
    ) -> dict[str, str]:
        return {}

    settings = ServiceSettings(service="docstest", relay_enabled=False)
    return service_app(Runtime(settings), title="Kravflyt <test>", routers=[router])


async def get(app, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path)


async def test_the_docs_pages_load_every_asset_from_the_service_and_no_inline_script():
    app = app_with_a_protected_route()

    for page in ("/docs", "/redoc"):
        answer = await get(app, page)
        html = answer.text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)

        assert answer.status_code == 200
        assert "Kravflyt &lt;test&gt;" in html
        assert "://" not in html
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        for source in sources:
            if source.startswith("/docs/assets/"):
                asset = await get(app, source)
                assert asset.status_code == 200, source
                assert len(asset.content) > 100


async def test_the_docs_pages_carry_a_csp_without_inline_or_remote_script():
    answer = await get(app_with_a_protected_route(), "/docs")
    csp = dict(
        d.strip().split(" ", 1) for d in answer.headers["content-security-policy"].split(";")
    )

    assert csp["script-src"] == "'self'"
    assert csp["default-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"


async def test_an_unknown_asset_is_not_found():
    assert (await get(app_with_a_protected_route(), "/docs/assets/..%2Fdocs.py")).status_code == 404


async def test_the_openapi_document_declares_the_bearer_scheme_and_the_json_body():
    document = (await get(app_with_a_protected_route(), "/openapi.json")).json()
    operation = document["paths"]["/v1/items"]["post"]
    media = operation["requestBody"]["content"]["application/json"]

    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": document["components"]["securitySchemes"]["bearer"]["description"],
    }
    assert operation["security"] == [{"bearer": []}]
    assert "x-kravflyt-components" not in operation
    assert {"$ref": "#/components/schemas/ItemIn"} in media["schema"]["anyOf"]
    assert document["components"]["schemas"]["ItemIn"]["required"] == ["name"]
    assert media["examples"]["one"]["value"] == {"name": "a"}
    assert "/health/live" in document["paths"]
    assert "security" not in document["paths"]["/health/live"]["get"]
