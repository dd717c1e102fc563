"""Intake's settings (``KRAVFLYT_INTAKE_*`` over ``KRAVFLYT_*``)."""

from __future__ import annotations

from datetime import date

from runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """What intake needs beyond the shared settings."""

    http_port: int = 8001
    max_batch: int = 1000
    # 100 million kroner: far above any municipal invoice, low enough to catch a unit error.
    max_principal_ore: int = 10_000_000_000
    submission_key_path: str = ""
    # The window of dates intake takes: nothing issued before, nothing due longer after issue.
    earliest_issue_date: date = date(2000, 1, 1)
    max_due_years_after_issue: int = 5
