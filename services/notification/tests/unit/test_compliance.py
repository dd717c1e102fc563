"""The legal content check refuses letters the law forbids and names what is missing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from notification.domain.compliance import check_notice
from notification_factories import claim, notice


def codes(n, creditor: str | None = "Drammen kommune") -> list[str]:
    return [p.code for p in check_notice(n, creditor=creditor)]


@pytest.mark.parametrize(
    "step",
    [
        "purring",
        "inkassovarsel",
        "betalingsoppfordring",
        "varsel_tvangsfullbyrdelse",
        "oppsigelse",
        "sms_paminnelse",
        "overforing_tvangsinnfordring",
    ],
)
def test_a_complete_notice_of_every_step_passes(step):
    n = notice(step)

    assert codes(n) == []


def test_a_betalingsoppfordring_without_the_interest_rate_is_refused():
    n = notice("betalingsoppfordring", interest_rate_percent=None)

    assert codes(n) == ["notice.interest_rate_missing"]


def test_a_betalingsoppfordring_without_the_date_interest_runs_from_is_refused():
    n = notice("betalingsoppfordring", interest_from=None)

    assert codes(n) == ["notice.interest_from_missing"]


def test_a_betalingsoppfordring_whose_principal_is_not_separated_is_refused():
    n = notice("betalingsoppfordring", claims=(claim(principal_ore=None),), principal_ore=None)

    assert "notice.principal_not_separated" in codes(n)


def test_amounts_that_do_not_add_up_are_refused():
    n = notice("purring", total_ore=1)

    assert codes(n) == ["notice.amounts_inconsistent"]


def test_a_letter_without_what_the_claim_is_for_is_refused():
    n = notice("inkassovarsel", claims=(claim(description=" "),))

    assert codes(n) == ["notice.claim_purpose_missing"]


def test_an_inkassovarsel_with_less_than_fourteen_days_is_refused():
    n = notice("inkassovarsel", deadline_date=date(2026, 4, 13))

    assert codes(n) == ["notice.deadline_too_short"]


def test_a_purring_with_a_fee_sent_less_than_fourteen_days_after_the_due_date_is_refused():
    n = notice("purring", claims=(claim(due_date=date(2026, 3, 20)),))

    assert codes(n) == ["notice.fee_too_early"]


def test_a_purring_without_a_fee_may_be_sent_the_day_after_the_due_date():
    c = claim(due_date=date(2026, 3, 30), fees_ore=0)
    n = notice(
        "purring",
        claims=(c,),
        new_fee_ore=0,
        fees_ore=0,
        total_ore=326234,
        deadline_date=date(2026, 4, 7),
    )

    assert codes(n) == []


def test_a_wrong_kid_and_account_number_are_refused():
    n = notice("purring", kid="2345670", account_number="12345678900")

    assert codes(n) == ["notice.kid_invalid", "notice.account_invalid"]


def test_a_municipality_the_office_has_no_profile_for_is_refused():
    n = replace(notice("purring"), municipality="9999")

    assert codes(n, creditor=None) == ["notice.creditor_missing"]


def test_a_transfer_to_enforcement_needs_no_deadline():
    n = notice("overforing_tvangsinnfordring", deadline_date=None)

    assert codes(n) == []
