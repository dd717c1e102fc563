"""Translation between the outside (contracts, JSON bodies) and notification's domain.

The only importer of ``contracts`` besides the subscriber wiring.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.dunning import NoticeClaim, NoticeRequestedV1, StepKind
from contracts.notices import Channel, NoticeDeliveredV1, NoticeFailedV1
from notification.domain.errors import NoticeProblem
from notification.domain.notice import Address, ClaimLine, Notice


def notice_from_requested(payload: NoticeRequestedV1) -> Notice:
    """A ``notices.requested.v1`` payload → a notice (blank fields count as missing)."""
    address = payload.debtor_address
    return Notice(
        notice_id=payload.notice_id,
        case_id=payload.case_id,
        step_kind=payload.step_kind,
        municipality=payload.municipality,
        language=payload.language,
        debtor_ref=payload.debtor_ref,
        debtor_kind=payload.debtor_kind,
        debtor_name=payload.debtor_name,
        debtor_address=(
            Address(tuple(address.lines), address.postal_code, address.city, address.country)
            if address
            else None
        ),
        claims=tuple(_claim(c) for c in payload.claims),
        principal_ore=payload.principal_ore,
        interest_ore=payload.interest_ore,
        fees_ore=payload.fees_ore,
        new_fee_ore=payload.new_fee_ore,
        total_ore=payload.total_ore,
        interest_rate_percent=payload.interest_rate_percent.strip() or None,
        interest_from=payload.interest_from,
        kid=payload.kid.strip() or None,
        account_number=payload.account_number.strip() or None,
        sent_date=payload.sent_date,
        deadline_date=payload.deadline_date,
        legal_basis=payload.legal_basis,
        legal_text_keys=tuple(payload.legal_text_keys),
    )


def _claim(c: NoticeClaim) -> ClaimLine:
    return ClaimLine(
        claim_id=str(c.claim_id),
        invoice_number=c.invoice_number,
        claim_type=c.claim_type,
        description=c.description,
        due_date=c.due_date,
        principal_ore=c.principal_ore,
        interest_ore=c.interest_ore,
        fees_ore=c.fees_ore,
    )


def stored_message(payload: NoticeRequestedV1) -> dict[str, Any]:
    """What is kept of the request (the sealed identity has its own column)."""
    return payload.model_dump(mode="json", exclude={"debtor_sealed"})


def notice_from_message(message: dict[str, Any]) -> Notice:
    """The notice back from :func:`stored_message`."""
    return notice_from_requested(NoticeRequestedV1.model_validate({**message, "debtor_sealed": ""}))


def delivered_event(
    notice_id: UUID, case_id: UUID, channel: str, document_id: UUID, at: datetime
) -> NoticeDeliveredV1:
    """The ``notices.delivered.v1`` payload of a delivered letter."""
    return NoticeDeliveredV1(
        notice_id=notice_id,
        case_id=case_id,
        channel=_channel(channel),
        receipt="delivered",
        document_id=document_id,
        delivered_at=at,
    )


def opened_event(
    notice_id: UUID, case_id: UUID, channel: str, document_id: UUID, at: datetime
) -> NoticeDeliveredV1:
    """The ``notices.delivered.v1`` payload saying the person opened the letter."""
    return delivered_event(notice_id, case_id, channel, document_id, at).model_copy(
        update={"receipt": "opened"}
    )


def failed_event(
    notice_id: UUID,
    case_id: UUID,
    problems: list[NoticeProblem],
    at: datetime,
    channel: str | None = None,
    permanent: bool = True,
) -> NoticeFailedV1:
    """The ``notices.failed.v1`` payload: the first problem's code, every message."""
    return NoticeFailedV1(
        notice_id=notice_id,
        case_id=case_id,
        reason_code=problems[0].code,
        reason="; ".join(p.message for p in problems),
        channel=_channel(channel) if channel else None,
        permanent=permanent,
        failed_at=at,
    )


def _channel(channel: str) -> Channel:
    assert channel in ("digipost", "eboks", "svarut", "print", "sms", "email")
    return channel  # type: ignore[return-value]


class AddressIn(BaseModel):
    """A postal address."""

    lines: Annotated[list[Annotated[str, Field(max_length=100)]], Field(min_length=1, max_length=4)]
    postal_code: Annotated[str, Field(max_length=10)]
    city: Annotated[str, Field(max_length=100)]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "NO"


class ClaimIn(BaseModel):
    """One claim of a preview; amounts may be left out to see what the check says."""

    claim_id: str = "preview"
    invoice_number: Annotated[str, Field(max_length=64)] = ""
    claim_type: str = "annet"
    description: Annotated[str, Field(max_length=500)] = ""
    due_date: date | None = None
    principal_ore: Annotated[int, Field(ge=0)] | None = None
    interest_ore: Annotated[int, Field(ge=0)] | None = None
    fees_ore: Annotated[int, Field(ge=0)] | None = None


class PreviewIn(BaseModel):
    """A notice to render without sending (caseworkers, policy dry runs)."""

    model_config = ConfigDict(extra="forbid")

    step_kind: StepKind
    municipality: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    language: Literal["nb", "nn", "en"] = "nb"
    debtor_name: Annotated[str, Field(max_length=200)] = ""
    debtor_kind: Literal["person", "organisation"] = "person"
    debtor_address: AddressIn | None = None
    claims: Annotated[list[ClaimIn], Field(max_length=200)] = Field(default_factory=list)
    principal_ore: Annotated[int, Field(ge=0)] | None = None
    interest_ore: Annotated[int, Field(ge=0)] | None = None
    fees_ore: Annotated[int, Field(ge=0)] | None = None
    new_fee_ore: Annotated[int, Field(ge=0)] = 0
    total_ore: Annotated[int, Field(ge=0)] | None = None
    interest_rate_percent: Annotated[str, Field(max_length=10)] | None = None
    interest_from: date | None = None
    kid: Annotated[str, Field(max_length=25)] | None = None
    account_number: Annotated[str, Field(max_length=20)] | None = None
    sent_date: date
    deadline_date: date | None = None
    legal_basis: Annotated[str, Field(max_length=200)] = ""


def notice_from_preview(body: PreviewIn, notice_id: UUID, case_id: UUID) -> Notice:
    """A posted preview → a notice (nothing is stored or sent)."""
    address = body.debtor_address
    return Notice(
        notice_id=notice_id,
        case_id=case_id,
        step_kind=body.step_kind,
        municipality=body.municipality,
        language=body.language,
        debtor_ref="preview",
        debtor_kind=body.debtor_kind,
        debtor_name=body.debtor_name,
        debtor_address=(
            Address(tuple(address.lines), address.postal_code, address.city, address.country)
            if address
            else None
        ),
        claims=tuple(ClaimLine(**c.model_dump()) for c in body.claims),
        principal_ore=body.principal_ore,
        interest_ore=body.interest_ore,
        fees_ore=body.fees_ore,
        new_fee_ore=body.new_fee_ore,
        total_ore=body.total_ore,
        interest_rate_percent=(body.interest_rate_percent or "").strip() or None,
        interest_from=body.interest_from,
        kid=body.kid,
        account_number=body.account_number,
        sent_date=body.sent_date,
        deadline_date=body.deadline_date,
        legal_basis=body.legal_basis,
    )


def problem_json(p: NoticeProblem) -> dict[str, Any]:
    """A problem as JSON."""
    body: dict[str, Any] = {"code": p.code, "message": p.message}
    if p.field:
        body["field"] = p.field
    return body
