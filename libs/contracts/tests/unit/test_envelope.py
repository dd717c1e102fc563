from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts import (
    ClaimRegisteredV1,
    ClaimRejectedV1,
    Envelope,
    UnknownEventType,
    new_envelope,
    parse_envelope,
)

OSLO_SUMMER = timezone(timedelta(hours=2))


def registered_claim(**changes: object) -> ClaimRegisteredV1:
    fields: dict[str, object] = {
        "claim_id": UUID("00000000-0000-4000-8000-000000000001"),
        "municipality": "3301",
        "invoice_number": "F-2026-0001",
        "claim_type": "eiendomsgebyr",
        "debtor_ref": "hmac:abc",
        "debtor_sealed": "sealed:xyz",
        "debtor_kind": "person",
        "debtor_name": "Kari Nordmann",
        "debtor_address": {"lines": ["Storgata 1"], "postal_code": "3015", "city": "Drammen"},
        "principal_ore": 125_000,
        "issue_date": date(2026, 1, 10),
        "due_date": date(2026, 2, 10),
        "original_kid": None,
        "description": "Vann og avløp, 1. termin",
        "property": {"gnr": 12, "bnr": 34},
        "registered_at": datetime(2026, 1, 11, 9, 0, tzinfo=UTC),
    }
    return ClaimRegisteredV1.model_validate(fields | changes)


def registered_envelope(**changes: object) -> Envelope[ClaimRegisteredV1]:
    arguments: dict[str, object] = {
        "source": "intake",
        "tenant": "3301",
        "subject": "00000000-0000-4000-8000-000000000001",
        "payload": registered_claim(),
        "occurred_at": datetime(2026, 1, 11, 11, 0, tzinfo=OSLO_SUMMER),
    }
    return new_envelope("claims.registered.v1", **(arguments | changes))  # type: ignore[arg-type]


def test_envelope_survives_a_round_trip_through_json() -> None:
    envelope = registered_envelope(traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01")

    parsed = parse_envelope(envelope.model_dump_json())

    assert parsed == envelope
    assert isinstance(parsed.payload, ClaimRegisteredV1)


def test_envelope_parses_from_bytes_and_from_a_dict() -> None:
    envelope = registered_envelope()

    from_bytes = parse_envelope(envelope.model_dump_json().encode())
    from_dict = parse_envelope(envelope.model_dump(mode="json"))

    assert from_bytes == envelope == from_dict


def test_occurred_at_is_normalised_to_utc() -> None:
    envelope = registered_envelope()

    assert envelope.occurred_at == datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
    assert envelope.occurred_at.utcoffset() == timedelta(0)
    assert envelope.model_dump_json().count("2026-01-11T09:00:00Z") == 2


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.timezones()
    )
)
def test_any_aware_timestamp_keeps_its_instant_in_utc(moment: datetime) -> None:
    envelope = registered_envelope(occurred_at=moment)

    # Compare instants: PEP 495 makes times in a DST gap or fold unequal across zones.
    assert envelope.occurred_at.timestamp() == moment.timestamp()
    assert envelope.occurred_at.tzinfo is UTC


def test_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        registered_envelope(occurred_at=datetime(2026, 1, 11, 9, 0))


def test_timestamp_beyond_utc_range_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="out of range"):
        registered_envelope(occurred_at=datetime.min.replace(tzinfo=OSLO_SUMMER))


def test_new_envelope_refuses_an_unknown_type() -> None:
    with pytest.raises(UnknownEventType, match=r"claims\.paid\.v1"):
        new_envelope(
            "claims.paid.v1",
            source="intake",
            tenant="3301",
            subject="x",
            payload=registered_claim(),
            occurred_at=datetime.now(UTC),
        )


def test_parse_refuses_an_unknown_type() -> None:
    data = registered_envelope().model_dump(mode="json") | {"type": "claims.paid.v1"}

    with pytest.raises(UnknownEventType):
        parse_envelope(data)


def test_new_envelope_refuses_a_payload_of_the_wrong_model() -> None:
    with pytest.raises(ValueError, match="carries ClaimRejectedV1, not ClaimRegisteredV1"):
        new_envelope(
            "claims.rejected.v1",
            source="intake",
            tenant="3301",
            subject="x",
            payload=registered_claim(),
            occurred_at=datetime.now(UTC),
        )


def test_parse_refuses_a_payload_that_does_not_fit_its_type() -> None:
    data = registered_envelope().model_dump(mode="json") | {"type": "claims.rejected.v1"}

    with pytest.raises(ValidationError):
        parse_envelope(data)


@pytest.mark.parametrize("tenant", ["330", "33011", "abcd", "３３０１", ""])
def test_tenant_must_be_four_digits(tenant: str) -> None:
    with pytest.raises(ValidationError, match="tenant"):
        registered_envelope(tenant=tenant)


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    envelope = registered_envelope()
    data = envelope.model_dump(mode="json")
    data["schema_hint"] = "from a newer producer"
    data["payload"]["interest_rate"] = "12.5"
    data["payload"]["debtor_address"]["care_of"] = "c/o Ola"

    parsed = parse_envelope(data)

    assert parsed == envelope


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"type": 7}', b"{}"])
def test_unreadable_messages_raise_validation_errors(body: bytes) -> None:
    with pytest.raises(ValidationError):
        parse_envelope(body)


def test_envelope_is_immutable() -> None:
    envelope = registered_envelope()

    with pytest.raises(ValidationError):
        envelope.tenant = "0301"  # type: ignore[misc]


def test_envelope_gets_a_fresh_id_unless_one_is_given() -> None:
    given_id = uuid4()

    assert registered_envelope().id != registered_envelope().id
    assert registered_envelope(id=given_id).id == given_id


def test_rejected_claim_needs_at_least_one_problem() -> None:
    with pytest.raises(ValidationError, match="problems"):
        ClaimRejectedV1(
            municipality="3301",
            invoice_number=None,
            source_event_id=None,
            problems=[],
            rejected_at=datetime.now(UTC),
        )
