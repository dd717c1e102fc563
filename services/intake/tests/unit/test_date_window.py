"""The window of dates intake takes is the office's setting, not a constant."""

from __future__ import annotations

from datetime import date

from intake.domain.claims import ClaimDraft, ClaimRules, validate_claim
from rules.text import TextPolicy

TODAY = date(2026, 12, 4)


def draft(issue: date, due: date) -> ClaimDraft:
    return ClaimDraft(
        municipality="3301",
        invoice_number="INV-1",
        claim_type="barnehage",
        debtor_id="15038512345",
        debtor_name="Kari Nordmann",
        principal_ore=100,
        issue_date=issue,
        due_date=due,
        description="Barnehage",
    )


def date_codes(issue: date, due: date, rules: ClaimRules) -> list[str]:
    outcome = validate_claim(draft(issue, due), None, today=TODAY, rules=rules)
    assert isinstance(outcome, list)
    return [p.code for p in outcome if p.field in ("issue_date", "due_date")]


def rules(earliest: date, years: int) -> ClaimRules:
    return ClaimRules(10**10, earliest, years, TextPolicy())


def test_a_stricter_office_refuses_what_the_default_window_takes() -> None:
    issue, due = date(2023, 1, 1), date(2025, 1, 1)

    assert date_codes(issue, due, rules(date(2000, 1, 1), 5)) == []
    assert date_codes(issue, due, rules(date(2024, 1, 1), 5)) == ["claim.issue_date_too_early"]
    assert date_codes(issue, due, rules(date(2000, 1, 1), 1)) == ["claim.due_date_too_late"]


def test_the_last_day_of_the_calendar_is_a_reason_not_an_overflow() -> None:
    assert date_codes(date(2026, 1, 1), date.max, rules(date(2000, 1, 1), 5)) == [
        "claim.due_date_too_late"
    ]
    assert date_codes(date.max, date.max, rules(date(2000, 1, 1), 5)) == [
        "claim.issue_date_in_future",
        "claim.due_date_too_late",
    ]
