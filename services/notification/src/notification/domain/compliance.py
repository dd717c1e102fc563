"""The legal content check: a letter that lacks what the law asks of its step is never made.

Inkassoloven § 9 (inkassovarsel) and § 10 (betalingsoppfordring), inkassoforskriften § 1-2
(fees for a purring), tvangsfullbyrdelsesloven § 4-18 (varsel om tvangsfullbyrdelse).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from notification.domain.errors import NoticeProblem, problem
from notification.domain.notice import LANGUAGES, STEP_KINDS, Notice
from rules.identity import InvalidAccountNumber, validate_account_number
from rules.kid import is_valid_kid

# Fourteen days is the shortest lawful deadline for §§ 9 and 10 and for a purring with a fee.
MIN_DEADLINE_DAYS = 14
_DEMANDS_PAYMENT = frozenset(STEP_KINDS) - {"overforing_tvangsinnfordring"}
_NEEDS_INTEREST_TERMS = frozenset({"betalingsoppfordring", "varsel_tvangsfullbyrdelse"})
_FOURTEEN_DAYS = frozenset({"inkassovarsel", "betalingsoppfordring", "varsel_tvangsfullbyrdelse"})

Check = Callable[[Notice], list[NoticeProblem]]


def check_notice(notice: Notice, *, creditor: str | None) -> list[NoticeProblem]:
    """Every reason the notice may not become a letter; empty when it may.

    ``creditor`` is the municipality's name from its letter profile (None: unknown).
    """
    if notice.step_kind not in STEP_KINDS:
        return [problem("notice.step_unknown", field="step_kind")]
    found: list[NoticeProblem] = []
    if not creditor:
        found.append(problem("notice.creditor_missing", field="municipality"))
    for check in _CHECKS:
        found.extend(check(notice))
    return found


def _parties(notice: Notice) -> list[NoticeProblem]:
    found = []
    if notice.language not in LANGUAGES:
        found.append(problem("notice.language_unsupported", field="language"))
    if not notice.debtor_name.strip():
        found.append(problem("notice.debtor_name_missing", field="debtor_name"))
    if not notice.legal_basis.strip():
        found.append(problem("notice.legal_basis_missing", field="legal_basis"))
    return found


def _claims(notice: Notice) -> list[NoticeProblem]:
    if not notice.claims:
        return [problem("notice.claims_missing", field="claims")]
    found = []
    for index, claim in enumerate(notice.claims):
        if not claim.description.strip():
            found.append(problem("notice.claim_purpose_missing", field=f"claims.{index}"))
    return found


def _amounts(notice: Notice) -> list[NoticeProblem]:
    parts = {
        "principal": (notice.principal_ore, [c.principal_ore for c in notice.claims]),
        "interest": (notice.interest_ore, [c.interest_ore for c in notice.claims]),
        "fees": (notice.fees_ore, [c.fees_ore for c in notice.claims]),
    }
    found = []
    for name, (total, per_claim) in parts.items():
        if total is None or any(v is None for v in per_claim):
            found.append(problem(f"notice.{name}_not_separated", field=f"{name}_ore"))
        elif sum(v for v in per_claim if v is not None) != total:
            found.append(
                problem("notice.amounts_inconsistent", f"The claims' {name} does not add up")
            )
    if found:
        return found
    assert notice.principal_ore is not None and notice.interest_ore is not None
    assert notice.fees_ore is not None
    if notice.principal_ore <= 0:
        found.append(problem("notice.principal_not_separated", field="principal_ore"))
    if notice.total_ore != notice.principal_ore + notice.interest_ore + notice.fees_ore:
        found.append(
            problem("notice.amounts_inconsistent", "The total is not the sum of its parts")
        )
    if notice.new_fee_ore > notice.fees_ore:
        found.append(problem("notice.amounts_inconsistent", "The new fee exceeds the fees"))
    return found


def _payment(notice: Notice) -> list[NoticeProblem]:
    found = []
    if not notice.kid or not is_valid_kid(notice.kid):
        found.append(problem("notice.kid_invalid", field="kid"))
    try:
        validate_account_number(notice.account_number or "")
    except InvalidAccountNumber:
        found.append(problem("notice.account_invalid", field="account_number"))
    return found


def _deadline(notice: Notice) -> list[NoticeProblem]:
    if notice.step_kind not in _DEMANDS_PAYMENT:
        return []
    if notice.deadline_date is None:
        return [problem("notice.deadline_missing", field="deadline_date")]
    needs_fourteen = notice.step_kind in _FOURTEEN_DAYS or notice.new_fee_ore > 0
    if needs_fourteen and notice.deadline_date < notice.sent_date + timedelta(MIN_DEADLINE_DAYS):
        return [problem("notice.deadline_too_short", field="deadline_date")]
    if notice.deadline_date < notice.sent_date:
        return [problem("notice.deadline_too_short", field="deadline_date")]
    return []


def _interest_terms(notice: Notice) -> list[NoticeProblem]:
    found = []
    required = notice.step_kind in _NEEDS_INTEREST_TERMS
    if required and parse_rate(notice.interest_rate_percent) is None:
        found.append(problem("notice.interest_rate_missing", field="interest_rate_percent"))
    if required and notice.interest_from is None:
        found.append(problem("notice.interest_from_missing", field="interest_from"))
    return found


def _purring_fee(notice: Notice) -> list[NoticeProblem]:
    # inkassoforskriften § 1-2: a reminder fee only 14 days or more after the due date.
    if notice.step_kind != "purring" or notice.new_fee_ore == 0:
        return []
    earliest = notice.sent_date - timedelta(MIN_DEADLINE_DAYS)
    if any(c.due_date is None or c.due_date > earliest for c in notice.claims):
        return [problem("notice.fee_too_early", field="new_fee_ore")]
    return []


def parse_rate(text: str | None) -> Decimal | None:
    """A yearly rate in percent from '12.25' (or '12,25'); None when missing or absurd."""
    if text is None or not text.strip():
        return None
    try:
        rate = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return rate if rate.is_finite() and Decimal(0) <= rate < Decimal(100) else None


_CHECKS: tuple[Check, ...] = (
    _parties,
    _claims,
    _amounts,
    _payment,
    _deadline,
    _interest_terms,
    _purring_fee,
)
