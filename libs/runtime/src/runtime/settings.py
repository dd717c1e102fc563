"""Typed settings shared by every service, read from ``KRAVFLYT_*`` environment variables.

A field ``database_url`` of service ``intake`` is read from ``KRAVFLYT_INTAKE_DATABASE_URL``
first and ``KRAVFLYT_DATABASE_URL`` second, so one environment can configure all services
while each can still be pointed at its own database.
"""

from __future__ import annotations

import os
from typing import Literal, TypeVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.personal_data import PersonalDataKeys


class ServiceSettings(BaseSettings):
    """Settings every service has; a service subclasses it to add its own."""

    model_config = SettingsConfigDict(env_prefix="KRAVFLYT_", extra="ignore")

    service: str = ""
    # "all": API, subscribers and relay in one process; "api" and "worker" split them.
    role: Literal["all", "api", "worker"] = "all"
    database_url: str = "postgresql+asyncpg://postgres@/kravflyt?host=/tmp"
    bus_url: str = "nats://127.0.0.1:4222"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # A separate port for /metrics and /health (0: both on the HTTP port). Set it where the
    # HTTP port is public (Min side's Ingress), so the metrics are not.
    metrics_port: int = 0
    # Proxies whose X-Forwarded-For names the client (uvicorn's forwarded_allow_ips): set it
    # where an ingress controller is the only peer, so per-client limits see the citizen.
    forwarded_allow_ips: str = "127.0.0.1"
    log_level: str = "INFO"
    # Request limits (runtime.limits): the body size of a route that sets none of its own, the
    # query string's length and how deep a JSON body may nest.
    http_max_body_bytes: int = 10 * 1024 * 1024
    http_max_query_bytes: int = 4096
    http_max_json_depth: int = 64
    public_base_url: str = ""
    # The office's rates file (rules' TOML format: forsinkelsesrente, inkassosats, rettsgebyr);
    # empty: the packaged rates. One setting for every service that computes interest or fees,
    # so letters, the ledger and Min side agree to the øre.
    rates_file: str = ""
    # The office's additions to the register of municipalities (rules.municipalities: a merger
    # decided after this release); empty: the packaged register. Shared like rates_file, so
    # intake, letters and settlements agree on who collects a claim from which day.
    municipalities_file: str = ""

    pseudonym_key: str = Field(default="", repr=False)
    sealing_keys: str = Field(default="", repr=False)
    sealing_active_key_id: str = "k1"

    auth_issuer: str = "http://localhost/maskinporten-local"
    auth_audience: str = "kravflyt"
    auth_jwks_url: str = ""
    # The longest a municipal or staff token may live (exp - iat), in seconds.
    auth_max_token_lifetime_seconds: int = 3600

    # Caseworkers' tokens come from the office's own identity provider.
    staff_auth_issuer: str = "http://localhost/office-idp-local"
    staff_auth_audience: str = "kravflyt-staff"
    staff_auth_jwks_url: str = ""

    # Kafka credentials and TLS (the chart sets them from bus.kafka). An empty protocol is
    # PLAINTEXT; an empty mechanism under SASL is PLAIN; no CA file trusts the system's CAs.
    kafka_security_protocol: Literal["", "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = ""
    kafka_sasl_mechanism: Literal["", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = ""
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = Field(default="", repr=False)
    kafka_ssl_ca_file: str = ""
    # Off only for a Kafka-compatible broker without idempotent producers (InitProducerId):
    # a retried publish may then be written twice, which the consumers' inboxes drop.
    kafka_idempotent_producer: bool = True

    relay_enabled: bool = True
    relay_batch_size: int = 500
    relay_poll_seconds: float = 0.5
    consumer_max_attempts: int = 5
    consumer_retry_base_seconds: float = 0.2
    db_pool_size: int = 10

    def personal_data_keys(self) -> PersonalDataKeys:
        """The pseudonym and sealing keys; ValueError if they are missing or malformed."""
        return PersonalDataKeys.from_strings(
            self.pseudonym_key, self.sealing_keys, self.sealing_active_key_id
        )


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def load_settings(cls: type[SettingsT], service: str) -> SettingsT:
    """Settings of ``service``; ``KRAVFLYT_<SERVICE>_<FIELD>`` wins over ``KRAVFLYT_<FIELD>``."""
    prefix = f"KRAVFLYT_{service.upper()}_"
    overrides: dict[str, str] = {}
    for name in cls.model_fields:
        value = os.environ.get(prefix + name.upper())
        if value is not None:
            overrides[name] = value
    overrides["service"] = service
    return cls(**overrides)  # type: ignore[arg-type]
