"""The service-to-service HTTP contracts: strict on both sides, and snapshotted."""

from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts.http import VippsPaymentOrder
from contracts.http.export import snapshot_files

SNAPSHOTS = Path(__file__).resolve().parents[2] / "schemas" / "http"


def test_the_committed_snapshots_equal_the_models():
    files = snapshot_files()

    for name, text in files.items():
        committed = SNAPSHOTS / name
        assert committed.is_file(), f"{name} missing: run `python -m contracts.http.export`"
        assert committed.read_text(encoding="utf-8") == text, (
            f"{name} changed: both sides of the seam use it; run `python -m contracts.http.export`"
            " and commit once caller and callee agree"
        )
    assert {p.name for p in SNAPSHOTS.glob("*.json")} == set(files)


def test_a_field_the_other_side_does_not_know_is_refused_not_dropped():
    order = {
        "debtor_ref": "ref1_x",
        "claim_ids": [str(uuid4())],
        "amount_ore": 100,
        "return_url": "https://minside.example/pay/done",
    }
    assert VippsPaymentOrder.model_validate(order).amount_ore == 100

    with pytest.raises(ValidationError, match="extra_forbidden"):
        VippsPaymentOrder.model_validate(order | {"claim_id": str(uuid4())})
