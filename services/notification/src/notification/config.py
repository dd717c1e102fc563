"""Notification's settings (``KRAVFLYT_NOTIFICATION_*`` over ``KRAVFLYT_*``).

The provider URLs default to the local fakes of ``make run`` (``python -m fakes ...``).
"""

from __future__ import annotations

from pydantic import Field

from runtime.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    """What notification needs beyond the shared settings."""

    http_port: int = 8003

    # Maskinporten (tokens for KRR and Altinn). No key file: an ephemeral key, for fakes only.
    maskinporten_token_url: str = "http://127.0.0.1:8091/token"  # noqa: S105 - a URL
    maskinporten_audience: str = "http://127.0.0.1:8091/"
    maskinporten_client_id: str = "kravflyt-notification"
    maskinporten_key_path: str = ""
    krr_url: str = "http://127.0.0.1:8091"
    digipost_url: str = "http://127.0.0.1:8092"
    digipost_sender_id: str = "100001"
    digipost_key_path: str = ""
    svarut_url: str = "http://127.0.0.1:8093"
    svarut_username: str = "kravflyt"
    svarut_password: str = Field(default="local", repr=False)
    altinn_url: str = "http://127.0.0.1:8094"

    provider_timeout_seconds: float = 10.0
    delivery_attempts: int = 4
    delivery_backoff_seconds: float = 0.5
    max_dispatch_attempts: int = 6
    redispatch_seconds: float = 30.0
    sweep_interval_seconds: float = 5.0
    sweep_grace_seconds: float = 60.0
    render_workers: int = 1
    # Notices delivered at the same time (the subscriber hands them over after storing them).
    dispatch_concurrency: int = 16
    # An office's own texts, profiles and logos, laid over the package's (empty: none).
    templates_dir: str = ""
    # Service clients that may fetch a citizen's letters (Min side), comma-separated.
    minside_client_ids: str = "minside"
    staff_reader_role: str = "caseworker"
