"""Kafka credentials and TLS: from the KRAVFLYT_KAFKA_* settings to what the broker uses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram512
from pydantic import ValidationError

from runtime.bus import Bus
from runtime.kafka_admin import KafkaOptions, broker_security, client_options
from runtime.settings import ServiceSettings, load_settings


def write_ca(path: Path, common_name: str = "Kravflyt Test Kafka CA") -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def trusted_names(security: BaseSecurity) -> list[str]:
    assert security.ssl_context is not None
    return [
        value
        for cert in security.ssl_context.get_ca_certs()
        for rdn in cert["subject"]
        for key, value in rdn
        if key == "commonName"
    ]


def test_a_managed_kafka_gets_scram_over_tls_with_the_mounted_ca(tmp_path):
    ca = write_ca(tmp_path / "ca.crt")
    options = KafkaOptions(
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="kravflyt",
        sasl_password="hemmelig",
        ssl_ca_file=str(ca),
    )

    security = broker_security(options)

    assert isinstance(security, SASLScram512)
    assert (security.username, security.password) == ("kravflyt", "hemmelig")
    assert security.use_ssl is True
    assert trusted_names(security) == ["Kravflyt Test Kafka CA"]


def test_the_broker_and_its_readiness_ping_connect_with_the_credentials(tmp_path):
    ca = write_ca(tmp_path / "ca.crt")
    options = KafkaOptions("SASL_SSL", "SCRAM-SHA-256", "kravflyt", "hemmelig", str(ca))

    bus = Bus("kafka://b-1:9096,b-2:9096", "intake", kafka=options)

    connection = bus.broker._connection_kwargs  # what broker.start() and broker.ping() use
    assert connection["security_protocol"] == "SASL_SSL"
    assert connection["sasl_mechanism"] == "SCRAM-SHA-256"
    assert connection["sasl_plain_username"] == "kravflyt"
    assert connection["sasl_plain_password"] == "hemmelig"
    assert connection["ssl_context"] is not None


def test_sasl_without_a_mechanism_is_plain_and_without_tls_has_no_ssl_context():
    security = broker_security(KafkaOptions("SASL_PLAINTEXT", "", "kravflyt", "hemmelig"))

    assert type(security) is SASLPlaintext
    assert security.use_ssl is False
    assert security.ssl_context is None


def test_tls_without_a_ca_file_trusts_the_system_cas():
    security = broker_security(KafkaOptions(security_protocol="SSL"))

    assert type(security) is BaseSecurity
    assert security.use_ssl is True
    assert security.ssl_context is not None


@pytest.mark.parametrize("protocol", ["", "PLAINTEXT"])
def test_plaintext_has_no_security_at_all(protocol):
    assert broker_security(KafkaOptions(security_protocol=protocol)) is None
    assert "security_protocol" not in Bus("kafka://k1:9092", "intake").broker._connection_kwargs


def test_sasl_without_a_user_name_fails_at_start_not_at_the_first_publish():
    with pytest.raises(ValueError, match="KRAVFLYT_KAFKA_SASL_USERNAME"):
        broker_security(KafkaOptions(security_protocol="SASL_SSL"))


def test_a_missing_ca_file_fails_at_start(tmp_path):
    with pytest.raises(FileNotFoundError):
        broker_security(KafkaOptions("SSL", ssl_ca_file=str(tmp_path / "nowhere.crt")))


def test_the_settings_come_from_the_variables_the_chart_sets(monkeypatch, tmp_path):
    ca = write_ca(tmp_path / "ca.crt")
    monkeypatch.setenv("KRAVFLYT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KRAVFLYT_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("KRAVFLYT_KAFKA_SASL_USERNAME", "kravflyt")
    monkeypatch.setenv("KRAVFLYT_KAFKA_SASL_PASSWORD", "hemmelig")
    monkeypatch.setenv("KRAVFLYT_KAFKA_SSL_CA_FILE", str(ca))
    monkeypatch.setenv("KRAVFLYT_PAYMENTS_KAFKA_SASL_USERNAME", "kravflyt-payments")

    intake = Bus("kafka://b-1:9096", "intake").broker._connection_kwargs
    payments = Bus("kafka://b-1:9096", "payments").broker._connection_kwargs

    assert intake["sasl_mechanism"] == "SCRAM-SHA-512"
    assert intake["sasl_plain_username"] == "kravflyt"
    assert payments["sasl_plain_username"] == "kravflyt-payments", "a service may have its own"


def test_an_unknown_protocol_or_mechanism_is_refused_when_settings_load(monkeypatch):
    monkeypatch.setenv("KRAVFLYT_KAFKA_SECURITY_PROTOCOL", "SASL_TLS")
    with pytest.raises(ValidationError):
        load_settings(ServiceSettings, "intake")
    monkeypatch.setenv("KRAVFLYT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KRAVFLYT_KAFKA_SASL_MECHANISM", "GSSAPI")
    with pytest.raises(ValidationError):
        load_settings(ServiceSettings, "intake")


def test_the_password_never_shows_in_a_repr():
    settings = ServiceSettings(kafka_sasl_password="hemmelig")  # type: ignore[call-arg]
    options = KafkaOptions.from_settings(settings)

    assert options.sasl_password == "hemmelig"
    assert "hemmelig" not in repr(settings)
    assert "hemmelig" not in repr(options)


def test_admin_clients_get_the_same_connection_as_the_broker(tmp_path):
    ca = write_ca(tmp_path / "ca.crt")
    options = KafkaOptions("SASL_SSL", "SCRAM-SHA-512", "kravflyt", "hemmelig", str(ca))

    client = client_options(["b-1:9096"], options, "kravflyt-topics")

    assert client["bootstrap_servers"] == ["b-1:9096"]
    assert client["client_id"] == "kravflyt-topics"
    assert client["security_protocol"] == "SASL_SSL"
    assert client["sasl_mechanism"] == "SCRAM-SHA-512"
    assert client["sasl_plain_username"] == "kravflyt"


def test_the_producer_is_idempotent_unless_the_broker_cannot_be(monkeypatch):
    default = Bus("kafka://k1:9092", "intake")
    monkeypatch.setenv("KRAVFLYT_KAFKA_IDEMPOTENT_PRODUCER", "false")
    switched_off = Bus("kafka://k1:9092", "intake")

    assert default.broker._connection_kwargs["enable_idempotence"] is True
    assert switched_off.broker._connection_kwargs["enable_idempotence"] is False
