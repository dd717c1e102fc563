"""Notification as the runtime sees it (registered under the ``kravflyt.services`` entry point)."""

from __future__ import annotations

from pathlib import Path

from notification.bootstrap import create_app
from notification.config import NotificationSettings
from runtime.resealing import SealedColumn
from runtime.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="notification",
    default_port=8003,
    settings_class=NotificationSettings,
    create_app=create_app,
    migrations=Path(__file__).with_name("migrations"),
    sealed_columns=(SealedColumn("notice", "debtor_sealed"),),
)
