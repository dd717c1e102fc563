"""A claim's story in plain language, and the one thing to know about what comes next."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from minside.domain.claims import Claim
from minside.domain.story import CaseEvent, Line, Paid, what_happened, what_happens_next

TODAY = date(2025, 3, 1)


def claim(**overrides) -> Claim:
    values = {
        "claim_id": uuid4(),
        "municipality": "3301",
        "invoice_number": "INV-1",
        "claim_type": "sfo",
        "description": "SFO",
        "issue_date": date(2025, 1, 1),
        "due_date": date(2025, 1, 20),
        "principal_ore": 50_000,
    }
    return Claim(**(values | overrides))


def at(day: int, month: int = 2) -> datetime:
    return datetime(2025, month, day, 9, tzinfo=UTC)


def step(kind: str = "purring", deadline: date = date(2025, 3, 10), day: int = 10) -> CaseEvent:
    return CaseEvent(
        "step",
        at(day),
        step_kind=kind,
        sent_date=at(day).date(),
        deadline_date=deadline,
        fee_ore=3_500,
    )


def test_the_story_lists_invoice_steps_fees_and_payments_in_date_order():
    lines = what_happened(claim(), [step()], [Paid(date(2025, 2, 20), 10_000)])

    assert [line.key for line in lines] == [
        "story.issued",
        "story.step.purring",
        "story.fee",
        "story.paid",
    ]
    assert lines[2].params == {"fee_ore": 3_500}


def test_after_a_reminder_the_next_thing_is_its_deadline():
    assert what_happens_next(claim(), [step()], TODAY) == Line(
        "next.after.purring", date(2025, 3, 10), {"deadline": date(2025, 3, 10)}
    )


def test_a_passed_deadline_says_the_case_moves_on():
    assert (
        what_happens_next(claim(), [step(deadline=date(2025, 2, 24))], TODAY).key == "next.overdue"
    )


def test_a_paused_case_says_why_and_until_when():
    events = [step(), CaseEvent("paused", at(20), reason="deferral", until_date=date(2025, 4, 1))]

    assert what_happens_next(claim(), events, TODAY) == Line(
        "next.paused.deferral", params={"until": date(2025, 4, 1)}
    )


def test_a_resumed_case_is_back_on_its_steps():
    events = [step(), CaseEvent("paused", at(11), reason="dispute"), CaseEvent("resumed", at(15))]

    assert what_happens_next(claim(), events, TODAY).key == "next.after.purring"


def test_before_any_step_the_due_date_is_what_matters():
    assert what_happens_next(claim(due_date=date(2025, 3, 5)), [], TODAY).key == "next.pay_by_due"
    assert what_happens_next(claim(), [], TODAY).key == "next.reminder_coming"


def test_a_closed_claim_needs_nothing_more():
    assert what_happens_next(claim(closed_reason="settled"), [step()], TODAY).key == "next.closed"
