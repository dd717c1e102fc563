"""Loading a policy validates it against the law and refuses it with a reason per violation."""

from __future__ import annotations

from datetime import date

import pytest

from dunning.domain.policy import PolicyInvalid
from dunning.domain.validation import load_policy
from dunning.policy_store import PACKAGED, packaged_policies, read_document
from dunning_factories import policy_document, with_step

REFERENCE = date(2026, 1, 1)


def refusal_codes(document) -> set[str]:
    with pytest.raises(PolicyInvalid) as refused:
        load_policy(document, REFERENCE)
    return {v.code for v in refused.value.violations}


@pytest.mark.parametrize("path", sorted(PACKAGED.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_packaged_policy_is_lawful(path):
    policy = load_policy(read_document(path), REFERENCE)

    assert policy.steps


def test_the_packaged_defaults_cover_every_claim_type_on_their_track():
    by_id = {p.id: p for p in packaged_policies()}

    assert by_id["default-private"].track == "private"
    assert by_id["default-public"].claim_types == {"eiendomsgebyr", "eiendomsskatt"}
    assert by_id["drammen-barnehage"].municipalities == {"3301"}


def test_a_fee_on_a_letter_sent_less_than_14_days_after_the_due_date_is_refused():
    document = with_step(policy_document(), "purring", fee="inkassosats")

    with pytest.raises(PolicyInvalid) as refused:
        load_policy(document, REFERENCE)

    [violation] = refused.value.violations
    assert violation.code == "policy.fee_too_early"
    assert violation.step == "purring"
    assert "14 days after the due date" in violation.message


def test_a_deadline_under_14_days_where_the_law_requires_14_is_refused():
    document = with_step(policy_document(), "inkassovarsel", deadline_days=10)

    codes = refusal_codes(document)

    # The betalingsoppfordring the day after that deadline comes 11 days after the varsel,
    # which inkassoloven § 10 refuses as well.
    assert codes == {"policy.deadline_too_short", "policy.betalingsoppfordring_too_early"}


def test_a_betalingsoppfordring_before_the_inkassovarsel_deadline_has_passed_is_refused():
    document = with_step(
        policy_document(), "betalingsoppfordring", when={"days": 0, "after": "previous_deadline"}
    )

    with pytest.raises(PolicyInvalid) as refused:
        load_policy(document, REFERENCE)

    assert [(v.code, v.step) for v in refused.value.violations] == [
        ("policy.betalingsoppfordring_too_early", "betalingsoppfordring")
    ]


def test_more_fees_per_claim_than_inkassoforskriften_allows_is_refused():
    document = policy_document()
    second_purring = {
        "key": "purring-2",
        "kind": "purring",
        "when": {"days": 1, "after": "previous_deadline"},
        "deadline_days": 14,
        "fee": "inkassosats",
    }
    first_purring = with_step(
        document, "purring", when={"days": 14, "after": "due_date"}, fee="inkassosats"
    )
    first_purring["steps"].insert(1, second_purring)

    codes = refusal_codes(first_purring)

    # 2 purringer + inkassovarsel is neither 2 purringer + 1 BO nor 1 + 1 + 1 (§ 1-3).
    assert codes == {"policy.too_many_fees"}


def test_a_private_law_claim_routed_to_saernamsmann_enforcement_is_refused():
    document = with_step(policy_document(), "overforing", enforcement="saernamsmann")

    with pytest.raises(PolicyInvalid) as refused:
        load_policy(document, REFERENCE)

    [violation] = refused.value.violations
    assert violation.code == "policy.saernamsmann_private_law"
    assert violation.step == "overforing"


def test_the_public_law_track_for_a_kindergarten_fee_is_refused():
    document = policy_document("default-public")
    document["applies_to"] = {
        "claim_types": ["eiendomsgebyr", "barnehage"],
        "municipalities": "all",
    }

    codes = refusal_codes(document)

    assert "policy.saernamsmann_private_law" in codes


def test_a_betalingsoppfordring_with_no_inkassovarsel_before_it_is_refused():
    document = policy_document()
    document["steps"] = [s for s in document["steps"] if s["key"] != "inkassovarsel"]

    codes = refusal_codes(document)

    assert "policy.betalingsoppfordring_without_inkassovarsel" in codes


def test_a_rettsgebyr_fee_on_an_inkasso_letter_is_refused():
    document = with_step(policy_document(), "purring", fee={"rettsgebyr": "1/10"})

    codes = refusal_codes(document)

    assert codes == {"policy.fee_not_allowed"}


def test_a_malformed_policy_names_what_is_wrong():
    document = policy_document(version=0, track="sideways")

    with pytest.raises(PolicyInvalid) as refused:
        load_policy(document, REFERENCE)

    messages = " ".join(v.message for v in refused.value.violations)
    assert "version" in messages and "track" in messages


def test_a_purring_fee_after_the_inkassovarsel_is_refused_as_out_of_order():
    document = policy_document()
    late_purring = {
        "key": "purring-2",
        "kind": "purring",
        "when": {"days": 1, "after": "previous_deadline"},
        "deadline_days": 14,
        "fee": "inkassosats",
    }
    document["steps"].insert(2, late_purring)

    with pytest.raises(PolicyInvalid) as refused:
        load_policy(document, REFERENCE)

    first, *_ = refused.value.violations
    assert (first.code, first.step) == ("policy.fee_out_of_order", "purring-2")
    assert "inkassoforskriften § 1-3" in first.message
