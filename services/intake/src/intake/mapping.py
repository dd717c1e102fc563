"""Translation between the outside (JSON bodies, contracts) and intake's domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, TypeAdapter, ValidationError

from contracts.claims import (
    ClaimAdjustedV1,
    ClaimRegisteredV2,
    ClaimRejectedV1,
    ClaimSubmittedV1,
    ClaimSubmittedV2,
    DebtorDetails,
    PostalAddress,
    PropertyRef,
    RejectionProblem,
    SubmittedDebtor,
)
from intake.domain.claims import ClaimDraft
from intake.domain.errors import ClaimProblem, problem
from runtime.personal_data import (
    PersonalDataKeys,
    decrypt_debtor_from_municipality,
    decrypt_from_municipality,
    seal_details,
)


@dataclass(frozen=True)
class Unparsed:
    """A submitted item that is not a claim at all, with the invoice number if it had one."""

    problems: list[ClaimProblem]
    invoice_number: str | None = None


class AddressIn(BaseModel):
    """A postal address for printed letters."""

    lines: Annotated[list[Annotated[str, Field(max_length=100)]], Field(min_length=1, max_length=4)]
    postal_code: Annotated[str, Field(pattern=r"^[0-9A-Za-z -]{3,10}$")]
    city: Annotated[str, Field(min_length=1, max_length=100)]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "NO"


class DebtorIn(BaseModel):
    """The debtor: fødselsnummer, D-number or organisasjonsnummer; name; address."""

    id: Annotated[str, Field(min_length=1, max_length=20)]
    name: Annotated[str, Field(max_length=200)]
    address: AddressIn | None = None


class PropertyIn(BaseModel):
    """A property (gnr/bnr, optionally festenummer and seksjonsnummer) for property claims."""

    gnr: Annotated[StrictInt, Field(ge=1)]
    bnr: Annotated[StrictInt, Field(ge=1)]
    fnr: Annotated[StrictInt, Field(ge=0)] | None = None
    snr: Annotated[StrictInt, Field(ge=0)] | None = None


class ClaimIn(BaseModel):
    """One claim as a municipality submits it over HTTP."""

    model_config = ConfigDict(extra="forbid")

    municipality: Annotated[str, Field(pattern=r"^[0-9]{4}$", description="Kommunenummer")]
    invoice_number: Annotated[str, Field(min_length=1, max_length=64)]
    claim_type: Annotated[str, Field(min_length=1, max_length=40)]
    debtor: DebtorIn
    principal_ore: StrictInt = Field(description="Principal in øre (integer)")
    issue_date: date
    due_date: date
    description: Annotated[str, Field(min_length=1, max_length=500)]
    original_kid: Annotated[str, Field(max_length=25)] | None = None
    property: PropertyIn | None = None
    successor_municipality: Annotated[
        str | None,
        Field(
            pattern=r"^[0-9]{4}$",
            description="Where `municipality` was split between successors: the one that "
            "collects this claim",
        ),
    ] = None


_CLAIM_IN = TypeAdapter(ClaimIn)
_AMOUNT_TYPES = {"int_type", "int_from_float", "int_parsing"}


def parse_claim(item: Any) -> ClaimDraft | Unparsed:
    """A JSON value → a draft, or field problems that never echo the submitted values."""
    try:
        parsed = _CLAIM_IN.validate_python(item)
    except ValidationError as error:
        problems = [_field_problem(e) for e in error.errors(include_input=False, include_url=False)]
        invoice = item.get("invoice_number") if isinstance(item, dict) else None
        usable = isinstance(invoice, str) and 0 < len(invoice) <= 64
        return Unparsed(problems, invoice if usable else None)
    return ClaimDraft(
        municipality=parsed.municipality,
        invoice_number=parsed.invoice_number,
        claim_type=parsed.claim_type,
        debtor_id=parsed.debtor.id,
        debtor_name=parsed.debtor.name,
        debtor_address=parsed.debtor.address.model_dump() if parsed.debtor.address else None,
        principal_ore=parsed.principal_ore,
        issue_date=parsed.issue_date,
        due_date=parsed.due_date,
        description=parsed.description,
        original_kid=parsed.original_kid,
        property=parsed.property.model_dump() if parsed.property else None,
        successor_municipality=parsed.successor_municipality,
    )


def _field_problem(error: Any) -> ClaimProblem:
    field = ".".join(str(p) for p in error["loc"]) or None
    if error["type"] == "missing":
        return problem("claim.field_missing", f"{field} is required", field)
    if field == "principal_ore" and error["type"] in _AMOUNT_TYPES:
        return problem("claim.amount_not_integer", field=field)
    if error["type"] == "extra_forbidden":
        return problem("claim.field_invalid", f"{field} is not a known field", field)
    return problem("claim.field_invalid", f"{field}: {error['msg']}", field)


ENCRYPTED_DEBTOR_FIELD = {
    ClaimSubmittedV2.EVENT_TYPE: "debtor_jwe",
    ClaimSubmittedV1.EVENT_TYPE: "debtor_identity_jwe",
}
"""The payload field whose JWE holds the debtor, per submitted type (named in a refusal)."""


def draft_from_submitted(
    payload: ClaimSubmittedV2 | ClaimSubmittedV1, municipality: str, submission_key_pem: bytes
) -> ClaimDraft:
    """A ``claims.submitted`` payload → a draft, its debtor decrypted with the office's key.

    v2 carries identity number, name and address in one JWE; v1 (read until every
    municipality has moved) the identity number alone, the name and address in clear.
    Raises ``SealError`` when the JWE does not open.
    """
    if isinstance(payload, ClaimSubmittedV2):
        debtor = decrypt_debtor_from_municipality(submission_key_pem, payload.debtor_jwe)
    else:
        debtor = SubmittedDebtor(
            identity_number=decrypt_from_municipality(
                submission_key_pem, payload.debtor_identity_jwe
            ),
            name=payload.debtor_name,
            address=payload.debtor_address,
        )
    return ClaimDraft(
        municipality=municipality,
        invoice_number=payload.invoice_number,
        claim_type=payload.claim_type,
        debtor_id=debtor.identity_number,
        debtor_name=debtor.name,
        debtor_address=debtor.address.model_dump() if debtor.address else None,
        principal_ore=payload.principal_ore,
        issue_date=payload.issue_date,
        due_date=payload.due_date,
        description=payload.description,
        original_kid=payload.original_kid,
        property=payload.property.model_dump() if payload.property else None,
    )


def registered_event(row: dict[str, Any], keys: PersonalDataKeys) -> ClaimRegisteredV2:
    """The ``claims.registered.v2`` payload of a freshly inserted claim row: the debtor's name
    and address sealed, like the identity number."""
    address = PostalAddress(**row["debtor_address"]) if row["debtor_address"] else None
    details = DebtorDetails(name=row["debtor_name"], address=address)
    return ClaimRegisteredV2(
        claim_id=row["id"],
        municipality=row["municipality"],
        invoice_number=row["invoice_number"],
        claim_type=row["claim_type"],
        debtor_ref=row["debtor_ref"],
        debtor_sealed=row["debtor_sealed"],
        debtor_kind=row["debtor_kind"],
        debtor_details_sealed=seal_details(keys, details),
        principal_ore=row["principal_ore"],
        issue_date=row["issue_date"],
        due_date=row["due_date"],
        original_kid=row["original_kid"],
        description=row["description"],
        property=PropertyRef(**row["property"]) if row["property"] else None,
        registered_at=row["registered_at"],
        original_municipality=row["original_municipality"],
    )


def rejected_event(
    municipality: str,
    invoice_number: str | None,
    problems: list[ClaimProblem],
    rejected_at: datetime,
    source_event_id: UUID | None = None,
) -> ClaimRejectedV1:
    """The ``claims.rejected.v1`` payload for one refused claim."""
    return ClaimRejectedV1(
        municipality=municipality,
        invoice_number=invoice_number,
        source_event_id=source_event_id,
        problems=[
            RejectionProblem(code=p.code, message=p.message, field=p.field) for p in problems
        ],
        rejected_at=rejected_at,
    )


def adjusted_event(row: dict[str, Any]) -> ClaimAdjustedV1:
    """The ``claims.adjusted.v1`` payload of a recorded adjustment row."""
    return ClaimAdjustedV1(
        claim_id=row["claim_id"],
        adjustment_id=row["id"],
        kind=row["kind"],
        amount_ore=row["amount_ore"],
        principal_before_ore=row["principal_before_ore"],
        principal_after_ore=row["principal_after_ore"],
        reason_code=row["reason_code"],
        reason=row["reason"],
        adjusted_at=row["adjusted_at"],
    )


def claim_resource(row: Any) -> dict[str, Any]:
    """The public JSON view of a claim: the identity number itself is never returned."""
    return {
        "id": str(row.id),
        "municipality": row.municipality,
        "original_municipality": row.original_municipality,
        "invoice_number": row.invoice_number,
        "claim_type": row.claim_type,
        "status": row.status,
        "debtor": {"ref": row.debtor_ref, "kind": row.debtor_kind, "name": row.debtor_name},
        "original_principal_ore": row.original_principal_ore,
        "principal_ore": row.principal_ore,
        "issue_date": row.issue_date.isoformat(),
        "due_date": row.due_date.isoformat(),
        "original_kid": row.original_kid,
        "description": row.description,
        "property": row.property,
        "source": row.source,
        "registered_at": row.registered_at.isoformat(),
    }


def problem_json(p: ClaimProblem) -> dict[str, Any]:
    """A per-item problem as JSON."""
    body: dict[str, Any] = {"code": p.code, "message": p.message}
    if p.field:
        body["field"] = p.field
    return body
