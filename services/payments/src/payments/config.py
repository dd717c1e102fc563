"""Payments' settings (``KRAVFLYT_PAYMENTS_*`` over ``KRAVFLYT_*``)."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from rules.identity import validate_account_number
from runtime.settings import ServiceSettings


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
    # Vipps MobilePay ePayment (defaults: the local fake, ``python -m fakes vipps --port 8095``).
    vipps_base_url: str = "http://127.0.0.1:8095"
    vipps_client_id: str = "kravflyt-local"
    vipps_client_secret: str = "local-client-secret"  # noqa: S105 - the local fake's
    vipps_subscription_key: str = "local-subscription-key"
    vipps_msn: str = "123456"
    # The secret Vipps returned when our webhook was registered (signs every webhook).
    vipps_webhook_secret: str = "local-webhook-secret"  # noqa: S105 - the local fake's
    vipps_return_url: str = "http://localhost:8006/betaling/kvittering"

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
