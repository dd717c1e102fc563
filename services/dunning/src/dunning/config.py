"""Dunning's settings (``KRAVFLYT_DUNNING_*`` over ``KRAVFLYT_*``)."""

from __future__ import annotations

from runtime.settings import ServiceSettings


class DunningSettings(ServiceSettings):
    """What dunning needs beyond the shared settings."""

    http_port: int = 8002
    # Cases per transaction in the daily run: large enough for set-based writes to pay off.
    run_chunk_size: int = 2000
    # How far back an operator may catch up missed daily runs (days before today).
    run_catch_up_max_days: int = 7
