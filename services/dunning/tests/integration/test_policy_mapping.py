"""After a merger an operator maps the merged municipality's cases to the successor's policies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dunning.domain.errors import DunningError
from dunning.handlers.common import Actor
from dunning.handlers.mergers import map_policies
from rules.municipalities import Register, register_from

MERGER_DAY = date(2026, 3, 1)
LIER_INTO_DRAMMEN = """
[[municipality]]
number = "3312"
name = "Lier"
valid_from = 2024-01-01
valid_to = 2026-03-01
successors = ["3301"]
"""
OPERATOR = Actor("ops-1", "Per Drift")
REASON = "Sammenslåing"


@pytest.fixture
def register(tmp_path: Path) -> Register:
    path = tmp_path / "office.toml"
    path.write_text(LIER_INTO_DRAMMEN, encoding="utf-8")
    return register_from(str(path))


async def mapping(dunning, register: Register, *, apply: bool) -> list[dict]:
    async with dunning.container.runtime.uow() as uow:
        changes = await map_policies(
            uow,
            "3312",
            "3301",
            register=register,
            actor=OPERATOR,
            reason="Sammenslåing",
            apply=apply,
        )
        await uow.commit()
    return changes


async def policy_of(dunning, claim) -> tuple[str, int]:
    [row] = await dunning.rows(
        "SELECT policy_id, policy_version FROM dunning_case WHERE id = :id",
        id=await dunning.case_of(claim),
    )
    return (row.policy_id, row.policy_version)


async def test_a_dry_run_shows_the_lier_case_moving_to_drammens_policy_and_changes_nothing(
    dunning, register
):
    lier = await dunning.register(due=date(2026, 3, 10), municipality="3312")

    [change] = await mapping(dunning, register, apply=False)

    assert (change["from_policy"], change["to_policy"]) == (
        "default-private v1",
        "drammen-barnehage v1",
    )
    assert change["next_step_before"]["key"] == "purring"
    assert await policy_of(dunning, lier) == ("default-private", 1)


async def test_applying_the_mapping_repoints_the_case_and_records_who_and_why(dunning, register):
    lier = await dunning.register(due=date(2026, 3, 10), municipality="3312")
    await dunning.register(due=date(2026, 3, 10), municipality="3312", claim_type="sfo")

    changes = await mapping(dunning, register, apply=True)

    assert len(changes) == 1  # sfo: Drammen has no policy of its own, the office's stays
    assert await policy_of(dunning, lier) == ("drammen-barnehage", 1)
    [entry] = await dunning.rows(
        "SELECT actor, details FROM case_log WHERE kind = 'policy_mapped' AND case_id = :id",
        id=await dunning.case_of(lier),
    )
    assert entry.actor == "ops-1"
    assert entry.details["reason"] == REASON


async def test_mapping_before_the_merger_day_is_refused(dunning, register):
    dunning.clock.set(MERGER_DAY.replace(day=28, month=2))

    with pytest.raises(DunningError) as refused:
        await mapping(dunning, register, apply=True)

    assert refused.value.code == "merger.not_in_register"


async def test_a_case_of_a_municipality_that_left_takes_no_step_from_that_day(
    dunning, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    office = tmp_path / "left.toml"
    office.write_text('[[departure]]\nnumber = "3312"\non = 2026-03-23\n', encoding="utf-8")
    monkeypatch.setattr(dunning.container.runtime.settings, "municipalities_file", str(office))
    lier = await dunning.register(due=date(2026, 3, 18), municipality="3312")
    kongsberg = await dunning.register(due=date(2026, 3, 18), municipality="3303")

    await dunning.run(date(2026, 3, 23))

    assert await dunning.steps(lier) == []
    assert await dunning.steps(kongsberg) == [("purring", date(2026, 3, 23))]
