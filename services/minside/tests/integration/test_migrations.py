"""Min side's migrations create exactly the schema its code uses."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from minside.db import metadata
from runtime.db import create_engine, inbox_table, outbox_table


async def test_the_migrated_schema_has_no_drift_from_the_table_definitions(minside_db):
    expected = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(expected)
    outbox_table(expected)
    inbox_table(expected)
    engine = create_engine(minside_db)

    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), expected)
        )
    await engine.dispose()

    assert diff == []
