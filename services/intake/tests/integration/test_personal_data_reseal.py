"""Key rotation on intake's claim register: re-sealing under the new key, status, the command."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from intake import db
from intake.service import SERVICE
from intake_factories import fodselsnummer
from runtime.cli import app
from runtime.db import create_engine
from runtime.personal_data import PersonalDataKeys, SealError, open_sealed, seal
from runtime.resealing import plan_reseal, reseal, sealed_status

OLD = PersonalDataKeys.generate("k1")
NEW_ONLY = PersonalDataKeys(OLD.pseudonym_key, {"k2": bytes(range(32))}, "k2")
ROTATED = PersonalDataKeys(OLD.pseudonym_key, {**OLD.sealing_keys, **NEW_ONLY.sealing_keys}, "k2")
COLUMNS = SERVICE.sealed_columns


def claim_row(sealed: str) -> dict[str, object]:
    return {
        "id": uuid4(),
        "municipality": "3301",
        "invoice_number": uuid4().hex,
        "claim_type": "renovasjon",
        "debtor_ref": "ref1_test",
        "debtor_sealed": sealed,
        "debtor_kind": "person",
        "debtor_name": "Kari Nordmann",
        "original_principal_ore": 10_000,
        "principal_ore": 10_000,
        "issue_date": date(2025, 1, 2),
        "due_date": date(2025, 2, 3),
        "description": "Renovasjon",
        "status": "registered",
        "source": "api",
        "registered_at": datetime.now(UTC),
    }


@pytest.fixture
async def engine(intake_db: str) -> AsyncIterator[sa.ext.asyncio.AsyncEngine]:
    engine = create_engine(intake_db)
    async with engine.begin() as conn:
        await conn.execute(sa.delete(db.claim))
    yield engine
    await engine.dispose()


async def insert_sealed(engine, numbers: list[str], keys: PersonalDataKeys = OLD) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(db.claim), [claim_row(seal(keys, n)) for n in numbers])


async def stored(engine) -> list[str]:
    async with engine.connect() as conn:
        query = sa.select(db.claim.c.debtor_sealed).order_by(db.claim.c.id)
        return list((await conn.execute(query)).scalars())


async def by_key(engine) -> dict[str, int]:
    [status] = await sealed_status(engine, COLUMNS)
    return status.by_key


async def test_intake_declares_its_sealed_claim_column():
    assert [(c.table, c.column, c.key) for c in COLUMNS] == [("claim", "debtor_sealed", "id")]


async def test_reseal_moves_every_value_to_the_active_key_and_a_second_run_changes_nothing(engine):
    numbers = [fodselsnummer() for _ in range(7)]
    await insert_sealed(engine, numbers)
    before = await by_key(engine)

    first = await reseal(engine, COLUMNS, ROTATED, batch_size=3)
    after_first = await stored(engine)
    second = await reseal(engine, COLUMNS, ROTATED, batch_size=3)

    assert before == {"k1": 7}
    assert await by_key(engine) == {"k2": 7}
    assert [(r.total, r.resealed, r.failed, r.remaining) for r in first] == [(7, 7, 0, 0)]
    assert sorted(open_sealed(NEW_ONLY, v) for v in after_first) == sorted(numbers)
    assert [(r.total, r.resealed, r.remaining) for r in second] == [(0, 0, 0)]
    assert await stored(engine) == after_first


async def test_reseal_reports_progress_batch_by_batch(engine):
    await insert_sealed(engine, [fodselsnummer() for _ in range(5)])
    seen: list[tuple[str, int, int]] = []

    await reseal(
        engine,
        COLUMNS,
        ROTATED,
        batch_size=2,
        progress=lambda c, d, t: seen.append((c.label, d, t)),
    )

    assert seen == [
        ("claim.debtor_sealed", 2, 5),
        ("claim.debtor_sealed", 4, 5),
        ("claim.debtor_sealed", 5, 5),
    ]


async def test_a_dry_run_counts_what_it_would_reseal_and_changes_nothing(engine):
    await insert_sealed(engine, [fodselsnummer() for _ in range(3)])
    await insert_sealed(engine, [fodselsnummer()], ROTATED)
    before = await stored(engine)

    [plan] = await plan_reseal(engine, COLUMNS, ROTATED)

    assert (plan.pending, plan.unopenable) == (3, 0)
    assert await stored(engine) == before


async def test_a_value_no_configured_key_opens_is_left_as_it_is_and_counted(engine):
    lost = PersonalDataKeys.generate("k0")
    await insert_sealed(engine, [fodselsnummer()], lost)
    await insert_sealed(engine, [fodselsnummer()])
    [untouched] = [v for v in await stored(engine) if v.startswith("v1.k0.")]

    [plan] = await plan_reseal(engine, COLUMNS, ROTATED)
    [report] = await reseal(engine, COLUMNS, ROTATED)

    assert (plan.pending, plan.unopenable) == (2, 1)
    assert (report.resealed, report.failed, report.remaining) == (1, 1, 1)
    assert await by_key(engine) == {"k0": 1, "k2": 1}
    assert untouched in await stored(engine)


async def test_reseal_does_not_wait_for_a_row_the_service_holds_and_a_later_run_takes_it(engine):
    await insert_sealed(engine, [fodselsnummer() for _ in range(3)])
    async with engine.connect() as conn:
        held_id = (await conn.execute(sa.select(db.claim.c.id).limit(1))).scalar_one()

    async with engine.begin() as service:
        await service.execute(sa.select(db.claim).where(db.claim.c.id == held_id).with_for_update())
        [while_held] = await asyncio.wait_for(reseal(engine, COLUMNS, ROTATED), timeout=10)
    [later] = await reseal(engine, COLUMNS, ROTATED)

    assert (while_held.resealed, while_held.remaining) == (2, 1)
    assert (later.resealed, later.remaining) == (1, 0)
    assert await by_key(engine) == {"k2": 3}


async def test_old_values_no_longer_open_once_the_old_key_is_removed_unless_resealed(engine):
    number = fodselsnummer()
    await insert_sealed(engine, [number])
    [old_value] = await stored(engine)

    await reseal(engine, COLUMNS, ROTATED)

    with pytest.raises(SealError):
        open_sealed(NEW_ONLY, old_value)
    assert [open_sealed(NEW_ONLY, v) for v in await stored(engine)] == [number]


def kravflyt(database_url: str, keys: PersonalDataKeys, *args: str):
    pseudonym, sealing, active = keys.to_strings()
    env = {
        "KRAVFLYT_INTAKE_DATABASE_URL": database_url,
        "KRAVFLYT_PSEUDONYM_KEY": pseudonym,
        "KRAVFLYT_SEALING_KEYS": sealing,
        "KRAVFLYT_SEALING_ACTIVE_KEY_ID": active,
    }
    return asyncio.to_thread(CliRunner().invoke, app, ["personal-data", *args], env=env)


def digits_of(numbers: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(r"\D*".join(n) for n in numbers))


async def test_the_commands_report_keys_and_counts_and_never_an_identity_number(engine, intake_db):
    numbers = [fodselsnummer() for _ in range(5)]
    await insert_sealed(engine, numbers)

    before = await kravflyt(intake_db, ROTATED, "status", "intake")
    dry = await kravflyt(intake_db, ROTATED, "reseal", "intake", "--dry-run")
    run = await kravflyt(intake_db, ROTATED, "reseal", "intake", "--batch-size", "2")
    again = await kravflyt(intake_db, ROTATED, "reseal", "intake")
    after = await kravflyt(intake_db, ROTATED, "status", "intake")

    outputs = [before, dry, run, again, after]
    assert [r.exit_code for r in outputs] == [0, 0, 0, 0, 0], [r.output for r in outputs]
    assert before.output.splitlines() == [
        "intake: active key k2; configured k1, k2",
        "intake claim.debtor_sealed: k2=0 (active)  k1=5",
        "intake: 5 values not sealed with k2 (k1=5)",
    ]
    assert (
        "intake claim.debtor_sealed: would re-seal 5 with k2; 0 no configured key opens"
        in dry.output
    )
    assert "intake claim.debtor_sealed: 2/5" in run.output
    assert "intake claim.debtor_sealed: 5/5 re-sealed with k2, 0 could not be opened" in run.output
    assert "intake claim.debtor_sealed: 0/0 re-sealed with k2" in again.output
    assert after.output.splitlines()[-2:] == [
        "intake claim.debtor_sealed: k2=5 (active)  k1=0",
        "intake: every value is sealed with k2; not used here: k1",
    ]
    assert not digits_of(numbers).search("".join(r.output for r in outputs))


async def test_status_runs_without_keys_where_a_service_holds_none(engine, intake_db):
    await insert_sealed(engine, [fodselsnummer()])
    env = {
        "KRAVFLYT_INTAKE_DATABASE_URL": intake_db,
        "KRAVFLYT_PSEUDONYM_KEY": None,
        "KRAVFLYT_SEALING_KEYS": None,
    }

    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["personal-data", "status", "intake"], env=env
    )

    assert result.exit_code == 0, result.output
    assert "intake claim.debtor_sealed: k1=1" in result.output
