"""Intake's settings (``KRAVFLYT_INTAKE_*`` over ``KRAVFLYT_*``)."""

from __future__ import annotations

from runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """What intake needs beyond the shared settings."""

    http_port: int = 8001
    max_batch: int = 1000
    # 100 million kroner: far above any municipal invoice, low enough to catch a unit error.
    max_principal_ore: int = 10_000_000_000
    submission_key_path: str = ""
