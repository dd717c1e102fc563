from datetime import date

from intake.creditors import resolve_creditor
from intake.domain.claims import ClaimDraft
from rules.municipalities import DEFAULT_REGISTER


def draft(municipality: str, successor: str | None = None) -> ClaimDraft:
    return ClaimDraft(
        municipality=municipality,
        invoice_number="1",
        claim_type="barnehage",
        debtor_id="x",
        debtor_name="Kari",
        principal_ore=100,
        issue_date=date(2023, 6, 1),
        due_date=date(2023, 7, 1),
        description="d",
        successor_municipality=successor,
    )


def test_holmestrand_3802_is_collected_by_3903_from_2024() -> None:
    resolved = resolve_creditor(draft("3802"), DEFAULT_REGISTER, date(2024, 1, 1))

    assert isinstance(resolved, ClaimDraft)
    assert (resolved.municipality, resolved.original_municipality) == ("3903", "3802")


def test_holmestrand_3802_is_its_own_creditor_in_2023() -> None:
    resolved = resolve_creditor(draft("3802"), DEFAULT_REGISTER, date(2023, 12, 31))

    assert resolved == draft("3802")


def test_a_number_the_register_does_not_know_is_left_to_the_office_list() -> None:
    assert resolve_creditor(draft("9999"), DEFAULT_REGISTER, date(2026, 1, 1)) == draft("9999")


def test_a_split_number_without_a_named_successor_is_a_problem() -> None:
    [problem] = resolve_creditor(draft("5012"), DEFAULT_REGISTER, date(2026, 1, 1))  # type: ignore[misc]

    assert (problem.code, problem.field) == ("claim.municipality_split", "municipality")
