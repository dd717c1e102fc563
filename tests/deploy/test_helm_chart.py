"""The Helm chart: lint, render, Kubernetes schemas, and what a production cluster relies on."""

from __future__ import annotations

import copy
from typing import Any

import helm_python
import kubernetes_validate
import pytest
from deploy_helpers import (
    CHART,
    KUBERNETES_VERSIONS,
    NAMESPACE,
    RELEASE,
    Rendered,
    default_values,
    effective_services,
    production_values,
    render,
    repository_services,
    unknown_settings,
)

SERVICES = repository_services()
RENDERS = {"default": lambda: render(), "production": lambda: render(production_values())}
CRD_GROUPS = ("monitoring.coreos.com/",)


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e for e in container.get("env", [])}


def _annotations(doc: dict[str, Any]) -> dict[str, str]:
    return doc["metadata"].get("annotations") or {}


# --- lint and render -------------------------------------------------------------------------


@pytest.mark.parametrize("values_name", ["default", "production"])
def test_helm_lint_passes_strictly(values_name):
    values = production_values() if values_name == "production" else None

    report = helm_python.lint(str(CHART), values, strict=True, namespace=NAMESPACE)

    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert report["errors"] == [] and problems == [], problems or report["errors"]


@pytest.mark.parametrize("values_name", RENDERS)
def test_the_chart_renders_every_part(values_name):
    rendered = RENDERS[values_name]()

    kinds = {d["kind"] for d in rendered.docs}
    assert {
        "Deployment",
        "Service",
        "ConfigMap",
        "ServiceAccount",
        "Job",
        "CronJob",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "Ingress",
    } <= kinds
    if values_name == "production":
        assert "HorizontalPodAutoscaler" in kinds


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("values_name", RENDERS)
def test_every_manifest_validates_against_the_kubernetes_schemas(values_name, version):
    rendered = RENDERS[values_name]()
    failures = []

    for doc in rendered.docs:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        if doc["apiVersion"].startswith(CRD_GROUPS):
            # prometheus-operator kinds have no schema here; their shape is checked elsewhere.
            assert {"apiVersion", "kind", "metadata", "spec"} <= doc.keys(), name
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            failures.append(f"{name}: {error.message} at {list(error.path)}")

    assert failures == []


def test_the_chart_names_every_service_in_the_repository():
    values = default_values()

    assert set(SERVICES) <= set(values["services"]), "a service under services/ has no values entry"
    assert all(values["services"][s]["enabled"] for s in SERVICES)


@pytest.mark.parametrize("values_name", RENDERS)
def test_every_service_gets_its_objects(values_name):
    rendered = RENDERS[values_name]()

    for service in SERVICES:
        component = [
            d
            for d in rendered.docs
            if d["metadata"].get("labels", {}).get("app.kubernetes.io/component") == service
        ]
        kinds = {d["kind"] for d in component}
        assert {"Deployment", "Service", "ConfigMap", "ServiceAccount", "NetworkPolicy"} <= kinds, (
            service
        )
        assert {"Job", "PodDisruptionBudget"} <= kinds, service


def test_no_secret_is_created(default_render, production_render):
    for rendered in (default_render, production_render):
        assert rendered.kind("Secret") == []


def test_notes_list_the_secrets_to_create(default_render):
    notes = default_render.notes()

    for service in SERVICES:
        assert f"kravflyt-{service}-database" in notes
    assert "kravflyt-personal-data" in notes


# --- pods: security, probes, resources ----------------------------------------------------------


