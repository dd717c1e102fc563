"""A request's status from what dunning did after it was made."""

from __future__ import annotations

from datetime import UTC, datetime

from minside.domain.requests import request_status
from minside.domain.story import CaseEvent

MADE = datetime(2025, 3, 1, 12, tzinfo=UTC)


def later(minutes: int) -> datetime:
    return MADE.replace(minute=minutes)


def test_a_new_request_is_received():
    assert request_status("plan", MADE, []).key == "received"


def test_a_plan_agreed_after_the_request_grants_it():
    assert request_status("plan", MADE, [CaseEvent("plan_agreed", later(5))]).key == "granted"


def test_a_plan_agreed_before_the_request_does_not_count():
    earlier = MADE.replace(hour=11)

    assert request_status("plan", MADE, [CaseEvent("plan_agreed", earlier)]).key == "received"


def test_a_plan_sent_to_a_caseworker_is_pending_there_until_agreed():
    pending = [CaseEvent("paused", later(1), reason="caseworker")]

    assert request_status("plan", MADE, pending).key == "with_caseworker"
    assert (
        request_status("plan", MADE, [*pending, CaseEvent("plan_agreed", later(9))]).key
        == "granted"
    )


def test_a_dispute_pauses_the_case_and_is_decided_when_it_resumes_or_closes():
    paused = CaseEvent("paused", later(1), reason="dispute")

    assert request_status("dispute", MADE, [paused]).key == "case_paused"
    assert (
        request_status("dispute", MADE, [paused, CaseEvent("resumed", later(30))]).key
        == "decided_resumed"
    )
    assert (
        request_status("dispute", MADE, [paused, CaseEvent("closed", later(30))]).key
        == "decided_closed"
    )


def test_a_deferral_is_granted_when_the_case_pauses_for_it():
    granted = [CaseEvent("paused", later(2), reason="deferral")]

    assert request_status("deferral", MADE, granted).key == "granted"
