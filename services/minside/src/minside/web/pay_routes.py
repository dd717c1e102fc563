"""Paying: the exact amount today with KID and account, or Vipps through payments."""

# No `from __future__ import annotations`: FastAPI must resolve the routes' annotations.
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from minside.clients import AmountChanged, ServiceUnavailable
from minside.domain.claims import total_today
from minside.handlers import pages
from minside.handlers.pay import start_vipps
from minside.web import forms
from minside.web.security import checked_form, origin_of
from minside.web.session import Session

if TYPE_CHECKING:
    from minside.bootstrap import Container


def build_pay_router(c: "Container") -> APIRouter:
    """``/pay`` (one claim or all open), ``/pay/vipps`` and ``/pay/done``."""
    router = APIRouter(prefix="/pay", include_in_schema=False)
    Citizen = Annotated[Session, Depends(c.citizen)]
    vipps_origin = origin_of(c.settings.vipps_base_url)

    async def pay_page(
        request: Request, session: Session, chosen: list[UUID], *, amount_changed: bool = False
    ) -> Response:
        """The pay page, its amounts read afresh, with a new form token."""
        today = c.today()
        async with c.runtime.engine.connect() as conn:
            every = await pages.open_claims(conn, session.debtor_ref)
        claims = [x for x in every if x.claim_id in chosen] if chosen else every
        if len(claims) != len(chosen) and chosen:
            raise pages.NotFound(chosen)
        return c.renderer.page(
            request,
            "pay.html",
            "pay.title",
            status_code=409 if amount_changed else 200,
            today=today,
            current="pay",
            claims=claims,
            open_claims=every,
            chosen={x.claim_id for x in claims},
            total_ore=total_today(claims, today, rates=c.rates),
            form_token=forms.new_form_token(),
            amount_changed=amount_changed,
        )

    @router.get("")
    async def pay(
        request: Request, session: Citizen, claim: Annotated[list[UUID] | None, Query()] = None
    ) -> Response:
        """One claim, the ones ticked, or (none named) every open claim, with today's total."""
        return await pay_page(request, session, sorted(set(claim or [])))

    @router.post("/vipps")
    async def vipps(request: Request, session: Citizen) -> Response:
        form = await checked_form(request, session.csrf_token)
        asked = forms.claim_ids(form)
        async with c.runtime.engine.connect() as conn:
            claims = await pages.open_claims(conn, session.debtor_ref, asked) if asked else []
        if not claims or len(claims) != len(asked):
            raise pages.NotFound(asked)
        try:
            url = await start_vipps(
                c.runtime.uow(),
                c.payments,
                debtor_ref=session.debtor_ref,
                form_token=forms.form_token(form),
                claim_ids=[x.claim_id for x in claims],
                amount_ore=total_today(claims, c.today(), rates=c.rates),
                return_url=c.base_url + "/pay/done",
            )
        except AmountChanged:
            # The ledger moved since the page was shown: show the new amount, ask again.
            return await pay_page(
                request, session, sorted(x.claim_id for x in claims), amount_changed=True
            )
        if origin_of(url) != vipps_origin:
            # Only Vipps may receive the citizen (CSP form-action allows no other origin).
            raise ServiceUnavailable("payments gave a redirect outside Vipps")
        return RedirectResponse(url, 303)

    @router.get("/done")
    async def done(request: Request, session: Citizen) -> Response:
        return c.renderer.page(request, "pay_done.html", "pay.done_title", current="pay")

    return router
