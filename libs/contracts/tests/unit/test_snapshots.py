import copy
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from contracts import EVENTS, ClaimRegisteredV1
from contracts.compat import breaking_changes
from contracts.dunning import CaseClosedV1
from contracts.export import check, default_schemas_dir, main, snapshot_files, write

SNAPSHOTS = Path(__file__).resolve().parents[2] / "schemas"
REGISTERED = "claims.registered.v1"


class RegisteredWithNote(ClaimRegisteredV1):
    """An additive change: one new optional field."""

    note: str | None = None


class RegisteredWithReference(ClaimRegisteredV1):
    """A breaking change: one new required field."""

    reference: str


class RegisteredWithoutDescription(ClaimRegisteredV1):
    """A breaking change: `description` dropped (a ClassVar in a subclass hides the field)."""

    description: ClassVar[str]  # type: ignore[misc]


class ClosedWithoutClaimIds(CaseClosedV1):
    """``cases.closed.v1`` as it was before it named the case's claims."""

    claim_ids: ClassVar[list[Any]]  # type: ignore[misc]


def snapshot(event: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SNAPSHOTS / f"{event}.json").read_text(encoding="utf-8"))
    return schema


def payload_properties(schema: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = schema["$defs"]["ClaimRegisteredV1"]["properties"]
    return properties


def test_exported_files_equal_the_committed_snapshots() -> None:
    files = snapshot_files()

    for name, text in files.items():
        committed = SNAPSHOTS / name
        assert committed.is_file(), f"{name} missing: run `python -m contracts.export`"
        assert committed.read_text(encoding="utf-8") == text, (
            f"{name} differs from the export. For an additive change run "
            "`python -m contracts.export` and commit; for a breaking one publish a new .vN type."
        )
    assert {path.name for path in SNAPSHOTS.glob("*.json")} == set(files)


def test_snapshots_dir_is_found_from_the_module() -> None:
    assert default_schemas_dir() == SNAPSHOTS


def test_snapshots_have_no_breaking_changes() -> None:
    breaking, stale = check(SNAPSHOTS)

    assert breaking == []
    assert stale == []


def test_removing_a_field_is_breaking() -> None:
    old = snapshot(REGISTERED)
    new = copy.deepcopy(old)
    del payload_properties(new)["debtor_name"]

    assert breaking_changes(old, new, REGISTERED) == [
        "claims.registered.v1: payload.debtor_name: property removed (or renamed)"
    ]


def test_renaming_a_field_is_breaking() -> None:
    old = snapshot(REGISTERED)
    new = copy.deepcopy(old)
    properties = payload_properties(new)
    properties["debtor_full_name"] = properties.pop("debtor_name")

    assert breaking_changes(old, new, REGISTERED) == [
        "claims.registered.v1: payload.debtor_name: property removed (or renamed)"
    ]


def test_retyping_principal_to_string_is_breaking() -> None:
    old = snapshot(REGISTERED)
    new = copy.deepcopy(old)
    payload_properties(new)["principal_ore"] = {"title": "Principal Ore", "type": "string"}

    changes = breaking_changes(old, new, REGISTERED)

    assert changes[0] == (
        "claims.registered.v1: payload.principal_ore: type changed from integer to string"
    )


def test_adding_an_optional_field_is_not_breaking() -> None:
    old = snapshot(REGISTERED)
    new = copy.deepcopy(old)
    payload_properties(new)["note"] = {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
    }

    assert breaking_changes(old, new, REGISTERED) == []


def test_subclass_with_an_optional_field_passes_the_export_check(tmp_path: Path) -> None:
    write(tmp_path)

    breaking, stale = check(tmp_path, {**EVENTS, REGISTERED: RegisteredWithNote})

    assert breaking == []
    assert stale == [f"{REGISTERED}.json", "asyncapi.json"]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (RegisteredWithReference, "payload.reference: new required property"),
        (RegisteredWithoutDescription, "payload.description: property removed (or renamed)"),
    ],
)
def test_subclass_with_a_breaking_change_fails_the_export_check(
    tmp_path: Path, model: type[ClaimRegisteredV1], expected: str
) -> None:
    write(tmp_path)

    breaking, _ = check(tmp_path, {**EVENTS, REGISTERED: model})

    assert breaking == [f"{REGISTERED}: {expected}"]


def test_check_command_passes_on_fresh_snapshots(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 0

    assert main(["--check", str(tmp_path)]) == 0
    assert (tmp_path / "asyncapi.json").read_text(encoding="utf-8").endswith("}\n")


def test_check_command_exits_1_listing_breaking_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {**EVENTS, REGISTERED: RegisteredWithReference})

    status = main(["--check", str(tmp_path)])

    assert status == 1
    assert "BREAKING claims.registered.v1: payload.reference: property removed" in (
        capsys.readouterr().err
    )


def test_export_refuses_to_overwrite_a_breaking_change_unless_forced(tmp_path: Path) -> None:
    write(tmp_path, {**EVENTS, REGISTERED: RegisteredWithReference})

    assert main([str(tmp_path)]) == 1
    assert main(["--force", str(tmp_path)]) == 0
    assert main(["--check", str(tmp_path)]) == 0


def test_a_new_event_type_is_not_breaking(tmp_path: Path) -> None:
    write(tmp_path, {k: v for k, v in EVENTS.items() if k != REGISTERED})

    breaking, stale = check(tmp_path)

    assert breaking == []
    assert f"{REGISTERED}.json" in stale


def test_a_removed_event_type_is_breaking(tmp_path: Path) -> None:
    write(tmp_path)

    breaking, _ = check(tmp_path, {k: v for k, v in EVENTS.items() if k != REGISTERED})

    assert breaking == [f"{REGISTERED}: event type removed"]


def test_the_claim_status_event_and_the_closed_cases_claims_are_additive(tmp_path: Path) -> None:
    before = {k: v for k, v in EVENTS.items() if k != "claims.status_changed.v1"}
    write(tmp_path, before | {"cases.closed.v1": ClosedWithoutClaimIds})

    breaking, stale = check(tmp_path)

    assert breaking == []
    assert sorted(stale) == [
        "asyncapi.json",
        "cases.closed.v1.json",
        "claims.status_changed.v1.json",
    ]
