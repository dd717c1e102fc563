from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from pydantic import ValidationError

from contracts import EVENTS, ClaimAdjustedV1, ClaimSubmittedV1, payload_model


def adjustment(**changes: object) -> ClaimAdjustedV1:
    fields: dict[str, object] = {
        "claim_id": UUID(int=1),
        "adjustment_id": UUID(int=2),
        "kind": "credit_note",
        "amount_ore": 25_000,
        "principal_before_ore": 125_000,
        "principal_after_ore": 100_000,
        "reason_code": "adjustment.credit_note",
        "reason": "Feil måleravlesning",
        "adjusted_at": datetime(2026, 3, 1, tzinfo=UTC),
    }
    return ClaimAdjustedV1.model_validate(fields | changes)


def test_adjustment_amounts_must_add_up() -> None:
    with pytest.raises(ValidationError, match="principal_after_ore must equal"):
        adjustment(principal_after_ore=90_000)


def test_cancellation_brings_principal_to_zero() -> None:
    cancelled = adjustment(kind="cancellation", amount_ore=125_000, principal_after_ore=0)

    assert cancelled.principal_after_ore == 0


def test_submitted_claim_leaves_range_checks_to_intake() -> None:
    submitted = ClaimSubmittedV1(
        invoice_number="F-1",
        claim_type="ukjent",
        debtor_identity_jwe="eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d",
        debtor_name="Kari Nordmann",
        principal_ore=-100,
        issue_date=date(2026, 2, 10),
        due_date=date(2026, 1, 10),
        description="Negative and due before issued: intake rejects it with reason codes",
    )

    assert submitted.principal_ore == -100


def test_every_registered_type_names_its_own_model() -> None:
    for event_type, model in EVENTS.items():
        assert payload_model(event_type) is model
        assert model.EVENT_TYPE == event_type  # type: ignore[attr-defined]
