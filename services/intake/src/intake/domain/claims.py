"""Validation of a claim draft against DOMAIN.md and the office's municipalities."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from intake.domain.errors import ClaimProblem, problem
from rules.identity import IdentityKind, InvalidIdentity, validate_identity
from rules.kid import is_valid_kid
from rules.text import TextPolicy, TextProblem

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


# The longest text each field of a claim may hold (characters, after NFC).
TEXT_LENGTHS = {
    "invoice_number": 64,
    "claim_type": 40,
    "debtor.name": 200,
    "debtor.address.lines": 100,
    "debtor.address.postal_code": 10,
    "debtor.address.city": 100,
    "debtor.address.country": 2,
    "description": 500,
    "original_kid": 25,
}


@dataclass(frozen=True)
class ClaimRules:
    """The office's limits on a claim: amount, the window of dates, what text may hold."""

    max_principal_ore: int
    earliest_issue_date: date
    max_due_years_after_issue: int
    text: TextPolicy


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
    rules: ClaimRules,
) -> ValidClaim | list[ClaimProblem]:
    """Check one draft; returns the valid claim (its texts in NFC) or every problem found."""
    cleaned = clean_texts(draft, rules.text)
    if isinstance(cleaned, list):
        problems = cleaned
    else:
        draft, problems = cleaned, []
    if municipality is None or not municipality.served:
        problems.append(problem("claim.municipality_unknown", field="municipality"))
    if draft.claim_type not in CLAIM_TYPES:
        problems.append(problem("claim.claim_type_unknown", field="claim_type"))
    elif municipality is not None and draft.claim_type not in municipality.claim_types:
        problems.append(problem("claim.claim_type_not_enabled", field="claim_type"))
    problems += _amount_problems(draft.principal_ore, rules.max_principal_ore)
    problems += _date_problems(draft.issue_date, draft.due_date, today, rules)
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


def clean_texts(draft: ClaimDraft, policy: TextPolicy) -> ClaimDraft | list[ClaimProblem]:
    """The draft with every text in NFC, or a problem for each text the policy refuses."""
    problems: list[ClaimProblem] = []

    def clean(value: str, name: str, *, required: bool = False, shown: str = "") -> str:
        outcome = policy.clean(
            value, field=shown or name, max_length=TEXT_LENGTHS[name], required=required
        )
        if isinstance(outcome, TextProblem):
            problems.append(_text_problem(outcome))
            return value
        return outcome

    address: dict[str, Any] | None = None
    if draft.debtor_address is not None:
        address = dict(draft.debtor_address)
        lines = address.get("lines")
        if isinstance(lines, list):
            address["lines"] = [
                clean(line, "debtor.address.lines", shown=f"debtor.address.lines.{i}")
                for i, line in enumerate(lines)
            ]
        for part in ("postal_code", "city", "country"):
            value = address.get(part)
            if isinstance(value, str):
                address[part] = clean(value, f"debtor.address.{part}")
    cleaned = replace(
        draft,
        invoice_number=clean(draft.invoice_number, "invoice_number", required=True),
        claim_type=clean(draft.claim_type, "claim_type"),
        debtor_name=clean(draft.debtor_name, "debtor.name", required=True),
        debtor_address=address,
        description=clean(draft.description, "description", required=True),
        original_kid=(
            None if draft.original_kid is None else clean(draft.original_kid, "original_kid")
        ),
    )
    return problems or cleaned


def _text_problem(text: TextProblem) -> ClaimProblem:
    if text.code == "text.empty" and text.field == "debtor.name":
        return problem("claim.debtor_name_missing", field=text.field)
    return problem(text.code, text.message, text.field)


def _date_problems(
    issue_date: date, due_date: date, today: date, rules: ClaimRules
) -> list[ClaimProblem]:
    """Dates inside the office's window (issue from the earliest date, due at most some years
    after issue), then the rules of the law; a date past the window is never computed with."""
    if issue_date < rules.earliest_issue_date:
        return [problem("claim.issue_date_too_early", field="issue_date")]
    problems = []
    if issue_date > today:
        problems.append(problem("claim.issue_date_in_future", field="issue_date"))
    latest_due = _add_years(issue_date, rules.max_due_years_after_issue)
    if latest_due is None or due_date > latest_due:
        problems.append(problem("claim.due_date_too_late", field="due_date"))
        return problems
    if due_date < issue_date:
        problems.append(problem("claim.due_before_issue", field="due_date"))
    limitation = _add_years(due_date, LIMITATION_YEARS)
    if limitation is not None and limitation <= today:
        problems.append(problem("claim.time_barred", field="due_date"))
    return problems


def _add_years(d: date, years: int) -> date | None:
    """``years`` after ``d`` (28 February for 29 February); None past the calendar's end."""
    if d.year + years > date.max.year:
        return None
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
