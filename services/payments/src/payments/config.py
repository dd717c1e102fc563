"""Payments' settings (``KRAVFLYT_PAYMENTS_*`` over ``KRAVFLYT_*``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from rules.identity import validate_account_number
from runtime.settings import ServiceSettings

# The fake Vipps' credentials (fakes/vipps.py), used only in local mode.
LOCAL_FAKE_VIPPS = {
    "vipps_client_id": "kravflyt-local",
    "vipps_client_secret": "local-client-secret",
    "vipps_subscription_key": "local-subscription-key",
    "vipps_msn": "123456",
    "vipps_webhook_secret": "local-webhook-secret",
}


class PaymentsSettings(ServiceSettings):
    """What payments needs beyond the shared settings."""

    http_port: int = 8004
    # The office's collection account: every KID is paid to it (validated, 11 digits).
    collection_account: str = "86011117947"
    kid_algorithm: Literal["MOD10", "MOD11"] = "MOD10"
    # Issued KIDs are prefix + zero-padded serial + check digit, always kid_length long.
    kid_prefix: str = "9"
    kid_length: int = 12
    # Events about money no municipality is known for (an unmatched payment) carry this tenant.
    office_tenant: str = "0000"
    # Largest payment file accepted over HTTP (100 000 OCR payments are about 16 MB).
    max_file_bytes: int = 64 * 1024 * 1024
    # Vipps MobilePay ePayment. Credentials and the webhook secret have no defaults: outside
    # local mode (``make run`` sets ``local_dir``) payments refuses to start without them; in
    # local mode the fake's (``python -m fakes vipps``) fill the blanks.
    vipps_base_url: str = "http://127.0.0.1:8095"
    vipps_client_id: str = ""
    vipps_client_secret: str = Field(default="", repr=False)
    vipps_subscription_key: str = Field(default="", repr=False)
    vipps_msn: str = ""
    # The secret Vipps returned when our webhook was registered (signs every webhook).
    vipps_webhook_secret: str = Field(default="", repr=False)
    # A webhook whose x-ms-date is further off than this is refused (a replay).
    vipps_webhook_max_age_seconds: int = 300
    # make run: the stack's directory (KRAVFLYT_LOCAL_DIR); set means local mode.
    local_dir: str = ""
    # Service clients (Maskinporten client_id) that may start payments for citizens: Min side.
    minside_client_ids: str = "minside"

    def vipps_secrets(self) -> dict[str, str]:
        """The Vipps credentials, the fake's in local mode; ValueError naming what is missing."""
        values = {
            "vipps_client_id": self.vipps_client_id,
            "vipps_client_secret": self.vipps_client_secret,
            "vipps_subscription_key": self.vipps_subscription_key,
            "vipps_msn": self.vipps_msn,
            "vipps_webhook_secret": self.vipps_webhook_secret,
        }
        if self.local_dir:
            return {k: v or LOCAL_FAKE_VIPPS[k] for k, v in values.items()}
        missing = [f"KRAVFLYT_PAYMENTS_{k.upper()}" for k, v in values.items() if not v]
        if missing:
            raise ValueError(f"set {', '.join(missing)} (Vipps; no defaults outside local mode)")
        return values

    @field_validator("collection_account")
    @classmethod
    def _valid_account(cls, value: str) -> str:
        return validate_account_number(value)

    @field_validator("kid_prefix")
    @classmethod
    def _digits(cls, value: str) -> str:
        if not (value.isascii() and value.isdigit()):
            raise ValueError("kid_prefix is digits only")
        return value
