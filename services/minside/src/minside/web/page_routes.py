"""The pages a citizen reads: overview, claim, history, requests, letters, accessibility."""

# No `from __future__ import annotations`: FastAPI must resolve the routes' annotations.
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from minside.handlers import pages
from minside.web.session import Session

if TYPE_CHECKING:
    from minside.bootstrap import Container


def build_page_router(c: "Container") -> APIRouter:
    """Read-only pages; every one but the start and accessibility pages needs a login."""
    router = APIRouter(include_in_schema=False)
    Citizen = Annotated[Session, Depends(c.citizen)]
    Visitor = Annotated[Session | None, Depends(c.visitor)]

    @router.get("/")
    async def overview(request: Request) -> Response:
        # The busiest page checks the session on the connection it reads with: one checkout
        # (and one pool pre-ping) per page instead of two.
        async with c.reads.connect() as conn:
            session = await c.visitor_on(conn, request)
            if session is None:
                return c.renderer.page(request, "start.html", "start.title")
            today = c.today()
            data = await pages.overview(conn, session.debtor_ref, today, c.rates)
        return c.renderer.page(
            request, "overview.html", "overview.title", today=today, current="overview", **data
        )

    @router.get("/claims/{claim_id}")
    async def claim(request: Request, claim_id: UUID, session: Citizen) -> Response:
        today = c.today()
        async with c.reads.connect() as conn:
            data = await pages.claim_page(conn, session.debtor_ref, claim_id, today, c.rates)
        return c.renderer.page(request, "claim.html", "claim.title", today=today, **data)

    @router.get("/history")
    async def history(request: Request, session: Citizen) -> Response:
        async with c.reads.connect() as conn:
            claims = await pages.closed_claims(conn, session.debtor_ref)
        return c.renderer.page(
            request, "history.html", "history.title", claims=claims, current="history"
        )

    @router.get("/requests")
    async def requests(request: Request, session: Citizen) -> Response:
        async with c.reads.connect() as conn:
            found = await pages.requests(conn, session.debtor_ref)
        return c.renderer.page(
            request, "requests.html", "requests.title", requests=found, current="requests"
        )

    @router.get("/requests/{request_id}")
    async def request_status(request: Request, request_id: UUID, session: Citizen) -> Response:
        async with c.reads.connect() as conn:
            data = await pages.request_page(conn, session.debtor_ref, request_id)
        title = "request.kind." + data["request_row"].kind
        return c.renderer.page(request, "request.html", title, current="requests", **data)

    @router.get("/letters/{notice_id}")
    async def letter(notice_id: UUID, session: Citizen) -> Response:
        async with c.reads.connect() as conn:
            found = await pages.letter(conn, session.debtor_ref, notice_id)
        pdf = await c.documents.pdf(found.document_id, session.debtor_ref)
        if pdf is None:
            raise pages.NotFound(notice_id)
        headers = {"Content-Disposition": f'inline; filename="brev-{found.sent_date}.pdf"'}
        return Response(pdf, media_type="application/pdf", headers=headers)

    @router.get("/accessibility")
    async def accessibility(request: Request, session: Visitor) -> Response:
        return c.renderer.page(request, "accessibility.html", "a11y.title")

    return router
