"""Balances and history: a claim's account as of a day, its postings, a debtor's accounts."""

# No `from __future__ import annotations`: FastAPI resolves the routes' annotations.
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from payments.api.common import caseworker
from payments.api.resources import BalanceOut, DebtorBalanceOut, PaymentOut, PostingsOut
from payments.handlers.queries import balance_as_of, debtor_balances, history, payment_view
from rules.calendar import oslo_today
from runtime.auth import StaffPrincipal

if TYPE_CHECKING:
    from payments.bootstrap import Container


def accounts_router(c: "Container") -> APIRouter:
    """Read routes of the ledger."""
    router = APIRouter(prefix="/v1", tags=["accounts"])
    staff = caseworker(c)

    def day(as_of: date | None) -> date:
        return as_of or oslo_today(c.runtime.clock())

    @router.get(
        "/accounts/{claim_id}/balance",
        summary="Booked balance plus interest accrued",
        response_model=None,
        responses={200: {"model": BalanceOut}},
    )
    async def get_balance(
        claim_id: UUID,
        principal: Annotated[StaffPrincipal, staff],
        as_of: Annotated[date | None, Query(description="Default: today (Europe/Oslo)")] = None,
    ) -> dict[str, Any]:
        async with c.runtime.engine.connect() as conn:
            return await balance_as_of(
                conn, claim_id, day(as_of), municipalities=principal.municipalities, office=c.office
            )

    @router.get(
        "/accounts/{claim_id}/postings",
        summary="The claim's postings, oldest first",
        response_model=None,
        responses={200: {"model": PostingsOut}},
    )
    async def get_postings(
        claim_id: UUID, principal: Annotated[StaffPrincipal, staff]
    ) -> dict[str, Any]:
        async with c.runtime.engine.connect() as conn:
            items = await history(conn, claim_id, municipalities=principal.municipalities)
        return {"claim_id": str(claim_id), "items": items}

    @router.get(
        "/debtors/{debtor_ref}/balance",
        summary="A debtor's accounts and total",
        response_model=None,
        responses={200: {"model": DebtorBalanceOut}},
    )
    async def get_debtor(
        debtor_ref: str,
        principal: Annotated[StaffPrincipal, staff],
        as_of: Annotated[date | None, Query()] = None,
    ) -> dict[str, Any]:
        async with c.runtime.engine.connect() as conn:
            return await debtor_balances(
                conn, debtor_ref, day(as_of), municipalities=principal.municipalities,
                office=c.office,
            )  # fmt: skip

    @router.get(
        "/payments/{payment_id}",
        summary="A payment as the bank sent it: both dates, the bank's fields, where it went",
        response_model=None,
        responses={200: {"model": PaymentOut}},
    )
    async def get_payment(
        payment_id: UUID, principal: Annotated[StaffPrincipal, staff]
    ) -> dict[str, Any]:
        async with c.runtime.engine.connect() as conn:
            return await payment_view(conn, payment_id, municipalities=principal.municipalities)

    return router
