"""The case flow, pure: exact sequences, dates, deadlines and fees written out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from dunning.domain.catalogue import Catalogue
from dunning.domain.facts import TakenStep
from dunning.domain.flow import Block, Take, Wait, apply, decide, next_action, skip
from dunning.domain.simulation import simulate_case
from dunning.domain.validation import load_policy
from dunning.policy_store import packaged_policies
from dunning_factories import one_claim_case, policy_document, with_step

POLICIES = {p.id: p for p in packaged_policies()}


def steps_of(case, policy, start, days=120):
    return [
        (s.day, s.take.step.kind, s.take.deadline_date, s.take.fee.amount_ore)
        for s in simulate_case(case, policy, start, days)
        if s.take
    ]


def test_a_kindergarten_claim_due_on_friday_20_march_2026_follows_the_private_law_track():
    case = one_claim_case(date(2026, 3, 20))

    taken = steps_of(case, POLICIES["default-private"], date(2026, 3, 20))

    assert taken == [
        # Purring 3 days after the due date, no fee (less than 14 days after it). Its deadline,
        # 6 April, is Easter Monday: it rolls over Easter to Tuesday 7 April.
        (date(2026, 3, 23), "purring", date(2026, 4, 7), 0),
        # Inkassovarsel the day after: 1/20 of the 2026 inkassosats of 750 kr = 37.50 kr.
        (date(2026, 4, 8), "inkassovarsel", date(2026, 4, 22), 3750),
        # Betalingsoppfordring once the § 9 deadline has passed: 3/20 of 750 kr = 112.50 kr.
        (date(2026, 4, 23), "betalingsoppfordring", date(2026, 5, 7), 11250),
        # Then a hand-over to a caseworker, no letter.
        (date(2026, 5, 8), "overforing_tvangsinnfordring", None, 0),
    ]


def test_the_fee_follows_the_inkassosats_in_force_on_the_sending_day():
    case = one_claim_case(date(2025, 12, 1))

    taken = steps_of(case, POLICIES["default-private"], date(2025, 12, 1))

    # Inkassovarsel sent in 2025 at 700 kr (35 kr); betalingsoppfordring in 2026 at 750 kr,
    # the day after the deadline of Friday 2 January, a Saturday, rolled to Monday.
    assert [(t[0], t[1], t[3]) for t in taken[1:3]] == [
        (date(2025, 12, 19), "inkassovarsel", 3500),
        (date(2026, 1, 5), "betalingsoppfordring", 11250),
    ]


def test_a_property_fee_follows_the_public_law_track_to_utlegg():
    case = one_claim_case(date(2026, 1, 20), claim_type="eiendomsgebyr")

    taken = steps_of(case, POLICIES["default-public"], date(2026, 1, 20))

    assert taken == [
        (date(2026, 2, 3), "purring", date(2026, 2, 17), 3750),
        # Tvangsfullbyrdelsesloven § 4-18: enforcement at the earliest 2 weeks after the varsel.
        (date(2026, 2, 18), "varsel_tvangsfullbyrdelse", date(2026, 3, 4), 0),
        (date(2026, 3, 5), "overforing_tvangsinnfordring", None, 0),
    ]


def test_the_hand_over_to_utlegg_names_the_saernamsmann_and_its_legal_basis():
    case = one_claim_case(date(2026, 1, 20), claim_type="eiendomsgebyr")

    *_, handover = simulate_case(case, POLICIES["default-public"], date(2026, 1, 20), 90)

    assert handover.take.step.enforcement == "saernamsmann"
    assert "tvangsfullbyrdelsesloven" in handover.take.step.legal_basis


def test_drammens_kindergarten_flow_prices_the_termination_notice_in_rettsgebyr():
    case = one_claim_case(date(2026, 3, 20))

    taken = steps_of(case, POLICIES["drammen-barnehage"], date(2026, 3, 20))

    # 3/10 of R (1 314 kr carried into 2026) = 394.20 kr.
    assert taken[2] == (date(2026, 4, 23), "oppsigelse", date(2026, 5, 26), 39420)
    assert taken[3][1:] == ("betalingsoppfordring", date(2026, 5, 8), 11250)


def test_a_case_takes_at_most_one_step_per_date_and_then_waits():
    policy = POLICIES["default-private"]
    case = one_claim_case(date(2026, 1, 5))

    decision = decide(case, policy, date(2026, 3, 2))
    assert isinstance(decision, Take)
    after = apply(case, decision)

    # A run catching up sends the overdue purring on its own date, deadline 16 March.
    assert (decision.step.kind, decision.sent_date) == ("purring", date(2026, 3, 2))
    assert next_action(after, policy, date(2026, 3, 2)) == (date(2026, 3, 17), "inkassovarsel")
    assert decide(after, policy, date(2026, 3, 2)) == Wait(date(2026, 3, 17), "inkassovarsel")


def test_a_step_without_a_kid_is_blocked_for_the_exception_queue():
    case = one_claim_case(date(2026, 3, 20), kid=None)

    decision = decide(case, POLICIES["default-private"], date(2026, 3, 23))

    assert isinstance(decision, Block)
    assert [v.code for v in decision.violations] == ["case.kid_missing"]


def test_a_step_that_would_now_break_the_law_is_blocked_not_taken():
    # A caseworker skipped the inkassovarsel: the betalingsoppfordring has no § 9 varsel.
    policy = POLICIES["default-private"]
    case = one_claim_case(date(2026, 3, 20))
    purring = decide(case, policy, date(2026, 3, 23))
    assert isinstance(purring, Take)
    case = apply(case, purring)
    case = skip(case, policy, date(2026, 4, 8))

    decision = decide(case, policy, date(2026, 4, 9))

    assert isinstance(decision, Block)
    assert decision.violations[0].code == "policy.betalingsoppfordring_without_inkassovarsel"


def test_a_hold_moves_the_next_step_to_the_end_of_the_hold():
    case = replace(one_claim_case(date(2026, 3, 20)), hold_until=date(2026, 4, 30))

    decision = decide(case, POLICIES["default-private"], date(2026, 3, 23))

    assert decision == Wait(date(2026, 4, 30), "purring")


def test_a_new_version_applies_to_running_cases_from_their_next_step_only_if_it_says_so():
    v1 = POLICIES["default-private"]
    document = with_step(policy_document(version=2), "inkassovarsel", deadline_days=21)
    v2 = load_policy(document, date(2026, 1, 1))
    v3 = load_policy(document | {"version": 3, "applies_to_running": True}, date(2026, 1, 1))
    case = one_claim_case(date(2026, 3, 20))
    purring = decide(case, v1, date(2026, 3, 23))
    assert isinstance(purring, Take)
    history = apply(case, purring).history

    assert Catalogue([v1, v2]).effective("default-private", 1, history) is v1
    assert Catalogue([v1, v2, v3]).effective("default-private", 1, history) is v3


def test_a_betalingsoppfordring_within_14_days_of_a_stored_short_varsel_is_blocked():
    # A varsel recorded with a 7-day deadline (before the rule): § 10 still counts 14 days.
    document = with_step(policy_document(), "betalingsoppfordring", fee="none")
    policy = load_policy(document, date(2026, 1, 1))
    varsel = TakenStep(1, "inkassovarsel", "inkassovarsel", date(2026, 4, 8), date(2026, 4, 15))
    case = replace(one_claim_case(date(2026, 3, 20)), history=(purring_on_23_march(), varsel))

    decision = decide(case, policy, date(2026, 4, 16))

    assert isinstance(decision, Block)
    assert [v.code for v in decision.violations] == ["policy.betalingsoppfordring_too_early"]
    assert "inkassoloven § 10" in decision.violations[0].message
    assert isinstance(decide(case, policy, date(2026, 4, 23)), Take)


def purring_on_23_march():
    return TakenStep(0, "purring", "purring", date(2026, 3, 23), date(2026, 4, 7))
