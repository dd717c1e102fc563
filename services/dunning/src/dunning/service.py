"""Dunning as the runtime sees it (registered under the ``kravflyt.services`` entry point)."""

from __future__ import annotations

import asyncio
import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from dunning.bootstrap import create_app
from dunning.config import DunningSettings
from dunning.domain.errors import DunningError
from dunning.domain.policy import PolicyInvalid
from dunning.domain.run_dates import daily_run_date
from dunning.domain.validation import load_policy
from dunning.handlers.catch_up import catch_up
from dunning.handlers.common import Actor
from dunning.handlers.mergers import map_policies
from dunning.handlers.run import run_daily
from dunning.policy_store import PACKAGED, read_document
from dunning.shards import parse_shard
from rules.calendar import oslo_today
from rules.municipalities import register_from
from runtime.db import utc_now
from runtime.logging import configure_logging
from runtime.resealing import SealedColumn
from runtime.service import Runtime, ServiceDefinition
from runtime.settings import load_settings
from runtime.telemetry import configure_telemetry, shutdown_telemetry

commands = typer.Typer(help="Dunning: case flows, the daily run, policies.", no_args_is_help=True)


@commands.command("run")
def run_command(
    day: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="Today (the default); no other date"),
    ] = None,
    shard: Annotated[str, typer.Option(help="This replica's shard i/n")] = "0/1",
) -> None:
    """Take every step due today; running it again takes nothing twice."""
    settings = load_settings(DunningSettings, "dunning")
    with _refusals():
        part = parse_shard(shard)
        run_date = daily_run_date(day.date() if day else None, oslo_today(utc_now()))
        [report] = asyncio.run(_runs(settings, [run_date], part))
    typer.echo(json.dumps(report, ensure_ascii=False))


@commands.command("catch-up")
def catch_up_command(
    since: Annotated[
        datetime, typer.Option(formats=["%Y-%m-%d"], help="The first missed day (recent days only)")
    ],
    reason: Annotated[str, typer.Option(help="Why the days were missed (kept with the run)")],
    by: Annotated[str, typer.Option(help="Who runs it (kept with the run)")],
    shard: Annotated[str, typer.Option(help="This replica's shard i/n")] = "0/1",
) -> None:
    """Run missed days from --since to yesterday, in order; recorded with who and why."""
    settings = load_settings(DunningSettings, "dunning")
    with _refusals():
        part = parse_shard(shard)
        reports = asyncio.run(_catch_up(settings, since.date(), part, reason, by))
    for report in reports:
        typer.echo(json.dumps(report, ensure_ascii=False))


@commands.command("map-policies")
def map_policies_command(
    merged: Annotated[str, typer.Argument(help="The municipality that merged")],
    into: Annotated[str, typer.Option(help="Its successor in the register")],
    reason: Annotated[str, typer.Option(help="Why (kept in each case's trail)")],
    apply: Annotated[bool, typer.Option(help="Change the cases (default: dry run)")] = False,
) -> None:
    """After a merger: running cases of the merged municipality follow the successor's policies.

    A dry run lists each case whose policy would change with its next step before and after;
    --apply re-points them, reschedules them and writes who and why into each case's trail.
    """
    settings = load_settings(DunningSettings, "dunning")
    with _refusals():
        changes = asyncio.run(_map_policies(settings, merged, into, reason, apply))
    for change in changes:
        typer.echo(json.dumps(change, ensure_ascii=False))
    done = "re-pointed" if apply else "would change (dry run; --apply to change them)"
    typer.echo(f"{len(changes)} cases {done}")


async def _map_policies(
    settings: DunningSettings, merged: str, into: str, reason: str, apply: bool
) -> list[dict[str, object]]:
    runtime = _runtime(settings)
    try:
        async with runtime.uow() as uow:
            changes = await map_policies(
                uow,
                merged,
                into,
                register=register_from(settings.municipalities_file),
                actor=Actor(f"cli:{getpass.getuser()}", "Operator (command line)"),
                reason=reason,
                apply=apply,
            )
            if apply:
                await uow.commit()
    finally:
        await _close(runtime)
    return changes


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except DunningError as error:
        typer.echo(f"{error.code}: {error.violations[0].message}", err=True)
        raise typer.Exit(2) from None


async def _runs(
    settings: DunningSettings, days: list[date], shard: tuple[int, int]
) -> list[dict[str, object]]:
    runtime = _runtime(settings)
    try:
        reports = [
            await run_daily(runtime, day, shard, chunk=settings.run_chunk_size) for day in days
        ]
    finally:
        await _close(runtime)
    return [report.as_json() for report in reports]


async def _catch_up(
    settings: DunningSettings, first: date, shard: tuple[int, int], reason: str, by: str
) -> list[dict[str, object]]:
    runtime = _runtime(settings)
    try:
        reports = await catch_up(
            runtime,
            first,
            oslo_today(runtime.clock()),
            shard,
            actor=Actor(f"cli:{by}", by),
            reason=reason,
            max_days=settings.run_catch_up_max_days,
            chunk=settings.run_chunk_size,
        )
    finally:
        await _close(runtime)
    return [report.as_json() for report in reports]


def _runtime(settings: DunningSettings) -> Runtime:
    configure_logging(settings.service, settings.log_level)
    configure_telemetry(settings.service)
    return Runtime(settings)


async def _close(runtime: Runtime) -> None:
    await runtime.engine.dispose()
    shutdown_telemetry()


@commands.command("check-policies")
def check_policies(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Policy files (default: packaged)")
    ] = None,
) -> None:
    """Validate policy files against the law; prints every violation and fails on one."""
    failed = False
    for path in paths or sorted(PACKAGED.glob("*.yaml")):
        try:
            policy = load_policy(read_document(path), oslo_today(utc_now()))
            typer.echo(f"{path.name}: {policy.id} v{policy.version} ok")
        except PolicyInvalid as error:
            failed = True
            for v in error.violations:
                typer.echo(f"{path.name}: {v.code} [{v.step or '-'}] {v.message}")
    raise typer.Exit(1 if failed else 0)


SERVICE = ServiceDefinition(
    name="dunning",
    default_port=8002,
    settings_class=DunningSettings,
    create_app=create_app,
    migrations=Path(__file__).with_name("migrations"),
    commands=commands,
    sealed_columns=(SealedColumn("dunning_case", "debtor_sealed"),),
)
