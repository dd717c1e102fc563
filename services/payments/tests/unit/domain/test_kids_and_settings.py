"""Issued KIDs have a fixed length and a valid check digit; the office's account is checked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from payments.config import PaymentsSettings
from payments.domain.errors import PaymentsError
from payments.domain.kids import issue_kid
from rules.kid import KidAlgorithm, validate_kid


@given(st.integers(min_value=0, max_value=10**10 - 1), st.sampled_from(list(KidAlgorithm)))
def test_every_issued_kid_has_the_fixed_length_and_a_valid_check_digit(serial, algorithm):
    kid = issue_kid(serial, prefix="9", length=12, algorithm=algorithm)

    if kid is not None:
        assert len(kid) == 12
        assert kid.startswith("9")
        assert validate_kid(kid, algorithm) == kid


def test_a_mod11_kid_whose_check_would_be_a_dash_is_skipped():
    serials = range(200)

    kids = [issue_kid(s, prefix="9", length=10, algorithm=KidAlgorithm.MOD11) for s in serials]

    assert None in kids
    assert all(k is None or k[-1] != "-" for k in kids)


def test_serial_numbers_beyond_the_kid_length_are_refused():
    with pytest.raises(PaymentsError, match="serial_exhausted"):
        issue_kid(1000, prefix="9", length=5, algorithm=KidAlgorithm.MOD10)


def test_an_invalid_collection_account_is_refused_at_start():
    with pytest.raises(ValidationError):
        PaymentsSettings(collection_account="15038812345")
    assert PaymentsSettings(collection_account="8601 11 17947").collection_account == "86011117947"
