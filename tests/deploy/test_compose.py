"""docker-compose.yml: valid Compose, every service of the repository, start order, hardening.

No Docker engine (and no compose plugin) runs here, so the file is checked against the Compose
Specification's JSON Schema (the copy vendored in check-jsonschema) and by reading it.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_helpers import REPO, repository_services, unknown_settings

COMPOSE_FILE = REPO / "docker-compose.yml"
SERVICES = repository_services()
PORTS = {"intake": 8001, "dunning": 8002, "notification": 8003, "payments": 8004, "minside": 8005}
ONE_SHOT = "service_completed_successfully"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _depends(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """depends_on in its long form, whichever form the file uses."""
    depends = spec.get("depends_on") or {}
    return {d: {} for d in depends} if isinstance(depends, list) else depends


def _kravflyt_containers(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in compose["services"].items() if s.get("image") == "kravflyt:local"}


def test_the_compose_file_validates_against_the_compose_specification():
    checker = Path(sys.executable).parent / "check-jsonschema"

    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE_FILE.read_text().replace("depends_on:", "depends_onn:", 1))
    checker = Path(sys.executable).parent / "check-jsonschema"

    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_of_the_repository_is_served_and_migrated(compose, service):
    services = compose["services"]
    prefix = f"KRAVFLYT_{service.upper()}_"

    served = services[service]
    assert served["command"][:2] == ["serve", service]
    assert served["environment"]["KRAVFLYT_BUS_URL"].startswith("kafka://")
    own_url = served["environment"][prefix + "DATABASE_URL"]
    assert own_url.endswith(f"@postgres:5432/kravflyt_{service}")
    # Only its own database: no other service's URL in its environment.
    assert [k for k in served["environment"] if k.endswith("_DATABASE_URL")] == [
        prefix + "DATABASE_URL"
    ]
    assert served["depends_on"][f"{service}-migrate"]["condition"] == ONE_SHOT
    assert served["depends_on"]["kafka-topics"]["condition"] == ONE_SHOT

    migrate = services[f"{service}-migrate"]
    assert migrate["command"] == ["migrate", service]
    assert migrate["environment"][prefix + "DATABASE_URL"] == own_url
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"

    assert service in services["postgres"]["environment"]["KRAVFLYT_SERVICES"].split()


def test_services_listen_on_their_ports_and_have_health_checks(compose):
    for service in SERVICES:
        spec = compose["services"][service]
        port = PORTS.get(service)
        if port is None:  # a service added later: its port is what the command says
            port = int(spec["command"][spec["command"].index("--port") + 1])
        assert spec["command"] == ["serve", service, "--port", str(port)]
        assert f"127.0.0.1:{port}:{port}" in spec["ports"]
        test = " ".join(spec["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/health/ready" in test
        assert spec["restart"] == "unless-stopped"


def test_infrastructure_kafka_in_kraft_mode_and_postgres_16(compose):
    kafka = compose["services"]["kafka"]
    postgres = compose["services"]["postgres"]

    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "zookeeper" not in compose["services"]
    assert "healthcheck" in kafka
    assert re.match(r"postgres:16(\.|-|$)", postgres["image"])
    assert "pg_isready" in postgres["healthcheck"]["test"]
    init = postgres["volumes"][1].split(":")[0]
    assert (REPO / init).is_file()
    assert (
        compose["services"]["kafka-topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    )


def test_every_dependency_exists_and_one_shots_are_awaited_to_completion(compose):
    services = compose["services"]
    one_shots = {n for n, s in services.items() if s.get("restart", "no") == "no" and "image" in s}
    one_shots = {
        n for n in one_shots if n.endswith("-migrate") or n in ("kafka-topics", "issuer", "seed")
    }
    assert one_shots >= {f"{s}-migrate" for s in SERVICES} | {"kafka-topics", "issuer", "seed"}

    for name, spec in services.items():
        for target, condition in _depends(spec).items():
            assert target in services, f"{name} depends on unknown {target}"
            assert set(services[target].get("profiles", [])) <= set(spec.get("profiles", [])), name
            if target in one_shots:
                assert condition.get("condition") == ONE_SHOT, f"{name} -> {target}"


def test_the_fake_national_services_run_from_the_fakes_image(compose):
    fakes = {n: s for n, s in compose["services"].items() if n.startswith("fake-")}

    assert {"fake-krr", "fake-digipost", "fake-svarut", "fake-vipps", "fake-oidc"} <= fakes.keys()
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM \S+ AS fakes$", dockerfile, re.M)
    assert 'ENTRYPOINT ["python", "-m", "fakes"]' in dockerfile
    for name, spec in fakes.items():
        assert spec["build"]["target"] == "fakes"
        assert spec["command"][0] == name.removeprefix("fake-")
        assert spec["command"][1:3] == ["--host", "0.0.0.0"]  # noqa: S104 - the container's address
        assert "healthcheck" in spec


def test_a_fake_not_written_yet_is_an_optional_dependency(compose):
    """Every fake must exist in fakes/; until then, services may only depend on it optionally."""
    # fakes.SERVICES, read without importing the package.
    tree = ast.parse((REPO / "fakes" / "__init__.py").read_text())
    known = next(
        set(ast.literal_eval(node.value))
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SERVICES"
    )
    missing = {
        n
        for n in compose["services"]
        if n.startswith("fake-") and n.removeprefix("fake-") not in known
    }

    for name, spec in compose["services"].items():
        for target, condition in _depends(spec).items():
            if target in missing:
                assert condition.get("required") is False, (
                    f"{name} needs {target}, which fakes/ lacks"
                )


def test_kravflyt_containers_are_hardened_like_the_pods(compose):
    containers = _kravflyt_containers(compose)
    assert set(SERVICES) <= containers.keys()

    for name, spec in containers.items():
        assert spec["build"]["target"] == "runtime", name
        assert spec["read_only"] is True, name
        assert spec["tmpfs"] == ["/tmp"], name
        assert spec["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in spec["security_opt"], name
        assert "user" not in spec or spec["user"].startswith("10001"), name


def test_traces_go_to_the_collector_and_on_to_jaeger(compose):
    collector = compose["services"]["otel-collector"]
    config = collector["volumes"][0].split(":")[0]

    assert (REPO / config).is_file()
    assert "jaeger" in compose["services"]
    for service in SERVICES:
        env = compose["services"][service]["environment"]
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"


def test_the_demo_office_is_seeded_after_intake_is_migrated(compose):
    seed = compose["services"]["seed"]

    assert seed["command"] == ["intake", "load-office"]
    assert seed["depends_on"]["intake-migrate"]["condition"] == ONE_SHOT


def test_mounted_files_exist(compose):
    for name, spec in compose["services"].items():
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), f"{name}: {source}"


def _environment(spec: dict[str, Any]) -> dict[str, Any]:
    env = spec.get("environment") or {}
    return dict(item.split("=", 1) for item in env) if isinstance(env, list) else env


def test_every_kravflyt_setting_compose_sets_is_one_the_service_reads(compose):
    variables = [v for spec in _kravflyt_containers(compose).values() for v in _environment(spec)]

    assert unknown_settings(variables) == []


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_reads_the_one_rates_file_setting(compose, service):
    environment = _environment(compose["services"][service])

    assert "KRAVFLYT_RATES_FILE" in environment
    assert [k for k in environment if k.endswith("RATES_FILE")] == ["KRAVFLYT_RATES_FILE"]
