"""Events of cases and case flows, published by dunning."""

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from contracts.base import ContractModel, EventPayload, Kommunenummer, UtcDatetime
from contracts.claims import DebtorDetails, DebtorKind, PostalAddress

StepKind = Literal[
    "purring",
    "inkassovarsel",
    "betalingsoppfordring",
    "varsel_tvangsfullbyrdelse",
    "oppsigelse",
    "sms_paminnelse",
    "overforing_tvangsinnfordring",
]
Ore = Annotated[int, Field(ge=0)]


class CaseOpenedV1(EventPayload):
    """A case started following a claim under a policy version."""

    EVENT_TYPE: ClassVar[str] = "cases.opened.v1"

    case_id: UUID
    claim_ids: list[UUID]
    municipality: Kommunenummer
    debtor_ref: str
    policy_id: str
    policy_version: int
    opened_at: UtcDatetime


class CaseStepTakenV1(EventPayload):
    """One step of the flow was taken, with the rule and legal basis behind it."""

    EVENT_TYPE: ClassVar[str] = "cases.step_taken.v1"

    case_id: UUID
    claim_ids: list[UUID]
    step_kind: StepKind
    step_index: int
    rule: str
    legal_basis: str
    sent_date: date
    deadline_date: date | None
    fee_ore: Ore
    taken_at: UtcDatetime


class CasePausedV1(EventPayload):
    """Automated steps stopped (dispute, plan, deferral, concern report, caseworker)."""

    EVENT_TYPE: ClassVar[str] = "cases.paused.v1"

    case_id: UUID
    reason: Literal["dispute", "plan", "deferral", "concern", "caseworker", "deceased", "bankrupt"]
    until: date | None
    paused_at: UtcDatetime


class CaseResumedV1(EventPayload):
    """Automated steps continue."""

    EVENT_TYPE: ClassVar[str] = "cases.resumed.v1"

    case_id: UUID
    reason: str
    resumed_at: UtcDatetime


class CaseClosedV1(EventPayload):
    """The case ended."""

    EVENT_TYPE: ClassVar[str] = "cases.closed.v1"

    case_id: UUID
    reason: Literal["settled", "cancelled", "written_off", "credited", "handed_over", "stopped"]
    closed_at: UtcDatetime
    claim_ids: list[UUID] = Field(
        default_factory=list,
        description="The case's claims when it closed (empty in events from before the field).",
    )


class Instalment(ContractModel):
    """One instalment of a payment plan."""

    due_date: date
    amount_ore: Annotated[int, Field(gt=0)]


class PlanAgreedV1(EventPayload):
    """An instalment plan (betalingsavtale) was agreed for a case."""

    EVENT_TYPE: ClassVar[str] = "cases.plan_agreed.v1"

    plan_id: UUID
    case_id: UUID
    claim_ids: list[UUID]
    debtor_ref: str
    instalments: Annotated[list[Instalment], Field(min_length=1)]
    agreed_at: UtcDatetime


class FeeChargedV1(EventPayload):
    """A fee was charged on a claim for a letter (inkassoforskriften §§ 1-2, 1-3)."""

    EVENT_TYPE: ClassVar[str] = "fees.charged.v1"

    fee_id: UUID
    claim_id: UUID
    case_id: UUID
    step_kind: StepKind
    amount_ore: Annotated[int, Field(gt=0)]
    legal_basis: str
    charged_on: date
    charged_at: UtcDatetime


class FeeReversedV1(EventPayload):
    """A charged fee was taken back (e.g. the claim was cancelled as wrongly issued)."""

    EVENT_TYPE: ClassVar[str] = "fees.reversed.v1"

    fee_id: UUID
    claim_id: UUID
    amount_ore: Annotated[int, Field(gt=0)]
    reason: str
    reversed_at: UtcDatetime


class NoticeClaim(ContractModel):
    """One claim in a notice, with its amounts split as the law requires."""

    claim_id: UUID
    invoice_number: str
    claim_type: str
    description: str
    due_date: date
    principal_ore: Ore
    interest_ore: Ore
    fees_ore: Ore


class NoticeRequestedV1(EventPayload):
    """Dunning asks notification to send a letter for a step, with everything it must state.

    Superseded by `notices.requested.v2`, which carries the debtor's name and address sealed;
    no longer published, still read while older messages remain in the topic.
    """

    EVENT_TYPE: ClassVar[str] = "notices.requested.v1"

    notice_id: UUID
    case_id: UUID
    step_kind: StepKind
    municipality: Kommunenummer
    language: Literal["nb", "nn", "en"]
    debtor_ref: str
    debtor_sealed: str
    debtor_kind: DebtorKind
    debtor_name: str
    debtor_address: PostalAddress | None
    claims: Annotated[list[NoticeClaim], Field(min_length=1)]
    principal_ore: Ore
    interest_ore: Ore
    fees_ore: Ore
    new_fee_ore: Ore = Field(description="The fee charged for this very letter.")
    total_ore: Ore
    interest_rate_percent: str = Field(description='Current rate, e.g. "12.25".')
    interest_from: date
    kid: str
    account_number: str
    sent_date: date
    deadline_date: date | None
    legal_basis: str
    legal_text_keys: list[str]
    requested_at: UtcDatetime


# v2 repeats v1's fields rather than sharing a base: each published version is a frozen document
# of its own, and v1 goes away once no message of it remains (see `contracts.registry.SUPERSEDED`).
class NoticeRequestedV2(EventPayload):
    """Dunning asks notification to send a letter for a step, with everything it must state;
    the debtor's name and address travel sealed."""

    EVENT_TYPE: ClassVar[str] = "notices.requested.v2"

    notice_id: UUID
    case_id: UUID
    step_kind: StepKind
    municipality: Kommunenummer
    language: Literal["nb", "nn", "en"]
    debtor_ref: str
    debtor_sealed: str
    debtor_kind: DebtorKind
    debtor_details_sealed: str = Field(
        description="The debtor's name and postal address (`DebtorDetails` as JSON) sealed with "
        "AES-GCM under the personal-data key; notification opens it for the letter.",
    )
    claims: Annotated[list[NoticeClaim], Field(min_length=1)]
    principal_ore: Ore
    interest_ore: Ore
    fees_ore: Ore
    new_fee_ore: Ore = Field(description="The fee charged for this very letter.")
    total_ore: Ore
    interest_rate_percent: str = Field(description='Current rate, e.g. "12.25".')
    interest_from: date
    kid: str
    account_number: str
    sent_date: date
    deadline_date: date | None
    legal_basis: str
    legal_text_keys: list[str]
    requested_at: UtcDatetime

    def opened(self, details: DebtorDetails) -> NoticeRequestedV1:
        """The request with its opened details, in the shape that carries them in clear."""
        fields = self.model_dump(exclude={"debtor_details_sealed"})
        return NoticeRequestedV1(**fields, debtor_name=details.name, debtor_address=details.address)
