"""Min side as the runtime sees it (registered under the ``kravflyt.services`` entry point)."""

from __future__ import annotations

from pathlib import Path

from minside.bootstrap import create_app
from minside.config import MinsideSettings
from runtime.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="minside",
    default_port=8005,
    settings_class=MinsideSettings,
    create_app=create_app,
    migrations=Path(__file__).with_name("migrations"),
    # No sealed_columns: web_session.id_token_sealed is sealed with a key derived from the
    # session secret, not with the personal-data keys; rotating that secret ends every session.
)
