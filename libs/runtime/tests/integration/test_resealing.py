"""Re-sealing on any table: empty values, a context of its own, odd values; every declaration."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from runtime.db import create_engine
from runtime.migrations import upgrade_async
from runtime.personal_data import PersonalDataKeys, open_sealed, seal
from runtime.resealing import EMPTY, UNKNOWN_FORMAT, SealedColumn, reseal, sealed_status
from runtime.service import discover_services

OLD = PersonalDataKeys.generate("k1")
NEW_ONLY = PersonalDataKeys(OLD.pseudonym_key, {"k2": bytes(range(32))}, "k2")
ROTATED = PersonalDataKeys(OLD.pseudonym_key, {**OLD.sealing_keys, **NEW_ONLY.sealing_keys}, "k2")
CONTEXT = b"kravflyt-test-letter"
LETTER = SealedColumn("letter", "recipient_sealed", key="number", context=CONTEXT)
NUMBER = "15038512345"

metadata = sa.MetaData()
letter = sa.Table(
    "letter",
    metadata,
    sa.Column("number", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("recipient_sealed", sa.Text, nullable=False),
)


@pytest.fixture
async def engine(fresh_database) -> AsyncIterator[sa.ext.asyncio.AsyncEngine]:
    engine = create_engine(fresh_database("reseal"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def insert(engine, *values: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(letter), [{"recipient_sealed": v} for v in values])


async def values(engine) -> list[str]:
    async with engine.connect() as conn:
        query = sa.select(letter.c.recipient_sealed).order_by(letter.c.number)
        return list((await conn.execute(query)).scalars())


async def test_empty_values_are_counted_apart_and_left_empty(engine):
    await insert(engine, "", seal(OLD, NUMBER, context=CONTEXT), "")

    [report] = await reseal(engine, [LETTER], ROTATED)
    [status] = await sealed_status(engine, [LETTER])

    assert (report.total, report.resealed, report.remaining) == (1, 1, 0)
    assert status.by_key == {EMPTY: 2, "k2": 1}
    assert (await values(engine))[0::2] == ["", ""]


async def test_a_value_is_sealed_again_under_the_context_its_column_declares(engine):
    await insert(engine, seal(OLD, NUMBER, context=CONTEXT))

    await reseal(engine, [LETTER], ROTATED)

    [value] = await values(engine)
    assert value.startswith("v1.k2.")
    assert open_sealed(NEW_ONLY, value, context=CONTEXT) == NUMBER


async def test_values_no_key_opens_are_left_and_a_number_in_them_is_never_shown(engine):
    await insert(engine, NUMBER, f"v1.{NUMBER}.AAAA")

    [report] = await reseal(engine, [LETTER], ROTATED)
    [status] = await sealed_status(engine, [LETTER])

    assert (report.failed, report.remaining) == (2, 2)
    assert status.by_key == {UNKNOWN_FORMAT: 1, "*" * 11: 1}
    assert await values(engine) == [NUMBER, f"v1.{NUMBER}.AAAA"]


async def test_a_batch_size_below_one_is_refused(engine):
    with pytest.raises(ValueError, match="batch_size"):
        await reseal(engine, [LETTER], ROTATED, batch_size=0)


async def test_every_declared_sealed_column_exists_in_its_services_migrated_schema(
    fresh_database,
):
    declared = {name: d.sealed_columns for name, d in discover_services().items()}
    for name, columns in declared.items():
        url = fresh_database(name)
        await upgrade_async(discover_services()[name].migrations, url)
        engine = create_engine(url)

        statuses = await sealed_status(engine, columns)
        await engine.dispose()

        assert [s.by_key for s in statuses] == [{} for _ in columns]
    assert {n for n, c in declared.items() if c} >= {"intake", "dunning", "notification"}
