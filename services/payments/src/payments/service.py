"""Payments as the runtime sees it (registered under the ``kravflyt.services`` entry point)."""

from __future__ import annotations

from pathlib import Path

from payments.bootstrap import create_app
from payments.commands import commands
from payments.config import PaymentsSettings
from runtime.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="payments",
    default_port=8004,
    settings_class=PaymentsSettings,
    create_app=create_app,
    migrations=Path(__file__).with_name("migrations"),
    # Accounts open from intake's claims.registered events: nothing to seed.
    seed_demo=None,
    commands=commands,
)
