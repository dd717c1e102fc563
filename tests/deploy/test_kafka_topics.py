"""Kafka topics and credentials as the chart and compose hand them to the runtime.

Topic creation itself runs against a real broker in test_kafka_e2e.py.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from deploy_helpers import REPO, Rendered

from runtime.bus import Bus
from runtime.kafka_admin import KafkaOptions, client_options

SCRIPT = REPO / "deploy" / "scripts" / "kafka_topics.py"
KAFKA_VARIABLES = (
    "KRAVFLYT_KAFKA_SECURITY_PROTOCOL",
    "KRAVFLYT_KAFKA_SASL_MECHANISM",
    "KRAVFLYT_KAFKA_SASL_USERNAME",
    "KRAVFLYT_KAFKA_SASL_PASSWORD",
    "KRAVFLYT_KAFKA_SSL_CA_FILE",
)


def run_script(*args: str, bus_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={**os.environ, "KRAVFLYT_BUS_URL": bus_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_script_compose_and_the_chart_run_is_kravflyt_bus_ensure_topics():
    help_text = run_script("--help", bus_url="kafka://127.0.0.1:9092")
    on_nats = run_script("--partitions", "3", bus_url="nats://127.0.0.1:4222")

    assert help_text.returncode == 0, help_text.stderr
    assert "ensure-topics" in help_text.stdout
    assert "--replication-factor" in help_text.stdout
    assert on_nats.returncode == 2
    assert "NATS needs no topics" in on_nats.stderr


def container_environment(rendered: Rendered, kind: str, name: str) -> dict[str, str]:
    """A container's variables: its ConfigMaps, then its env with each secret as `secret:key`."""
    spec = _pod_spec(rendered.get(kind, name))
    (container,) = spec["containers"]
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        config_map = rendered.get("ConfigMap", source["configMapRef"]["name"])
        env.update(config_map.get("data") or {})
    for variable in container.get("env", []):
        secret = variable.get("valueFrom", {}).get("secretKeyRef")
        if secret:
            env[variable["name"]] = f"{secret['name']}:{secret['key']}"
        elif "value" in variable:
            env[variable["name"]] = variable["value"]
    return env


def _pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    if doc["kind"] == "CronJob":
        return dict(doc["spec"]["jobTemplate"]["spec"]["template"]["spec"])
    return dict(doc["spec"]["template"]["spec"])


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("Deployment", "kravflyt-intake-worker"),
        ("Deployment", "kravflyt-intake-api"),
        ("CronJob", "kravflyt-dunning-daily-run"),
        ("Job", "kravflyt-kafka-topics"),
    ],
)
def test_production_pods_reach_kafka_with_scram_over_tls(
    production_render, monkeypatch, tmp_path, kind, name
):
    env = container_environment(production_render, kind, name)
    assert set(KAFKA_VARIABLES) <= set(env), "the chart sets what the runtime reads"
    assert env["KRAVFLYT_KAFKA_SSL_CA_FILE"] == "/var/run/secrets/kravflyt/kafka-ca/ca.crt"
    env["KRAVFLYT_KAFKA_SSL_CA_FILE"] = str(write_ca(tmp_path / "ca.crt"))
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)

    bus = Bus(env["KRAVFLYT_BUS_URL"], "intake")
    admin = client_options(["b-1:9096"], KafkaOptions.from_environment("operator"), "topics")

    for connection in (bus.broker._connection_kwargs, admin):
        assert connection["security_protocol"] == "SASL_SSL"
        assert connection["sasl_mechanism"] == "SCRAM-SHA-512"
        assert connection["sasl_plain_username"] == "kravflyt-kafka:username"
        assert connection["sasl_plain_password"] == "kravflyt-kafka:password"
        assert connection["ssl_context"].get_ca_certs(), "the mounted CA is trusted"


def write_ca(path: Path) -> Path:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kravflyt Test Kafka CA")])
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
