"""Fake KS Fiks SvarUt, forsendelse REST API v1 (HTTP Basic auth).

``startNyForsendelse`` reserves an id; ``{id}/sendForsendelse`` (multipart: a ``forsendelse``
JSON part, then the files) sends under it, once: a second send with the same id is refused
with 409. ``eksternref/{ref}`` lists what was sent under an external reference. A letter to
an organisation goes to Altinn, any other is printed (status SENDT_PRINT).
"""

from __future__ import annotations

import json
import uuid
from collections import deque
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from fakes._base import Faults, admin_router, install_faults

BASE = "/tjenester/api/forsendelse/v1"
KEEP_FILES = 200


class StatusIn(BaseModel):
    status: str


def _error(status: int, code: str, message: str) -> Response:
    body = {
        "timestamp": datetime.now(UTC).isoformat(),
        "status": status,
        "error": code,
        "errorId": str(uuid.uuid4()),
        "path": "",
        "errorCode": code,
        "message": message,
    }
    return JSONResponse(body, status_code=status)


def create_app() -> FastAPI:
    """A fresh fake with no forsendelser."""
    app = FastAPI(title="Fake SvarUt")
    reserved: set[str] = set()
    sent: dict[str, dict[str, Any]] = {}
    recent: deque[str] = deque()
    faults = Faults()
    install_faults(app, faults, _error)

    def reset() -> None:
        reserved.clear()
        sent.clear()

    admin = admin_router(faults, reset)

    @admin.get("/forsendelser")
    async def list_sent() -> dict[str, Any]:
        public = [{k: v for k, v in f.items() if k != "files"} for f in sent.values()]
        return {"count": len(public), "forsendelser": public}

    @admin.put("/forsendelser/{forsendelse_id}/status", status_code=204)
    async def set_status(forsendelse_id: str, body: StatusIn) -> None:
        sent[forsendelse_id]["status"] = body.status

    app.include_router(admin)

    @app.middleware("http")
    async def basic_auth(request: Request, call_next: Any) -> Response:
        header = request.headers.get("authorization", "")
        if request.url.path.startswith(BASE) and not header.startswith("Basic "):
            return _error(401, "UNAUTHORIZED", "HTTP Basic authentication is required")
        response: Response = await call_next(request)
        return response

    @app.post(BASE + "/startNyForsendelse")
    async def start() -> dict[str, str]:
        forsendelse_id = str(uuid.uuid4())
        reserved.add(forsendelse_id)
        return {"id": forsendelse_id}

    @app.post(BASE + "/sendForsendelse")
    async def send_new(request: Request) -> Response:
        forsendelse_id = str(uuid.uuid4())
        reserved.add(forsendelse_id)
        return await _send(request, forsendelse_id)

    @app.post(BASE + "/{forsendelse_id}/sendForsendelse")
    async def send_reserved(forsendelse_id: str, request: Request) -> Response:
        if forsendelse_id not in reserved:
            return _error(
                404, "FORSENDELSE_NOT_FOUND", "Unknown forsendelse id; call startNyForsendelse"
            )
        return await _send(request, forsendelse_id)

    async def _send(request: Request, forsendelse_id: str) -> Response:
        if forsendelse_id in sent:
            return _error(
                409, "FORSENDELSE_ALREADY_SENT", "A forsendelse was already sent with this id"
            )
        form = await request.form()
        raw = form.get("forsendelse")
        try:
            text = (
                raw
                if isinstance(raw, str)
                else (await raw.read()).decode()
                if raw is not None
                else ""
            )
            metadata = json.loads(text)
        except ValueError:
            return _error(400, "INVALID_FORSENDELSE", "The forsendelse part must be JSON")
        files = {
            k: await v.read()
            for k, v in form.multi_items()
            if k != "forsendelse" and not isinstance(v, str)
        }
        problem = _validate(metadata, files)
        if problem:
            return _error(400, "VALIDATION_FAILED", problem)
        digital = metadata["mottaker"].get("digitalAdresse") or {}
        sent[forsendelse_id] = {
            "id": forsendelse_id,
            "eksternReferanse": metadata.get("eksternReferanse"),
            "tittel": metadata["tittel"],
            "mottaker": metadata["mottaker"],
            "route": "altinn" if "organisasjonsNummer" in digital else "print",
            "status": "SENDT_DIGITALT" if "organisasjonsNummer" in digital else "SENDT_PRINT",
            "files": files,
            "file_sizes": {k: len(v) for k, v in files.items()},
            "received_at": datetime.now(UTC).isoformat(),
        }
        recent.append(forsendelse_id)
        if len(recent) > KEEP_FILES:
            sent[recent.popleft()]["files"] = {}  # keep memory flat under a benchmark
        return JSONResponse({"id": forsendelse_id})

    @app.get(BASE + "/{forsendelse_id}/status")
    async def status(forsendelse_id: str) -> Response:
        found = sent.get(forsendelse_id)
        if found is None:
            return _error(404, "FORSENDELSE_NOT_FOUND", "Unknown forsendelse id")
        return JSONResponse(
            {
                "forsendelsesId": {"id": forsendelse_id},
                "status": found["status"],
                "sisteStatusEndring": found["received_at"],
            }
        )

    @app.get(BASE + "/eksternref/{reference}")
    async def by_reference(reference: str) -> list[dict[str, str]]:
        return [{"id": f["id"]} for f in sent.values() if f["eksternReferanse"] == reference]

    return app


def _validate(metadata: dict[str, Any], files: dict[str, bytes]) -> str:
    if not metadata.get("tittel"):
        return "tittel må være utfylt"
    if not metadata.get("avgivendeSystem"):
        return "avgivendeSystem må være utfylt"
    post = (metadata.get("mottaker") or {}).get("postAdresse") or {}
    if not post.get("navn"):
        return "mottaker.postAdresse.navn må være utfylt"
    if not metadata.get("kunDigitalLevering") and not (
        post.get("postNummer") and post.get("postSted")
    ):
        return "postNummer og postSted må være utfylt når forsendelsen kan gå til print"
    documents = metadata.get("dokumenter") or []
    if not documents or [d.get("filnavn") for d in documents] != list(files):
        return "dokumenter må svare til filene, i samme rekkefølge"
    if any(not content.startswith(b"%PDF") for content in files.values()):
        return "dokumentene må være PDF"
    return ""
