"""Min side's settings (``KRAVFLYT_MINSIDE_*`` over ``KRAVFLYT_*``)."""

from __future__ import annotations

from pydantic import Field

from runtime.settings import ServiceSettings


class MinsideSettings(ServiceSettings):
    """What the citizen portal needs beyond the shared settings."""

    http_port: int = 8005
    # ID-porten (or the local stand-in): discovery at <issuer>/.well-known/openid-configuration.
    oidc_issuer: str = "http://localhost:8090"
    oidc_client_id: str = "kravflyt-minside"
    oidc_client_secret: str = Field(default="", repr=False)
    oidc_scopes: str = "openid profile"
    oidc_acr_values: str = "idporten-loa-substantial"
    session_secret: str = Field(default="", repr=False)
    session_idle_minutes: int = 30
    # Logins started per client address (a `limits` rate, e.g. "20/minute"), counted in
    # login_rate_limit_storage: "async+memory://" per replica, "async+redis://host" for all.
    login_rate_limit: str = "20/minute"
    login_rate_limit_storage: str = "async+memory://"
    session_max_minutes: int = 120
    payments_base_url: str = "http://127.0.0.1:8004"
    notification_base_url: str = "http://127.0.0.1:8003"
    # Vipps' landing pages are on this origin (make run: the fake): the only place besides
    # ourselves and the login a form may lead to (CSP form-action), and where /pay/vipps sends.
    vipps_base_url: str = "http://127.0.0.1:8095"
    # Further origins a form may lead to after a redirect (CSP form-action).
    form_action_origins: str = ""
    # Min side calls payments and notification as itself (contracts.http). make run: tokens
    # from the local Maskinporten stand-in under <local_dir>/issuer; otherwise Maskinporten's JWT
    # grant at service_token_url with the key at service_key_path (the chart: from a Secret).
    local_dir: str = ""
    service_client_id: str = "minside"
    service_orgnr: str = "999999999"
    service_token_url: str = ""
    service_token_audience: str = ""
    service_key_path: str = ""
    service_key_id: str = ""
    # Names shown for a kommunenummer where the register of municipalities (rules) has none or
    # the office wants another.
    municipality_names: dict[str, str] = Field(default_factory=dict)
