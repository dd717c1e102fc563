"""Events about the claim register, published by intake (and by municipalities to intake)."""

from datetime import date
from typing import Annotated, ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from contracts.base import ContractModel, EventPayload, Kommunenummer, UtcDatetime

DebtorKind = Literal["person", "organisation"]
AdjustmentKind = Literal["credit_note", "cancellation", "write_off"]
# A claim's place in its life: open; reduced to nothing by the municipality (credited,
# cancelled, written_off); settled in the ledger (paid); or ended by dunning (handed_over to
# enforcement, closed by a caseworker).
ClaimStatus = Literal[
    "open", "credited", "cancelled", "written_off", "paid", "handed_over", "closed"
]
InvoiceNumber = Annotated[str, Field(min_length=1, max_length=64)]


class PostalAddress(ContractModel):
    """A postal address as printed on an envelope."""

    lines: Annotated[list[str], Field(min_length=1, max_length=4)]
    postal_code: str
    city: str
    country: str = "NO"


class DebtorDetails(ContractModel):
    """Who a letter goes to: the plaintext of every `debtor_details_sealed` on the bus.

    Sealed like the identity number (AES-GCM under the personal-data key, its own context), so
    the name and address never lie in clear in a topic for its retention period.
    """

    name: str
    address: PostalAddress | None


class PropertyRef(ContractModel):
    """A cadastral unit: gårds-, bruks-, feste- and seksjonsnummer within the municipality."""

    gnr: int
    bnr: int
    fnr: int | None = None
    snr: int | None = None


class ClaimSubmittedV1(EventPayload):
    """A claim as a municipality's finance system submits it; intake validates or rejects it.

    Superseded by `claims.submitted.v2`, which carries the name and address encrypted with the
    identity number; intake reads v1 until every municipality's integration has moved.
    """

    EVENT_TYPE: ClassVar[str] = "claims.submitted.v1"

    invoice_number: InvoiceNumber
    claim_type: str
    debtor_identity_jwe: str = Field(
        description="The debtor's identity number as a compact JWE encrypted to the office's "
        "intake public key: national ids never travel in clear on the bus.",
    )
    debtor_name: str
    debtor_address: PostalAddress | None = None
    principal_ore: int
    issue_date: date
    due_date: date
    original_kid: str | None = None
    description: str
    property: PropertyRef | None = None


class SubmittedDebtor(ContractModel):
    """Who owes, as the municipality knows them: the plaintext of `debtor_jwe`."""

    identity_number: str = Field(
        description="Fødselsnummer or D-nummer (11 digits), or organisasjonsnummer (9)."
    )
    name: str
    address: PostalAddress | None = None


# v2 repeats v1's fields rather than sharing a base: each published version is a frozen document
# of its own, and v1 goes away once no message of it remains (see `contracts.registry.SUPERSEDED`).
class ClaimSubmittedV2(EventPayload):
    """A claim as a municipality's finance system submits it; intake validates or rejects it.
    No personal data travels in clear: the debtor is one JWE to the office."""

    EVENT_TYPE: ClassVar[str] = "claims.submitted.v2"

    invoice_number: InvoiceNumber
    claim_type: str
    debtor_jwe: str = Field(
        description="The debtor as a compact JWE (RSA-OAEP-256, A256GCM) encrypted to the "
        "office's intake public key; its plaintext is `SubmittedDebtor` as JSON: {\"identity_"
        'number": "15038512345", "name": "Kari Nordmann", "address": {"lines": ["Storgata 1"], '
        '"postal_code": "3015", "city": "Drammen", "country": "NO"}}.',
    )
    principal_ore: int
    issue_date: date
    due_date: date
    original_kid: str | None = None
    description: str
    property: PropertyRef | None = None


