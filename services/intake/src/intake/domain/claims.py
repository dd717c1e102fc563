"""Validation of a claim draft against DOMAIN.md and the office's municipalities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from intake.domain.errors import ClaimProblem, problem
from rules.identity import IdentityKind, InvalidIdentity, validate_identity
from rules.kid import is_valid_kid

CLAIM_TYPES = frozenset(
    {
        "eiendomsgebyr",
        "eiendomsskatt",
        "barnehage",
        "sfo",
        "kulturskole",
        "husleie",
        "helse_omsorg",
        "parkering",
        "annet",
    }
)
# Public-law property claims carry a legal lien on the property (panteloven § 6-1).
PROPERTY_CLAIM_TYPES = frozenset({"eiendomsgebyr", "eiendomsskatt"})
# foreldelsesloven § 2: three years from the due date.
LIMITATION_YEARS = 3


@dataclass(frozen=True)
class Municipality:
    """A creditor municipality the office serves, with the claim types it has enabled."""

    kommunenummer: str
    name: str
    orgnr: str
    claim_types: frozenset[str]
    served: bool = True


@dataclass(frozen=True)
class ClaimDraft:
    """A submitted claim after parsing, before validation."""

    municipality: str
    invoice_number: str
    claim_type: str
    debtor_id: str = field(repr=False)
    debtor_name: str
    principal_ore: int
    issue_date: date
    due_date: date
    description: str
    debtor_address: dict[str, object] | None = None
    original_kid: str | None = None
    property: dict[str, int | None] | None = None
    # A municipality split between successors: the one the submitter names (intake.creditors).
    successor_municipality: str | None = None
    # The number submitted under, where its successor collects the claim (intake.creditors).
    original_municipality: str | None = None


@dataclass(frozen=True)
class ValidClaim:
    """A draft that passed every rule, with the debtor's normalised identity."""

    draft: ClaimDraft
    debtor_number: str = field(repr=False)
    debtor_kind: str


def validate_claim(
    draft: ClaimDraft,
    municipality: Municipality | None,
    *,
    today: date,
    max_principal_ore: int,
) -> ValidClaim | list[ClaimProblem]:
    """Check one draft; returns the valid claim or every problem found."""
    problems: list[ClaimProblem] = []
    if municipality is None or not municipality.served:
        problems.append(problem("claim.municipality_unknown", field="municipality"))
    if draft.claim_type not in CLAIM_TYPES:
        problems.append(problem("claim.claim_type_unknown", field="claim_type"))
    elif municipality is not None and draft.claim_type not in municipality.claim_types:
        problems.append(problem("claim.claim_type_not_enabled", field="claim_type"))
    problems += _amount_problems(draft.principal_ore, max_principal_ore)
    problems += _date_problems(draft.issue_date, draft.due_date, today)
    if not draft.debtor_name.strip():
        problems.append(problem("claim.debtor_name_missing", field="debtor.name"))
    if draft.original_kid is not None and not is_valid_kid(draft.original_kid):
        problems.append(problem("claim.kid_invalid", field="original_kid"))
    if draft.claim_type in PROPERTY_CLAIM_TYPES and not draft.property:
        problems.append(problem("claim.property_missing", field="property"))
    kind = IdentityKind.PERSON
    number = ""
    try:
        identity = validate_identity(draft.debtor_id)
        number, kind = identity.number, identity.kind
    except InvalidIdentity as error:
        problems.append(problem(error.code, field="debtor.id"))
    if problems:
        return problems
    return ValidClaim(draft, number, "person" if kind == IdentityKind.PERSON else "organisation")


def _amount_problems(principal_ore: int, max_principal_ore: int) -> list[ClaimProblem]:
    if principal_ore <= 0:
        return [problem("claim.amount_not_positive", field="principal_ore")]
    if principal_ore > max_principal_ore:
        return [problem("claim.amount_too_large", field="principal_ore")]
    return []


def _date_problems(issue_date: date, due_date: date, today: date) -> list[ClaimProblem]:
    problems = []
    if due_date < issue_date:
        problems.append(problem("claim.due_before_issue", field="due_date"))
    if issue_date > today:
        problems.append(problem("claim.issue_date_in_future", field="issue_date"))
    if _add_years(due_date, LIMITATION_YEARS) <= today:
        problems.append(problem("claim.time_barred", field="due_date"))
    return problems


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def repeated_invoice_numbers(invoice_numbers: list[str]) -> set[int]:
    """Indexes of items whose invoice number already appeared earlier in the same batch."""
    seen: set[str] = set()
    repeated: set[int] = set()
    for index, number in enumerate(invoice_numbers):
        if number in seen:
            repeated.add(index)
        seen.add(number)
    return repeated
