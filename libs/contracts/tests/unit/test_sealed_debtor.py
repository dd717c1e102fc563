"""The debtor's name and address travel sealed: how that change is classified and written down."""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from contracts import EVENTS, SUPERSEDED, ClaimRegisteredV2, DebtorDetails, PostalAddress
from contracts.compat import breaking_changes
from contracts.dunning import NoticeClaim, NoticeRequestedV2

SNAPSHOTS = Path(__file__).resolve().parents[2] / "schemas"
# Property names that hold a person's name or address in clear.
CLEAR_DEBTOR_FIELDS = {"debtor_name", "debtor_address"}


def snapshot(event: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SNAPSHOTS / f"{event}.json").read_text(encoding="utf-8"))
    return schema


def property_names(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                yield from value
            yield from property_names(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from property_names(item)


def carries_clear_debtor(event: str) -> bool:
    return bool(CLEAR_DEBTOR_FIELDS & set(property_names(snapshot(event))))


def test_every_type_with_a_clear_name_or_address_is_superseded() -> None:
    clear = {event for event in EVENTS if carries_clear_debtor(event)}

    assert clear == set(SUPERSEDED)


@pytest.mark.parametrize("old", sorted(SUPERSEDED))
def test_the_successor_carries_the_name_and_address_sealed_only(old: str) -> None:
    new = SUPERSEDED[old].successor

    assert new in EVENTS
    assert not carries_clear_debtor(new)
    assert {"debtor_details_sealed", "debtor_jwe"} & set(property_names(snapshot(new)))
    assert "Dropping the clear fields from the old type would break" in SUPERSEDED[old].reason


@pytest.mark.parametrize(
    ("old", "removed", "added"),
    [
        ("claims.registered.v1", ["debtor_address", "debtor_name"], "debtor_details_sealed"),
        ("notices.requested.v1", ["debtor_address", "debtor_name"], "debtor_details_sealed"),
        (
            "claims.submitted.v1",
            ["debtor_address", "debtor_identity_jwe", "debtor_name"],
            "debtor_jwe",
        ),
    ],
)
def test_moving_to_the_successor_in_place_would_break_readers(
    old: str, removed: list[str], added: str
) -> None:
    new = SUPERSEDED[old].successor

    changes = breaking_changes(snapshot(old), snapshot(new), old)

    assert changes == [
        *(f"{old}: payload.{name}: property removed (or renamed)" for name in removed),
        f"{old}: payload.{added}: new required property",
    ]


def test_every_superseded_type_is_classified_above() -> None:
    classified = {"claims.registered.v1", "notices.requested.v1", "claims.submitted.v1"}

    assert set(SUPERSEDED) == classified


def test_the_superseded_snapshots_say_so() -> None:
    for old, superseded in SUPERSEDED.items():
        payload = EVENTS[old].__name__
        description = snapshot(old)["$defs"][payload]["description"]

        assert f"Superseded by `{superseded.successor}`" in description


DETAILS = DebtorDetails(
    name="Kari Nordmann",
    address=PostalAddress(lines=["Storgata 1"], postal_code="3015", city="Drammen"),
)


def test_an_opened_registration_has_every_field_of_the_sealed_one_and_the_details() -> None:
    sealed = ClaimRegisteredV2(
        claim_id=UUID(int=1),
        municipality="3301",
        invoice_number="F-1",
        claim_type="renovasjon",
        debtor_ref="ref1_x",
        debtor_sealed="v1.k1.x",
        debtor_kind="person",
        debtor_details_sealed="v1.k1.y",
        principal_ore=100_000,
        issue_date=date(2026, 1, 1),
        due_date=date(2026, 1, 31),
        original_kid=None,
        description="Renovasjon",
        property=None,
        registered_at=datetime(2026, 1, 1, tzinfo=UTC),
    )

    opened = sealed.opened(DETAILS)

    assert opened.debtor_name == "Kari Nordmann"
    assert opened.debtor_address == DETAILS.address
    assert opened.model_dump(exclude={"debtor_name", "debtor_address"}) == sealed.model_dump(
        exclude={"debtor_details_sealed"}
    )


def test_an_opened_notice_request_has_every_field_of_the_sealed_one_and_the_details() -> None:
    sealed = NoticeRequestedV2(
        notice_id=UUID(int=1),
        case_id=UUID(int=2),
        step_kind="purring",
        municipality="3301",
        language="nb",
        debtor_ref="ref1_x",
        debtor_sealed="v1.k1.x",
        debtor_kind="person",
        debtor_details_sealed="v1.k1.y",
        claims=[
            NoticeClaim(
                claim_id=UUID(int=3),
                invoice_number="F-1",
                claim_type="renovasjon",
                description="Renovasjon",
                due_date=date(2026, 1, 31),
                principal_ore=100_000,
                interest_ore=0,
                fees_ore=0,
            )
        ],
        principal_ore=100_000,
        interest_ore=0,
        fees_ore=0,
        new_fee_ore=0,
        total_ore=100_000,
        interest_rate_percent="12.25",
        interest_from=date(2026, 2, 1),
        kid="123",
        account_number="12345678903",
        sent_date=date(2026, 2, 20),
        deadline_date=date(2026, 3, 6),
        legal_basis="inkassoloven § 9",
        legal_text_keys=[],
        requested_at=datetime(2026, 2, 20, tzinfo=UTC),
    )

    opened = sealed.opened(DETAILS)

    assert (opened.debtor_name, opened.debtor_address) == (DETAILS.name, DETAILS.address)
    assert opened.model_dump(exclude={"debtor_name", "debtor_address"}) == sealed.model_dump(
        exclude={"debtor_details_sealed"}
    )
