"""Intake as the runtime sees it (registered under the ``kravflyt.services`` entry point)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import typer
from fastapi import FastAPI

from intake.bootstrap import create_app
from intake.config import IntakeSettings
from intake.office import DEMO_OFFICE, load_office
from rules.municipalities import register_from
from runtime.resealing import SealedColumn
from runtime.service import ServiceDefinition
from runtime.settings import load_settings

commands = typer.Typer(help="Intake: the claim register.", no_args_is_help=True)


@commands.command("load-office")
def load_office_command(path: Path = typer.Argument(DEMO_OFFICE)) -> None:  # noqa: B008
    """Load the office's municipalities and their claim types from a YAML file."""
    settings = load_settings(IntakeSettings, "intake")
    register = register_from(settings.municipalities_file)
    loaded = asyncio.run(load_office(settings.database_url, path, register))
    typer.echo(f"intake: {len(loaded)} municipalities loaded")


async def seed_demo(settings: IntakeSettings, _: Path) -> None:
    """First start of make run: the demo office's three municipalities."""
    await load_office(
        settings.database_url, DEMO_OFFICE, register_from(settings.municipalities_file)
    )


def serve_app(settings: IntakeSettings) -> FastAPI:
    """The app ``kravflyt serve intake`` runs: :func:`create_app`, its start-up heap frozen."""
    app = create_app(settings)
    # A batch of 1,000 claims allocates enough to set off full collections, and each walked
    # the ~180,000 objects of the modules, models and schemas loaded at start: about 30 µs
    # per claim. Those live as long as the process, so the collector may skip them.
    gc.freeze()
    return app


SERVICE = ServiceDefinition(
    name="intake",
    default_port=8001,
    settings_class=IntakeSettings,
    create_app=serve_app,
    migrations=Path(__file__).with_name("migrations"),
    seed_demo=seed_demo,
    commands=commands,
    sealed_columns=(SealedColumn("claim", "debtor_sealed"),),
)
