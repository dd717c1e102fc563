"""Alembic per service: each service keeps its revisions in ``<package>/migrations``.

A service's ``env.py`` is two lines (``from runtime.migrations import run_env; run_env()``),
and ``kravflyt migrate <service>`` or :func:`upgrade` applies its revisions.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine

from runtime.db import inbox_table, outbox_table


def alembic_config(script_location: Path, database_url: str) -> Config:
    """An Alembic config for one service's migrations directory and database."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(script_location: Path, database_url: str, revision: str = "head") -> None:
    """Apply a service's migrations up to ``revision`` (blocking; run in a worker thread)."""
    command.upgrade(alembic_config(script_location, database_url), revision)


async def upgrade_async(script_location: Path, database_url: str) -> None:
    """:func:`upgrade` from async code."""
    await asyncio.to_thread(upgrade, script_location, database_url)


def _run(connection: Connection) -> None:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(url: str) -> None:
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def run_env() -> None:
    """Body of every service's Alembic ``env.py`` (online mode on asyncpg)."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set")
    asyncio.run(_run_online(url))


def create_outbox_and_inbox() -> None:
    """Create the runtime's outbox and inbox tables (call from a service's first revision)."""
    from alembic import op

    metadata = sa.MetaData()
    outbox_table(metadata)
    inbox_table(metadata)
    metadata.create_all(op.get_bind())


def drop_from_sent_outbox(event_types: Sequence[str], fields: Sequence[str]) -> None:
    """Remove payload ``fields`` from outbox rows of ``event_types`` that were already sent.

    Sent rows are history nobody reads again; this takes out personal data a superseded type
    carried in clear. Unsent rows are left whole: the relay still publishes them as they are.
    """
    from alembic import op

    if not all(re.fullmatch(r"[a-z_]+", field) for field in fields):
        raise ValueError("payload field names are lower-case letters and underscores")
    paths = " ".join(f"#- '{{payload,{field}}}'" for field in fields)
    statement = sa.text(
        f"UPDATE outbox SET body = (body::jsonb {paths})::text "  # noqa: S608 - our own names
        "WHERE sent_at IS NOT NULL AND event_type = ANY(:types)"
    ).bindparams(types=list(event_types))
    op.execute(statement)
