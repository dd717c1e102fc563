"""A notice as notification understands it: the letter one step of a case asks for.

Fields the law requires may be missing (None) here: a preview posts incomplete data, and
the compliance check must be able to name what is missing instead of failing to parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

STEP_KINDS = (
    "purring",
    "inkassovarsel",
    "betalingsoppfordring",
    "varsel_tvangsfullbyrdelse",
    "oppsigelse",
    "sms_paminnelse",
    "overforing_tvangsinnfordring",
)
LANGUAGES = ("nb", "nn", "en")


@dataclass(frozen=True)
class Address:
    """A postal address as printed on an envelope."""

    lines: tuple[str, ...]
    postal_code: str
    city: str
    country: str = "NO"


@dataclass(frozen=True)
class ClaimLine:
    """One claim in a letter, with its amounts split as the law requires."""

    claim_id: str
    invoice_number: str
    claim_type: str
    description: str
    due_date: date | None
    principal_ore: int | None
    interest_ore: int | None
    fees_ore: int | None


@dataclass(frozen=True)
class Notice:
    """Everything a letter states, before it is checked and rendered."""

    notice_id: UUID
    case_id: UUID
    step_kind: str
    municipality: str
    language: str
    debtor_ref: str
    debtor_kind: str
    debtor_name: str
    debtor_address: Address | None
    claims: tuple[ClaimLine, ...]
    principal_ore: int | None
    interest_ore: int | None
    fees_ore: int | None
    new_fee_ore: int
    total_ore: int | None
    interest_rate_percent: str | None
    interest_from: date | None
    kid: str | None
    account_number: str | None
    sent_date: date
    deadline_date: date | None
    legal_basis: str
    legal_text_keys: tuple[str, ...] = field(default=())

    @property
    def consolidated(self) -> bool:
        """A letter covering more than one claim lists each of them."""
        return len(self.claims) > 1
