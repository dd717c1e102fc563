"""API docs every service serves from itself: Swagger UI and ReDoc work offline and under CSP.

The assets come from the ``fastapi-offline`` package (no CDN); the pages have no inline script
(Swagger UI starts from ``swagger-init.js``), so they run under a CSP with ``script-src
'self'``. The pages carry their own CSP, which Min side's security headers keep; it allows
inline styles because ReDoc injects its stylesheet at run time (the pages hold no personal data).

Routes that read their JSON body themselves (to judge each item of a batch on its own) still
document it: :func:`json_body` gives the schema and examples, and the OpenAPI document moves the
models it refers to into ``components.schemas``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import TypeAdapter

__all__ = ["DOCS_CSP", "docs_router", "install_openapi", "json_body"]

DOCS_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
_VENDOR = Path(fastapi_offline.__file__).with_name("static")
_OWN = Path(__file__).with_name("docs_assets")
ASSETS: dict[str, Path] = {
    "swagger-ui.css": _VENDOR / "swagger-ui.css",
    "swagger-ui-bundle.js": _VENDOR / "swagger-ui-bundle.js",
    "redoc.standalone.js": _VENDOR / "redoc.standalone.js",
    "favicon.png": _VENDOR / "favicon.png",
    "swagger-init.js": _OWN / "swagger-init.js",
}
_COMPONENTS = "x-kravflyt-components"
_REF = "#/components/schemas/{model}"


def json_body(
    schema_type: Any, *, examples: dict[str, Any], description: str = ""
) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON body the route parses itself."""
    schema = TypeAdapter(schema_type).json_schema(ref_template=_REF)
    components = schema.pop("$defs", {})
    media = {"schema": schema, "examples": {k: {"value": v} for k, v in examples.items()}}
    body = {"required": True, "description": description, "content": {"application/json": media}}
    return {"requestBody": body, _COMPONENTS: components}


def install_openapi(app: FastAPI) -> None:
    """The OpenAPI document, with the models of :func:`json_body` under components."""

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                schemas.update(operation.pop(_COMPONENTS, {}))
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def docs_router(title: str, openapi_url: str = "/openapi.json") -> APIRouter:
    """``/docs`` (Swagger UI), ``/redoc`` and their assets, all served by the service."""
    router = APIRouter(include_in_schema=False)
    headers = {"Content-Security-Policy": DOCS_CSP}
    name = html.escape(title)

    def page(request: Request, head: str, body: str) -> HTMLResponse:
        root = html.escape(request.scope.get("root_path", ""))
        text = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{name}</title>'
            f'<link rel="icon" href="{root}/docs/assets/favicon.png">{head.format(root=root)}'
            f"</head><body>{body.format(root=root, spec=root + openapi_url)}</body></html>"
        )
        return HTMLResponse(text, headers=headers)

    @router.get("/docs")
    async def swagger_ui(request: Request) -> HTMLResponse:
        return page(
            request,
            '<link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">',
            '<div id="swagger-ui" data-openapi-url="{spec}"></div>'
            '<script src="{root}/docs/assets/swagger-ui-bundle.js"></script>'
            '<script src="{root}/docs/assets/swagger-init.js"></script>',
        )

    @router.get("/redoc")
    async def redoc(request: Request) -> HTMLResponse:
        return page(
            request,
            "",
            '<redoc spec-url="{spec}"></redoc>'
            '<script src="{root}/docs/assets/redoc.standalone.js"></script>',
        )

    @router.get("/docs/assets/{asset}")
    async def asset(asset: str) -> FileResponse:
        path = ASSETS.get(asset)
        if path is None:
            raise HTTPException(status_code=404)
        return FileResponse(path, headers={**headers, "Cache-Control": "public, max-age=86400"})

    return router