@pytest.mark.parametrize("values_name", RENDERS)
def test_every_pod_runs_non_root_read_only_without_capabilities(values_name):
    rendered = RENDERS[values_name]()
    pods = list(rendered.pod_specs())
    assert pods

    for name, pod in pods:
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["serviceAccountName"], name
        context = pod["securityContext"]
        assert context["runAsNonRoot"] is True, name
        assert context["runAsUser"] == 10001, name
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, name
        tmp = {v["name"]: v for v in pod["volumes"]}["tmp"]
        assert "emptyDir" in tmp, name
        for container in pod["containers"]:
            sc = container["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["runAsNonRoot"] is True, name
            assert sc["capabilities"] == {"drop": ["ALL"]}, name
            assert sc.get("privileged", False) is False, name
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], name


@pytest.mark.parametrize("values_name", RENDERS)
def test_every_deployment_probes_the_health_endpoints(values_name):
    rendered = RENDERS[values_name]()

    for deployment in rendered.kind("Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        name = deployment["metadata"]["name"]
        probes = {
            k: container[k]["httpGet"] for k in ("startupProbe", "livenessProbe", "readinessProbe")
        }
        # Health lives on the operations port only (runtime.service: with a metrics_port).
        assert probes["livenessProbe"] == {"path": "/health/live", "port": "metrics"}, name
        assert probes["startupProbe"] == {"path": "/health/live", "port": "metrics"}, name
        assert probes["readinessProbe"] == {"path": "/health/ready", "port": "metrics"}, name
        # The readiness check pings the bus with a 2 s timeout.
        assert container["readinessProbe"]["timeoutSeconds"] > 2, name
        assert {
            "name": "http",
            "containerPort": int(container["args"][-1]),
            "protocol": "TCP",
        } in container["ports"], name


@pytest.mark.parametrize("values_name", RENDERS)
def test_every_container_has_requests_and_a_memory_limit(values_name):
    rendered = RENDERS[values_name]()

    for name, pod in rendered.pod_specs():
        for container in pod["containers"]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys(), name
            assert "memory" in resources["limits"], name


def test_deployments_serve_their_service_on_its_port_with_the_role(default_render):
    values = default_values()

    for service in SERVICES:
        deployment = default_render.get("Deployment", f"{RELEASE}-{service}")
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        port = str(values["services"][service]["port"])
        assert container["args"] == [
            "serve",
            service,
            "--role",
            "all",
            "--host",
            "0.0.0.0",  # noqa: S104 - the pod's address
            "--port",
            port,
        ]
        env = _env(container)
        secret = env[f"KRAVFLYT_{service.upper()}_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        database = values["services"][service]["database"]
        assert secret == {"name": database["existingSecret"], "key": database["key"]}
        config = default_render.get("ConfigMap", f"{RELEASE}-{service}")["data"]
        assert config[f"KRAVFLYT_{service.upper()}_HTTP_PORT"] == port
    shared = default_render.get("ConfigMap", RELEASE)["data"]
    assert shared["KRAVFLYT_BUS_URL"].startswith("kafka://")
    assert shared["KRAVFLYT_HTTP_HOST"] == "0.0.0.0"  # noqa: S104 - the pod's address


def test_public_minside_serves_its_metrics_on_the_operations_port_only(production_render):
    deployment = production_render.get("Deployment", f"{RELEASE}-minside")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    config = production_render.get("ConfigMap", f"{RELEASE}-minside")["data"]
    service = production_render.get("Service", f"{RELEASE}-minside")

    assert {"name": "metrics", "containerPort": 9464, "protocol": "TCP"} in container["ports"]
    assert config["KRAVFLYT_MINSIDE_METRICS_PORT"] == "9464"
    assert any(p.get("name") == "metrics" and p["port"] == 9464 for p in service["spec"]["ports"])


@pytest.mark.parametrize("values_name", RENDERS)
def test_every_service_keeps_metrics_and_health_off_the_port_its_ingress_publishes(values_name):
    rendered = RENDERS[values_name]()

    for deployment in rendered.kind("Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        name = deployment["metadata"]["name"]
        service = name.removeprefix(f"{RELEASE}-").removesuffix("-api").removesuffix("-worker")
        config = rendered.get("ConfigMap", f"{RELEASE}-{service}")["data"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert config[f"KRAVFLYT_{service.upper()}_METRICS_PORT"] == str(ports["metrics"]), name
        assert ports["metrics"] != ports["http"], name
    for ingress in rendered.kind("Ingress"):
        backends = [
            path["backend"]["service"]["port"]
            for rule in ingress["spec"]["rules"]
            for path in rule["http"]["paths"]
        ]
        assert backends and all(b == {"name": "http"} for b in backends), ingress["metadata"]


@pytest.mark.parametrize("values_name", RENDERS)
def test_minside_sees_the_citizens_address_behind_the_ingress_controller(values_name):
    rendered = RENDERS[values_name]()
    deployment = rendered.get("Deployment", f"{RELEASE}-minside")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    config = rendered.get("ConfigMap", f"{RELEASE}-minside")["data"]

    settings = {**config, **{k: v.get("value") for k, v in _env(container).items()}}

    # Its login rate limit counts per client address: X-Forwarded-For from the controller.
    assert settings["KRAVFLYT_MINSIDE_FORWARDED_ALLOW_IPS"] == "*"


def test_personal_data_keys_go_only_to_services_that_need_them(default_render):
    values = default_values()

    for service in SERVICES:
        deployment = default_render.get("Deployment", f"{RELEASE}-{service}")
        env = _env(deployment["spec"]["template"]["spec"]["containers"][0])
        wanted = values["services"][service].get("personalData", False)
        assert ("KRAVFLYT_PSEUDONYM_KEY" in env) is wanted, service
        assert ("KRAVFLYT_SEALING_KEYS" in env) is wanted, service
        if wanted:
            ref = env["KRAVFLYT_SEALING_KEYS"]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": "kravflyt-personal-data", "key": "sealing-keys"}


# --- hooks, cron jobs ---------------------------------------------------------------------------


@pytest.mark.parametrize("values_name", RENDERS)
def test_migrations_run_as_pre_install_and_pre_upgrade_hook_jobs(values_name):
    rendered = RENDERS[values_name]()

    for service in SERVICES:
        job = rendered.get("Job", f"{RELEASE}-{service}-migrate")
        annotations = _annotations(job)
        assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert int(annotations["helm.sh/hook-weight"]) < 0
        assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"]
        pod = job["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        (container,) = pod["containers"]
        assert container["args"] == ["migrate", service]
        assert "envFrom" not in container, "hooks run before the ConfigMaps exist"
        assert f"KRAVFLYT_{service.upper()}_DATABASE_URL" in _env(container)
        # Its ServiceAccount is a hook too, created before the Job.
        account = rendered.get("ServiceAccount", pod["serviceAccountName"])
        account_hook = _annotations(account)
        assert account_hook["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert int(account_hook["helm.sh/hook-weight"]) < int(annotations["helm.sh/hook-weight"])
        # So is the NetworkPolicy that lets it reach its database under the default deny.
        policy = rendered.get("NetworkPolicy", f"{RELEASE}-{service}-migrate")
        assert int(_annotations(policy)["helm.sh/hook-weight"]) < int(
            annotations["helm.sh/hook-weight"]
        )
        assert policy["spec"]["podSelector"]["matchLabels"]["kravflyt.no/role"] == "migrate"
        assert job["spec"]["template"]["metadata"]["labels"]["kravflyt.no/role"] == "migrate"


def _daily_runs(rendered: Rendered) -> list[dict[str, Any]]:
    return [
        c
        for c in rendered.kind("CronJob")
        if c["metadata"]["labels"]["kravflyt.no/role"] == "daily-run"
    ]


def _cron_container(cronjob: dict[str, Any]) -> dict[str, Any]:
    (container,) = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return container


def test_the_daily_run_is_a_cronjob_in_oslo_time(default_render):
    (cronjob,) = _daily_runs(default_render)

    assert cronjob["metadata"]["name"] == f"{RELEASE}-dunning-daily-run"
    assert cronjob["spec"]["schedule"] == "30 5 * * *"
    assert cronjob["spec"]["timeZone"] == "Europe/Oslo"
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    job = cronjob["spec"]["jobTemplate"]["spec"]
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    # One shard: no --shard.
    assert _cron_container(cronjob)["args"] == ["dunning", "run"]
    assert "completionMode" not in job


def test_the_daily_run_shards_as_an_indexed_job(production_render):
    (cronjob,) = _daily_runs(production_render)

    job = cronjob["spec"]["jobTemplate"]["spec"]
    assert job["completionMode"] == "Indexed"
    assert job["completions"] == 4
    assert job["parallelism"] == 2
    assert job["backoffLimitPerIndex"] == 2
    container = _cron_container(cronjob)
    assert container["args"] == ["dunning", "run", "--shard", "$(JOB_COMPLETION_INDEX)/4"]
    index = _env(container)["JOB_COMPLETION_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"]
    assert index == "metadata.annotations['batch.kubernetes.io/job-completion-index']"


def test_the_daily_run_shards_as_one_cronjob_per_shard():
    values = {
        "services": {"dunning": {"cronJobs": {"daily-run": {"shards": 3, "shardMode": "perShard"}}}}
    }

    cronjobs = sorted(_daily_runs(render(values)), key=lambda c: c["metadata"]["name"])

    assert [c["metadata"]["name"] for c in cronjobs] == [
        f"{RELEASE}-dunning-daily-run-{i}" for i in range(3)
    ]
    assert [_cron_container(c)["args"] for c in cronjobs] == [
        ["dunning", "run", "--shard", f"{i}/3"] for i in range(3)
    ]
    assert all(len(c["metadata"]["name"]) <= 52 for c in cronjobs)
    assert {c["spec"]["schedule"] for c in cronjobs} == {"30 5 * * *"}


def test_cron_jobs_get_the_service_settings_and_identity(default_render):
    for cronjob in default_render.kind("CronJob"):
        service = cronjob["metadata"]["labels"]["app.kubernetes.io/component"]
        pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == f"{RELEASE}-{service}"
        container = pod["containers"][0]
        assert f"KRAVFLYT_{service.upper()}_DATABASE_URL" in _env(container)
        assert {"configMapRef": {"name": f"{RELEASE}-{service}"}} in container["envFrom"]


def test_every_service_and_the_daily_run_read_the_one_rates_file():
    rendered = render({"rates": {"configMap": "office-rates", "key": "rates.toml"}})

    shared = rendered.get("ConfigMap", RELEASE)["data"]
    assert shared["KRAVFLYT_RATES_FILE"] == "/etc/kravflyt/rates/rates.toml"
    for name, pod in rendered.pod_specs():
        if name.startswith("Job/"):
            continue  # migrations and topics: hooks that compute nothing
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert volumes["rates"]["configMap"]["name"] == "office-rates", name
        for container in pod["containers"]:
            mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
            assert mounts["rates"] == "/etc/kravflyt/rates", name
            assert {"configMapRef": {"name": RELEASE}} in container["envFrom"], name
    assert "KRAVFLYT_RATES_FILE" not in render().get("ConfigMap", RELEASE)["data"]


# --- network ----------------------------------------------------------------------------------


def _ports(rule: dict[str, Any]) -> set[tuple[Any, str]]:
    return {(p["port"], p.get("protocol", "TCP")) for p in rule.get("ports", [])}


def test_a_default_deny_policy_covers_every_pod_of_the_release(default_render):
    deny = default_render.get("NetworkPolicy", f"{RELEASE}-default-deny")

    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny["spec"] and "egress" not in deny["spec"]
    selector = deny["spec"]["podSelector"]["matchLabels"]
    for name, _ in default_render.pod_specs():
        kind, _, obj = name.partition("/")
        doc = default_render.get(kind, obj)
        template = (
            doc["spec"]["jobTemplate"]["spec"]["template"]
            if kind == "CronJob"
            else doc["spec"]["template"]
        )
        assert selector.items() <= template["metadata"]["labels"].items(), name


@pytest.mark.parametrize("values_name", RENDERS)
def test_every_service_has_a_network_policy_that_opens_only_what_it_needs(values_name):
    rendered = RENDERS[values_name]()
    values = production_values() if values_name == "production" else {}
    services = effective_services(values)

    for service in SERVICES:
        policy = rendered.get("NetworkPolicy", f"{RELEASE}-{service}")
        spec = policy["spec"]
        assert spec["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == service
        assert spec["policyTypes"] == ["Ingress", "Egress"]
        callees = services[service]["calls"]
        allowed = {
            (53, "UDP"),
            (53, "TCP"),
            (5432, "TCP"),
            (9092, "TCP"),
            (9096, "TCP"),
            (4318, "TCP"),
        }
        allowed |= {(services[c]["port"], "TCP") for c in callees}
        if services[service]["egress"] or values.get("networkPolicy", {}).get("extraEgress"):
            allowed.add((443, "TCP"))
        for rule in spec["egress"]:
            assert rule.get("to"), f"{service}: an egress rule without peers allows every address"
            assert _ports(rule) and _ports(rule) <= allowed, f"{service}: {rule}"
        # Its database port, DNS, the bus.
        egress_ports = set().union(*(_ports(r) for r in spec["egress"]))
        assert {(53, "UDP"), (5432, "TCP")} <= egress_ports
        for rule in spec["ingress"]:
            assert rule.get("from"), f"{service}: an ingress rule without peers admits everyone"


@pytest.mark.parametrize("values_name", RENDERS)
def test_the_ingress_controller_reaches_only_minside_the_municipal_api_and_vipps_webhooks(
    values_name,
):
    rendered = RENDERS[values_name]()

    def from_ingress_controller(service: str) -> list[dict[str, Any]]:
        spec = rendered.get("NetworkPolicy", f"{RELEASE}-{service}")["spec"]
        return [
            rule
            for rule in spec["ingress"]
            if any(
                peer.get("namespaceSelector", {})
                .get("matchLabels", {})
                .get("kubernetes.io/metadata.name")
                == "ingress-nginx"
                for peer in rule["from"]
            )
        ]

    def routes(service: str) -> list[tuple[str, str]]:
        ingress = rendered.get("Ingress", f"{RELEASE}-{service}")
        return [
            (p["path"], p["pathType"]) for r in ingress["spec"]["rules"] for p in r["http"]["paths"]
        ]

    reachable = {s for s in SERVICES if from_ingress_controller(s)}
    assert reachable == {"intake", "minside", "payments"}
    assert {i["metadata"]["name"] for i in rendered.kind("Ingress")} == {
        f"{RELEASE}-{s}" for s in reachable
    }
    assert routes("intake") == [("/v1", "Prefix")], "health, metrics and docs stay inside"
    # Of payments only Vipps' webhook path, exactly: no /v1 prefix, no /metrics, no /health.
    assert routes("payments") == [("/v1/vipps/webhooks", "Exact")]
    (rule,) = from_ingress_controller("payments")
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
    deployment = rendered.get("Deployment", f"{RELEASE}-payments")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    config = rendered.get("ConfigMap", f"{RELEASE}-payments")["data"]
    assert config["KRAVFLYT_PAYMENTS_METRICS_PORT"] == str(ports["metrics"]) != str(ports["http"])


def test_payments_is_closed_to_the_ingress_controller_when_its_ingress_is_off():
    rendered = render({"services": {"payments": {"ingress": {"enabled": False}}}})

    spec = rendered.get("NetworkPolicy", f"{RELEASE}-payments")["spec"]
    assert f"{RELEASE}-payments" not in {i["metadata"]["name"] for i in rendered.kind("Ingress")}
    assert not any(
        peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
        == "ingress-nginx"
        for rule in spec["ingress"]
        for peer in rule["from"]
    )


def test_callers_reach_their_callees_and_nobody_else_does(default_render):
    minside = default_render.get("NetworkPolicy", f"{RELEASE}-minside")["spec"]
    payments = default_render.get("NetworkPolicy", f"{RELEASE}-payments")["spec"]
    dunning = default_render.get("NetworkPolicy", f"{RELEASE}-dunning")["spec"]

    def peers_with_component(rules: list[dict[str, Any]], key: str, component: str) -> bool:
        return any(
            peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component")
            == component
            for rule in rules
            for peer in rule[key]
        )

    assert peers_with_component(minside["egress"], "to", "payments")
    assert peers_with_component(payments["ingress"], "from", "minside")
    assert not peers_with_component(dunning["ingress"], "from", "minside")
    # The caseworkers' console reaches the staff APIs, not Min side.
    assert peers_with_component(dunning["ingress"], "from", "office")
    assert not peers_with_component(minside["ingress"], "from", "office")
    config = default_render.get("ConfigMap", f"{RELEASE}-minside")["data"]
    assert config["KRAVFLYT_MINSIDE_PAYMENTS_BASE_URL"] == f"http://{RELEASE}-payments:8004"


def test_notification_reaches_the_national_services_by_address(default_render):
    spec = default_render.get("NetworkPolicy", f"{RELEASE}-notification")["spec"]

    cidrs = {
        peer["ipBlock"]["cidr"]
        for rule in spec["egress"]
        for peer in rule["to"]
        if "ipBlock" in peer
    }
    expected = {
        r["to"][0]["ipBlock"]["cidr"]
        for r in default_values()["services"]["notification"]["egress"]
    }
    assert len(expected) >= 3 and expected <= cidrs


# --- scale and availability ---------------------------------------------------------------------


@pytest.mark.parametrize("values_name", RENDERS)
def test_every_deployment_has_a_disruption_budget(values_name):
    rendered = RENDERS[values_name]()

    budgets = {b["metadata"]["name"]: b for b in rendered.kind("PodDisruptionBudget")}
    for deployment in rendered.kind("Deployment"):
        budget = budgets[deployment["metadata"]["name"]]
        assert budget["spec"]["selector"] == deployment["spec"]["selector"]
        assert budget["spec"]["maxUnavailable"] == 1


def test_autoscaled_deployments_leave_replicas_to_the_autoscaler(production_render):
    autoscalers = {
        h["spec"]["scaleTargetRef"]["name"]: h
        for h in production_render.kind("HorizontalPodAutoscaler")
    }

    for deployment in production_render.kind("Deployment"):
        name = deployment["metadata"]["name"]
        assert name in autoscalers
        assert "replicas" not in deployment["spec"], name
        hpa = autoscalers[name]["spec"]
        assert 1 <= hpa["minReplicas"] <= hpa["maxReplicas"]


def test_roles_split_into_an_api_and_a_worker_deployment(production_render):
    api = production_render.get("Deployment", f"{RELEASE}-intake-api")
    worker = production_render.get("Deployment", f"{RELEASE}-intake-worker")
    service = production_render.get("Service", f"{RELEASE}-intake")

    api_container = api["spec"]["template"]["spec"]["containers"][0]
    assert api_container["args"][:4] == ["serve", "intake", "--role", "api"]
    assert worker["spec"]["template"]["spec"]["containers"][0]["args"][:4] == [
        "serve",
        "intake",
        "--role",
        "worker",
    ]
    assert _env(api_container)["KRAVFLYT_INTAKE_RELAY_ENABLED"]["value"] == "false"
    selector = service["spec"]["selector"]
    assert selector.items() <= api["spec"]["template"]["metadata"]["labels"].items()
    assert not selector.items() <= worker["spec"]["template"]["metadata"]["labels"].items()
    with pytest.raises(AssertionError):
        production_render.get("Deployment", f"{RELEASE}-intake")


def test_every_service_has_its_own_service_account_without_a_token(default_render):
    accounts = {a["metadata"]["name"]: a for a in default_render.kind("ServiceAccount")}

    for service in SERVICES:
        assert accounts[f"{RELEASE}-{service}"]["automountServiceAccountToken"] is False
        deployment = default_render.get("Deployment", f"{RELEASE}-{service}")
        assert (
            deployment["spec"]["template"]["spec"]["serviceAccountName"] == f"{RELEASE}-{service}"
        )


# --- values.schema.json -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"services": {"intake": {"database": {"existingSecret": None}}}},
        {"services": {"payments": {"database": {"existingSecret": ""}}}},
        {"services": {"dunning": {"database": None}}},
        {"services": {"office": {"enabled": True, "port": 8006}}},
    ],
    ids=["secret-removed", "secret-empty", "database-removed", "new-service-without-database"],
)
def test_the_schema_refuses_a_service_without_its_database_secret(values):
    with pytest.raises(helm_python.HelmError, match=r"database|existingSecret"):
        render(values)


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"personalData": {"existingSecret": None}}, "existingSecret"),
        ({"bus": {"url": "amqp://rabbit:5672"}}, "bus/url"),
        ({"services": {"intake": {"roles": ["all", "api"]}}}, "roles"),
        ({"services": {"intake": {"roles": ["api"]}}}, "roles"),
        ({"networkPolicy": {"database": {"to": []}}}, "database/to"),
    ],
    ids=[
        "personal-data-secret",
        "bus-url",
        "all-beside-api",
        "api-without-worker",
        "open-database-egress",
    ],
)
def test_the_schema_refuses_other_values_a_release_cannot_run_with(values, match):
    with pytest.raises(helm_python.HelmError, match=match):
        render(values)


def test_a_service_added_later_needs_only_a_values_entry():
    office = {
        "enabled": True,
        "port": 8006,
        "database": {"existingSecret": "kravflyt-office-database", "key": "url"},
        "personalData": True,
        "calls": ["intake", "dunning"],
    }

    rendered = render({"services": {"office": copy.deepcopy(office)}})

    for kind in (
        "Deployment",
        "Service",
        "ConfigMap",
        "ServiceAccount",
        "NetworkPolicy",
        "PodDisruptionBudget",
    ):
        rendered.get(kind, f"{RELEASE}-office")
    rendered.get("Job", f"{RELEASE}-office-migrate")
    for doc in rendered.docs:
        if doc["metadata"]["name"].startswith(f"{RELEASE}-office"):
            kubernetes_validate.validate(doc, KUBERNETES_VERSIONS[-1], strict=True)
    # The staff APIs admit it by its label, as NetworkPolicy `staffConsole` says.
    labels = rendered.get("Deployment", f"{RELEASE}-office")["spec"]["template"]["metadata"][
        "labels"
    ]
    staff = default_values()["networkPolicy"]["staffConsole"]["podSelector"]["matchLabels"]
    assert staff.items() <= labels.items()
    assert "kravflyt-office-database" in rendered.notes()


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod = spec["template"]["spec"]
    return [*pod.get("initContainers", []), *pod["containers"]]


@pytest.mark.parametrize("values_name", ["default", "production"])
def test_every_kravflyt_setting_the_chart_sets_is_one_a_service_reads(values_name):
    rendered = RENDERS[values_name]()
    variables = {k for cm in rendered.kind("ConfigMap") for k in (cm.get("data") or {})}
    for doc in [d for k in ("Deployment", "Job", "CronJob") for d in rendered.kind(k)]:
        variables |= {e["name"] for c in _containers(doc) for e in c.get("env", [])}
    assert unknown_settings(variables) == []
