"""Who may call: caseworkers and administrators from the office's identity provider."""

from collections.abc import Callable

from runtime.auth import (
    ROLE_MISSING,
    BearerToken,
    ForbiddenError,
    StaffPrincipal,
    TokenVerifier,
    staff_principal,
)

CASEWORKER = "caseworker"
ADMIN = "admin"
# The whole office (every municipality it serves): the daily run and its catch-up.
OFFICE_ADMIN = "office_admin"


def staff_with(verifier: TokenVerifier, *roles: str) -> Callable[..., StaffPrincipal]:
    """FastAPI dependency: the caseworker, who must hold one of ``roles``."""

    def staff(token: BearerToken) -> StaffPrincipal:
        principal = staff_principal(verifier.verify_claims(token))
        if not principal.roles & set(roles):
            raise ForbiddenError(ROLE_MISSING, f"The caseworker lacks a role of {sorted(roles)}.")
        return principal

    return staff
