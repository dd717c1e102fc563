from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from contracts import SUPERSEDED, ClaimRegisteredV1, ClaimRegisteredV2
from runtime.db import outbox_row

FIELDS = {
    "claim_id": UUID(int=1),
    "municipality": "3301",
    "invoice_number": "F-1",
    "claim_type": "renovasjon",
    "debtor_ref": "ref1_x",
    "debtor_sealed": "v1.k1.x",
    "debtor_kind": "person",
    "principal_ore": 100_000,
    "issue_date": date(2026, 1, 1),
    "due_date": date(2026, 1, 31),
    "original_kid": None,
    "description": "Renovasjon",
    "property": None,
    "registered_at": datetime(2026, 1, 1, tzinfo=UTC),
}
AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_superseded_type_never_reaches_an_outbox() -> None:
    clear = ClaimRegisteredV1(**FIELDS, debtor_name="Kari Nordmann", debtor_address=None)

    with pytest.raises(ValueError, match=r"superseded by claims\.registered\.v2") as caught:
        outbox_row(
            "claims.registered.v1", source="intake", tenant="3301", subject="s", payload=clear,
            occurred_at=AT, trace={},
        )  # fmt: skip

    assert "Kari" not in str(caught.value)


def test_its_successor_does() -> None:
    sealed = ClaimRegisteredV2(**FIELDS, debtor_details_sealed="v1.k1.y")

    row = outbox_row(
        "claims.registered.v2", source="intake", tenant="3301", subject="s", payload=sealed,
        occurred_at=AT, trace={},
    )  # fmt: skip

    assert row["event_type"] == "claims.registered.v2"
    assert SUPERSEDED["claims.registered.v1"].successor == row["event_type"]