class ClaimRegisteredV1(EventPayload):
    """A claim intake accepted into the register.

    Superseded by `claims.registered.v2`, which carries the debtor's name and address sealed;
    no longer published, still read while older messages remain in the topic.
    """

    EVENT_TYPE: ClassVar[str] = "claims.registered.v1"

    claim_id: UUID
    municipality: Kommunenummer
    invoice_number: InvoiceNumber
    claim_type: str
    debtor_ref: str = Field(description="Keyed hash of the identity number, for joins.")
    debtor_sealed: str = Field(description="The identity number sealed with AES-GCM.")
    debtor_kind: DebtorKind
    debtor_name: str
    debtor_address: PostalAddress | None
    principal_ore: int = Field(gt=0)
    issue_date: date
    due_date: date
    original_kid: str | None
    description: str
    property: PropertyRef | None
    registered_at: UtcDatetime
    original_municipality: Kommunenummer | None = Field(
        default=None,
        description="The kommunenummer the claim was submitted under when that municipality "
        "has since merged or been renumbered; `municipality` is the successor collecting it.",
    )


# v2 repeats v1's fields rather than sharing a base: each published version is a frozen document
# of its own, and v1 goes away once no message of it remains (see `contracts.registry.SUPERSEDED`).
class ClaimRegisteredV2(EventPayload):
    """A claim intake accepted into the register; the debtor's name and address travel sealed."""

    EVENT_TYPE: ClassVar[str] = "claims.registered.v2"

    claim_id: UUID
    municipality: Kommunenummer
    invoice_number: InvoiceNumber
    claim_type: str
    debtor_ref: str = Field(description="Keyed hash of the identity number, for joins.")
    debtor_sealed: str = Field(description="The identity number sealed with AES-GCM.")
    debtor_kind: DebtorKind
    debtor_details_sealed: str = Field(
        description="The debtor's name and postal address (`DebtorDetails` as JSON) sealed with "
        "AES-GCM under the personal-data key; only services that write to or show the debtor "
        "open it.",
    )
    principal_ore: int = Field(gt=0)
    issue_date: date
    due_date: date
    original_kid: str | None
    description: str
    property: PropertyRef | None
    registered_at: UtcDatetime
    original_municipality: Kommunenummer | None = Field(
        default=None,
        description="The kommunenummer the claim was submitted under when that municipality "
        "has since merged or been renumbered; `municipality` is the successor collecting it.",
    )

    def opened(self, details: DebtorDetails) -> ClaimRegisteredV1:
        """The claim with its opened details, in the shape that carries them in clear."""
        fields = self.model_dump(exclude={"debtor_details_sealed"})
        return ClaimRegisteredV1(**fields, debtor_name=details.name, debtor_address=details.address)


class RejectionProblem(ContractModel):
    """One reason a submission was refused."""

    code: str = Field(description='Machine code, e.g. "claim.debtor_id_invalid".')
    message: str
    field: str | None = None


class ClaimRejectedV1(EventPayload):
    """A submission intake refused, with every problem found."""

    EVENT_TYPE: ClassVar[str] = "claims.rejected.v1"

    municipality: Kommunenummer
    invoice_number: str | None
    source_event_id: UUID | None
    problems: Annotated[list[RejectionProblem], Field(min_length=1)]
    rejected_at: UtcDatetime


class ClaimAdjustedV1(EventPayload):
    """A reduction of a registered claim's principal."""

    EVENT_TYPE: ClassVar[str] = "claims.adjusted.v1"

    claim_id: UUID
    adjustment_id: UUID
    kind: AdjustmentKind
    amount_ore: int = Field(ge=0, description="The reduction.")
    principal_before_ore: int = Field(ge=0)
    principal_after_ore: int = Field(ge=0)
    reason_code: str
    reason: str
    adjusted_at: UtcDatetime

    @model_validator(mode="after")
    def _amounts_add_up(self) -> Self:
        if self.principal_before_ore - self.amount_ore != self.principal_after_ore:
            msg = "principal_after_ore must equal principal_before_ore - amount_ore"
            raise ValueError(msg)
        return self


class ClaimStatusChangedV1(EventPayload):
    """The register moved a claim to another status, following the ledger or dunning."""

    EVENT_TYPE: ClassVar[str] = "claims.status_changed.v1"

    claim_id: UUID
    status_before: ClaimStatus
    status: ClaimStatus
    decided_by: Literal["ledger", "dunning"] = Field(
        description="Whose event moved it: payments' ledger or dunning's case."
    )
    reason: str = Field(
        description='Why, in the deciding service\'s words: "settled", "reopened" (ledger), '
        'or a case\'s closing reason ("settled", "written_off", "handed_over", "stopped").'
    )
    source_event_id: UUID = Field(description="The event that decided it.")
    changed_at: UtcDatetime
