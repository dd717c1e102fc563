"""Dunning as the runtime sees it (registered under the ``kravflyt.services`` entry point)."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from dunning.bootstrap import create_app
from dunning.config import DunningSettings
from dunning.domain.policy import PolicyInvalid
from dunning.domain.validation import load_policy
from dunning.handlers.run import run_daily
from dunning.policy_store import PACKAGED, read_document
from dunning.shards import parse_shard
from rules.calendar import oslo_today
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
        typer.Option("--date", formats=["%Y-%m-%d"], help="Run date (default: today)"),
    ] = None,
    shard: Annotated[str, typer.Option(help="This replica's shard i/n")] = "0/1",
) -> None:
    """Take every step due on a date; running a date again takes nothing twice."""
    settings = load_settings(DunningSettings, "dunning")
    run_date = day.date() if day else oslo_today(utc_now())
    report = asyncio.run(_run(settings, run_date, parse_shard(shard)))
    typer.echo(json.dumps(report, ensure_ascii=False))


async def _run(settings: DunningSettings, day: date, shard: tuple[int, int]) -> dict[str, object]:
    configure_logging(settings.service, settings.log_level)
    configure_telemetry(settings.service)
    runtime = Runtime(settings)
    try:
        report = await run_daily(runtime, day, shard, chunk=settings.run_chunk_size)
    finally:
        await runtime.engine.dispose()
        shutdown_telemetry()
    return report.as_json()


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
