"""What every router shares: the caseworker dependency, idempotent writes, replaying answers."""

# No `from __future__ import annotations`: FastAPI must resolve the closures' annotations.
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import Depends
from fastapi.responses import JSONResponse, Response

from payments.domain.errors import PaymentsError
from payments.handlers.common import (
    StoredResponse,
    reserve_idempotency_key,
    save_idempotent_response,
)
from runtime.auth import StaffPrincipal, requires_role
from runtime.db import UnitOfWork

if TYPE_CHECKING:
    from payments.bootstrap import Container

ROLE = "payments"
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


def caseworker(c: "Container") -> Any:
    """``Depends`` yielding the caseworker with the ``payments`` role."""
    if c.staff is None:

        def unconfigured() -> StaffPrincipal:
            raise PaymentsError("auth.staff_not_configured")

        return Depends(unconfigured)
    return Depends(requires_role(c.staff, ROLE))


def serve(principal: StaffPrincipal, municipality: str) -> None:
    """Refuse a municipality the caseworker does not serve."""
    if not principal.serves(municipality):
        raise PaymentsError("auth.municipality_not_served")


async def idempotent(
    c: "Container",
    client: str,
    key: str | None,
    fingerprint: str,
    action: Callable[[UnitOfWork], Awaitable[StoredResponse]],
) -> Response:
    """Run ``action`` in one transaction; a retry with the same key replays its answer."""
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise PaymentsError("request.idempotency_key_invalid")
    async with c.runtime.uow() as uow:
        if key:
            stored = await reserve_idempotency_key(uow, client, key, fingerprint)
            if stored is not None:
                return replay(stored)
        answer = await action(uow)
        if key:
            await save_idempotent_response(uow, client, key, answer)
        await uow.commit()
    return replay(answer)


def replay(stored: StoredResponse) -> Response:
    """A stored answer as a response."""
    return JSONResponse(stored.body, status_code=stored.status_code)
