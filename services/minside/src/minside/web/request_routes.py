"""The citizen's requests: instalment plan (with a preview), deferral, dispute, contact."""

# No `from __future__ import annotations`: FastAPI must resolve the routes' annotations.
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from minside.domain.claims import Claim
from minside.handlers import pages
from minside.handlers.requests import NewRequest, submit_request
from minside.web import forms
from minside.web.security import checked_form
from minside.web.session import Session
from rules.rates import Rates

if TYPE_CHECKING:
    from minside.bootstrap import Container

TEMPLATES = {
    "plan": ("plan_form.html", "plan.title"),
    "deferral": ("deferral_form.html", "deferral.title"),
    "dispute": ("dispute_form.html", "dispute.title"),
    "contact": ("contact_form.html", "contact.title"),
}


def build_request_router(c: "Container") -> APIRouter:
    """``/requests/new/{kind}``: a form, its checks, and one request per form token."""
    router = APIRouter(prefix="/requests/new", include_in_schema=False)
    Citizen = Annotated[Session, Depends(c.citizen)]

    async def choices(
        session: Session, claim: UUID | None, municipality: str | None
    ) -> tuple[list[Claim], set[str]]:
        async with c.runtime.engine.connect() as conn:
            claims = await pages.open_claims(conn, session.debtor_ref)
        if claim is not None:
            match = [x for x in claims if x.claim_id == claim]
            if not match:
                raise pages.NotFound(claim)
            same = [x for x in claims if x.municipality == match[0].municipality]
            return same, {str(claim)}
        if municipality is not None:
            claims = [x for x in claims if x.municipality == municipality]
        single = len({x.municipality for x in claims}) == 1
        return claims, {str(x.claim_id) for x in claims} if single else set()

    def show(
        request: Request,
        kind: str,
        claims: list[Claim],
        chosen: set[str],
        token: str,
        parsed: forms.Parsed | None = None,
        status: int = 200,
    ) -> Response:
        template, title = TEMPLATES[kind]
        today = c.today()
        return c.renderer.page(
            request,
            template,
            title,
            status_code=status,
            today=today,
            current="requests",
            claims=claims,
            chosen=chosen,
            form_token=token,
            values=parsed.values if parsed else {},
            errors=parsed.errors if parsed else {},
            default_first_due=(today + timedelta(days=14)).isoformat(),
        )

    async def posted(
        request: Request, session: Session, kind: str
    ) -> tuple[Any, list[Claim], forms.Parsed]:
        form = await checked_form(request, session.csrf_token)
        asked = forms.claim_ids(form)
        if kind == "contact":
            asked = forms.optional_claim(form)
        async with c.runtime.engine.connect() as conn:
            chosen = await pages.open_claims(conn, session.debtor_ref, asked) if asked else []
        parsed = forms.Parsed()
        if kind != "contact" or asked:
            forms.check_claims(chosen, asked, parsed)
        return form, chosen, parsed

    async def redisplay(
        request: Request,
        session: Session,
        kind: str,
        form: Any,
        chosen: list[Claim],
        parsed: forms.Parsed,
    ) -> Response:
        claims, _ = await choices(session, None, chosen[0].municipality if chosen else None)
        ids = {str(x.claim_id) for x in chosen}
        return show(request, kind, claims, ids, forms.form_token(form), parsed, status=400)

    async def submit(
        session: Session, kind: str, form: Any, chosen: list[Claim], details: dict[str, Any]
    ) -> Response:
        new = NewRequest(
            kind=kind,
            form_token=forms.form_token(form),
            debtor_ref=session.debtor_ref,
            municipality=chosen[0].municipality if chosen else "",
            claim_ids=[x.claim_id for x in chosen],
            details=details,
        )
        async with c.runtime.uow() as uow:
            request_id = await submit_request(uow, new)
            await uow.commit()
        return RedirectResponse(f"/requests/{request_id}", 303)

    @router.get("/{kind}")
    async def form_page(
        request: Request,
        kind: str,
        session: Citizen,
        claim: UUID | None = None,
        municipality: str | None = None,
    ) -> Response:
        if kind not in TEMPLATES:
            raise pages.NotFound(kind)
        claims, chosen = await choices(session, claim, municipality)
        return show(request, kind, claims, chosen, forms.new_form_token())

    @router.post("/plan/preview")
    async def plan_preview(request: Request, session: Citizen) -> Response:
        form, chosen, parsed = await posted(request, session, "plan")
        plan: tuple[Any, ...] = ()
        if not parsed.errors:
            parsed, plan = forms.parse_plan(form, chosen, c.today(), c.rates)
        if parsed.errors:
            return await redisplay(request, session, "plan", form, chosen, parsed)
        return c.renderer.page(
            request,
            "plan_preview.html",
            "plan.preview_title",
            current="requests",
            plan=plan,
            values=parsed.values,
            form_token=forms.form_token(form),
            chosen=[str(x.claim_id) for x in chosen],
        )

    @router.post("/plan/edit")
    async def plan_edit(request: Request, session: Citizen) -> Response:
        form, chosen, _ = await posted(request, session, "plan")
        parsed, _ = forms.parse_plan(form, chosen, c.today(), c.rates)
        parsed.errors = {}
        claims, _ = await choices(session, None, chosen[0].municipality if chosen else None)
        ids = {str(x.claim_id) for x in chosen}
        return show(request, "plan", claims, ids, forms.form_token(form), parsed)

    @router.post("/{kind}")
    async def send(request: Request, kind: str, session: Citizen) -> Response:
        if kind not in TEMPLATES:
            raise pages.NotFound(kind)
        form, chosen, parsed = await posted(request, session, kind)
        details: dict[str, Any] = {}
        if not parsed.errors:
            parsed, details = _details(kind, form, chosen, c.today(), c.rates)
        if parsed.errors:
            return await redisplay(request, session, kind, form, chosen, parsed)
        return await submit(session, kind, form, chosen, details)

    return router


def _details(
    kind: str, form: Any, chosen: list[Claim], today: Any, rates: Rates
) -> tuple[forms.Parsed, dict[str, Any]]:
    if kind == "plan":
        parsed, plan = forms.parse_plan(form, chosen, today, rates)
        details = {
            "monthly_ore": parsed.values.get("monthly_ore"),
            "months": parsed.values.get("months_count"),
            "first_due_date": parsed.values.get("first_due_date"),
            "schedule": [
                {"due_date": i.due_date.isoformat(), "amount_ore": i.amount_ore} for i in plan
            ],
        }
        return parsed, details
    if kind == "deferral":
        parsed = forms.parse_deferral(form, today)
        return parsed, dict(parsed.values)
    parsed = forms.parse_text(form, f"{kind}.text_missing")
    return parsed, dict(parsed.values)
