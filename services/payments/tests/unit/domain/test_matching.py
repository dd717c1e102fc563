"""Matching reasons, KID typos, and the order of candidate suggestions."""

from __future__ import annotations

from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from payments.domain.matching import (
    Evidence,
    Unmatched,
    is_one_typo,
    one_typo_variants,
    rank_candidates,
    unmatched_reason,
)

A, B, C = UUID(int=1), UUID(int=2), UUID(int=3)
kids = st.text(alphabet="0123456789", min_size=2, max_size=25)


def test_a_payment_without_a_kid_a_bad_kid_an_unknown_kid_or_only_closed_claims_is_unmatched():
    assert unmatched_reason(None, False, 0, 0) is Unmatched.KID_MISSING
    assert unmatched_reason("1234", False, 0, 0) is Unmatched.KID_INVALID
    assert unmatched_reason("2345676", True, 0, 0) is Unmatched.KID_UNKNOWN
    assert unmatched_reason("2345676", True, 1, 0) is Unmatched.CLAIM_CLOSED
    assert unmatched_reason("2345676", True, 1, 1) is None


def test_one_typo_covers_a_changed_dropped_added_or_swapped_digit():
    assert is_one_typo("2345676", "2345686")
    assert is_one_typo("2345676", "234576")
    assert is_one_typo("2345676", "23456076")
    assert is_one_typo("2345676", "2346576")
    assert not is_one_typo("2345676", "2345676")
    assert not is_one_typo("2345676", "2436576")


@given(kids)
def test_every_variant_is_one_typo_away(kid):
    assert all(is_one_typo(kid, variant) for variant in one_typo_variants(kid))


@given(kids, st.data())
def test_a_single_typo_is_among_the_variants(kid, data):
    i = data.draw(st.integers(min_value=0, max_value=len(kid) - 1))
    digit = data.draw(st.sampled_from("0123456789").filter(lambda d: d != kid[i]))
    typo = kid[:i] + digit + kid[i + 1 :]

    assert typo in one_typo_variants(kid)


def test_a_kid_one_typo_away_ranks_above_a_payer_account_and_an_equal_amount():
    evidence = [
        (A, Evidence.SAME_AMOUNT),
        (B, Evidence.PAYER_ACCOUNT_SEEN),
        (C, Evidence.KID_ONE_TYPO),
        (C, Evidence.SAME_AMOUNT),
    ]

    ranked = rank_candidates(evidence)

    assert [c.claim_id for c in ranked] == [C, B, A]
    assert ranked[0].score == 0.7
    assert ranked[0].reasons == (Evidence.KID_ONE_TYPO, Evidence.SAME_AMOUNT)
