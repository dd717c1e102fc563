"""Property: whatever the claims, due dates, consolidation, holds and payments, no letter comes
on or before a claim's due date and no statutory period is shortened (the run's own flow)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dunning.domain.facts import CaseFacts, ClaimFacts
from dunning.domain.flow import Block, Take, apply, decide
from dunning.domain.validation import load_policy
from dunning.policy_store import packaged_policies
from dunning_factories import policy_document, with_step
from rules.calendar import roll_forward

FIRST_DUE, LAST_DUE = date(2025, 1, 1), date(2026, 12, 31)  # two years of due dates
SIMULATED_DAYS = 240
FEE_SEQUENCES = ("PPB", "PIB")
LETTER_CODES = {"purring": "P", "inkassovarsel": "I", "betalingsoppfordring": "B"}
STATUTORY_DEADLINE = {"inkassovarsel", "betalingsoppfordring", "varsel_tvangsfullbyrdelse"}


def _policies():
    packaged = list(packaged_policies())
    private = policy_document()
    public = policy_document("default-public")
    two_purring_fees = with_step(
        private, "purring", when={"days": 14, "after": "due_date"}, fee="inkassosats"
    )
    return [
        *packaged,
        load_policy(private | {"id": "private-together", "consolidate": True}, FIRST_DUE),
        load_policy(public | {"id": "public-together", "consolidate": True}, FIRST_DUE),
        load_policy(two_purring_fees | {"id": "purring-fee", "consolidate": True}, FIRST_DUE),
    ]


POLICIES = _policies()


@dataclass(frozen=True)
class Payment:
    day: int  # days after the first due date
    claim: int  # index of the claim
    left_ore: int  # 0: paid in full


@st.composite
def scenarios(draw):
    policy = draw(st.sampled_from(POLICIES))
    first_due = draw(st.dates(FIRST_DUE, LAST_DUE))
    count = draw(st.integers(1, 3)) if policy.consolidate else 1
    offsets = [
        0,
        *sorted(draw(st.lists(st.integers(0, 90), min_size=count - 1, max_size=count - 1))),
    ]
    claim_type = sorted(policy.claim_types)[0]
    claims = tuple(
        ClaimFacts(
            UUID(int=i + 1),
            claim_type,
            first_due + timedelta(days=offset),
            draw(st.integers(10_000, 2_000_000)),
            date.max,
            kid="00000000",
        )
        for i, offset in enumerate(offsets)
    )
    payments = draw(
        st.lists(
            st.builds(
                Payment,
                st.integers(0, SIMULATED_DAYS),
                st.integers(0, count - 1),
                st.sampled_from([0, 0, 5_000, 60_000]),
            ),
            max_size=3,
        )
    )
    hold = draw(st.none() | st.integers(0, 60).map(lambda d: first_due + timedelta(days=d)))
    start = first_due - timedelta(days=draw(st.integers(0, 10)))
    return policy, CaseFacts(UUID(int=0), claims, hold_until=hold), payments, start


def run(policy, case, payments, start):
    """Every letter the daily run would send, day by day, with payments booked as they come."""
    taken, open_on = [], {}
    for n in range(SIMULATED_DAYS):
        day = start + timedelta(days=n)
        for p in payments:
            if start + timedelta(days=p.day) == day:
                case = _pay(case, p)
        decision = decide(case, policy, day)
        if isinstance(decision, Block):
            break  # to the exception queue: no letter
        if isinstance(decision, Take):
            open_on[len(taken)] = {c.claim_id for c in case.claims}
            taken.append(decision)
            case = apply(case, decision)
    return taken, open_on


def _pay(case, payment):
    target = UUID(int=payment.claim + 1)
    if payment.left_ore == 0:
        claims = tuple(c for c in case.claims if c.claim_id != target)
    else:
        claims = tuple(
            replace(c, open_ore=min(c.open_ore, payment.left_ore)) if c.claim_id == target else c
            for c in case.claims
        )
    return replace(case, claims=claims)


def _is_subsequence(letters: str, allowed: str) -> bool:
    remaining = iter(allowed)
    return all(letter in remaining for letter in letters)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_no_letter_precedes_a_claims_due_date_or_shortens_a_statutory_period(scenario):
    policy, case, payments, start = scenario
    due = {c.claim_id: roll_forward(c.due_date) for c in case.claims}

    taken, open_on = run(policy, case, payments, start)

    for n, take in enumerate(taken):
        kind, sent = take.step.kind, take.sent_date
        assert take.claim_ids, "a step covers at least one claim"
        assert set(take.claim_ids) <= open_on[n], "a letter names only open claims"
        for claim_id in take.claim_ids:
            assert sent > due[claim_id], f"{kind} on {sent} for a claim due {due[claim_id]}"
            own = [t for t in taken[:n] if claim_id in t.claim_ids]
            if kind in STATUTORY_DEADLINE or take.fee.amount_ore:
                assert take.deadline_date >= sent + timedelta(days=14)
            if kind == "betalingsoppfordring":
                [*_, varsel] = [t for t in own if t.step.kind == "inkassovarsel"]
                assert sent > varsel.deadline_date >= varsel.sent_date + timedelta(days=14)
            if take.fee.amount_ore and take.fee.claim_id == claim_id and kind in LETTER_CODES:
                # Inkassoforskriften §§ 1-2, 1-3 on the claim that carries the fee.
                if kind != "betalingsoppfordring":
                    assert sent >= due[claim_id] + timedelta(days=14)
                charged = [
                    t
                    for t in own
                    if t.fee.amount_ore
                    and t.fee.claim_id == claim_id
                    and t.step.kind in LETTER_CODES
                ]
                assert all(t.deadline_date < sent for t in charged)
                letters = "".join(LETTER_CODES[t.step.kind] for t in [*charged, take])
                assert any(_is_subsequence(letters, seq) for seq in FEE_SEQUENCES), letters
        if take.fee.amount_ore:
            assert take.fee.claim_id in take.claim_ids


def test_a_later_claim_in_a_consolidated_case_waits_for_its_own_purring():
    policy = next(p for p in POLICIES if p.id == "drammen-barnehage")
    a = ClaimFacts(UUID(int=1), "barnehage", date(2026, 3, 2), 300_000, date.max, kid="1")
    b = replace(a, claim_id=UUID(int=2), due_date=date(2026, 4, 1))

    taken, _ = run(policy, CaseFacts(UUID(int=0), (a, b)), [], date(2026, 3, 2))

    named = [(t.sent_date, t.step.kind, len(t.claim_ids)) for t in taken]
    assert named[:4] == [
        (date(2026, 3, 5), "purring", 1),
        (date(2026, 3, 20), "inkassovarsel", 1),
        # B's own purring: 3 days after 1 April is Saturday, then Easter Monday → Tuesday.
        (date(2026, 4, 7), "purring", 1),
        (date(2026, 4, 8), "oppsigelse", 1),
    ]
    assert taken[2].claim_ids == (b.claim_id,)
    assert taken[-1].step.kind == "overforing_tvangsinnfordring"
    assert set(taken[-1].claim_ids) == {a.claim_id, b.claim_id}
