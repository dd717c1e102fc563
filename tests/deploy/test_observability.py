"""Observability assets: the collector config, the Grafana dashboard and the alert rules.

Every metric they use is either exported by the runtime today (runtime.metrics) or listed in
deploy/README.md as needing runtime support, so a renamed metric cannot silently empty a panel.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
import yaml
from deploy_helpers import REPO, render, repository_services
from prometheus_client.metrics import Counter, Gauge, Histogram, MetricWrapperBase

from dunning import metrics as dunning_metrics
from runtime import metrics as runtime_metrics

DASHBOARD = REPO / "deploy" / "grafana" / "kravflyt-dashboard.json"
COLLECTOR = REPO / "deploy" / "otel-collector.yaml"
README = REPO / "deploy" / "README.md"
METRIC = re.compile(r"\bkravflyt_[a-z0-9_]+")


def exported_metrics() -> set[str]:
    """Sample names the runtime and the services expose on /metrics."""
    names: set[str] = set()
    exported = [*vars(runtime_metrics).values(), *vars(dunning_metrics).values()]
    for metric in exported:
        if not isinstance(metric, MetricWrapperBase):
            continue
        base = metric._name
        if isinstance(metric, Counter):
            names.add(base + "_total")
        elif isinstance(metric, Histogram):
            names |= {base + suffix for suffix in ("_bucket", "_sum", "_count")}
        elif isinstance(metric, Gauge):
            names.add(base)
    return names


def metrics_awaiting_runtime_support() -> set[str]:
    """Metrics the README's table marks as **needed**."""
    rows = [line for line in README.read_text().splitlines() if line.startswith("| `kravflyt_")]
    return {
        re.search(r"`(kravflyt_[a-z0-9_]+)`", row).group(1) for row in rows if "**needed**" in row
    }


def _known(name: str) -> bool:
    exported = exported_metrics()
    return name in exported or name in metrics_awaiting_runtime_support()


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def _queries(dashboard: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def test_the_runtime_exports_what_the_readme_says_it_does():
    rows = [line for line in README.read_text().splitlines() if line.startswith("| `kravflyt_")]
    exported = exported_metrics()

    for row in rows:
        name = re.search(r"`(kravflyt_[a-z0-9_]+)`", row).group(1)
        if "(exists)" in row:
            assert name in exported or name + "_bucket" in exported, name


def test_every_dashboard_metric_exists_or_is_listed_as_needed(dashboard):
    used = {m for q in _queries(dashboard) for m in METRIC.findall(q)}

    assert used
    assert {m for m in used if not _known(m)} == set()


def test_the_dashboard_covers_what_operators_watch(dashboard):
    queries = " ".join(_queries(dashboard))

    for needle in (
        "rate(kravflyt_http_requests_total",
        "histogram_quantile(0.95, sum by (le, service) "
        "(rate(kravflyt_http_request_duration_seconds_bucket",
        "kravflyt_consumer_pending_messages",
        "kravflyt_outbox_backlog",
        "kravflyt_outbox_oldest_age_seconds",
        "kravflyt_dead_letters_total",
        "kravflyt_dunning_run_duration_seconds",
        "kravflyt_dunning_run_steps",
    ):
        assert needle in queries


def test_the_dashboard_is_importable_anywhere(dashboard):
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert dashboard["uid"] and dashboard["title"]

    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    boxes = []
    for panel in panels:
        grid = panel["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24, panel["title"]
        boxes.append((panel["title"], grid))
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert panel["targets"] and all(t["expr"] for t in panel["targets"])
    for (a, ga), (b, gb) in itertools.combinations(boxes, 2):
        overlap_x = ga["x"] < gb["x"] + gb["w"] and gb["x"] < ga["x"] + ga["w"]
        overlap_y = ga["y"] < gb["y"] + gb["h"] and gb["y"] < ga["y"] + ga["h"]
        assert not (overlap_x and overlap_y), f"{a} overlaps {b}"


def test_alert_rules_use_known_metrics():
    rendered = render({"monitoring": {"prometheusRule": {"enabled": True}}})
    (rule,) = rendered.kind("PrometheusRule")

    alerts = rule["spec"]["groups"][0]["rules"]
    assert {"KravflytOutboxBacklogGrowing", "KravflytDeadLetters", "KravflytDailyRunMissing"} <= {
        a["alert"] for a in alerts
    }
    for alert in alerts:
        assert "deploy/README.md#" in alert["annotations"]["runbook"]
        for name in METRIC.findall(alert["expr"]):
            assert _known(name), f"{alert['alert']}: {name}"


def test_runbook_anchors_of_the_alerts_exist():
    rendered = render({"monitoring": {"prometheusRule": {"enabled": True}}})
    (rule,) = rendered.kind("PrometheusRule")
    headings = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in README.read_text().splitlines()
        if line.startswith("#")
    }

    for alert in rule["spec"]["groups"][0]["rules"]:
        for anchor in re.findall(r"#([a-z0-9-]+)", alert["annotations"]["runbook"]):
            assert anchor in headings, f"{alert['alert']}: #{anchor}"


def test_the_collector_pipelines_are_complete():
    config = yaml.safe_load(COLLECTOR.read_text())

    pipelines = config["service"]["pipelines"]
    assert {"traces", "metrics"} <= pipelines.keys()
    for name, pipeline in pipelines.items():
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                assert component in config[section], f"{name}: {component} is not defined"
    assert any(e.startswith("otlp") and "jaeger" in e for e in pipelines["traces"]["exporters"])
    assert "prometheus" in pipelines["metrics"]["exporters"]
    assert set(config["service"]["extensions"]) <= config["extensions"].keys()


def test_the_collector_scrapes_every_service_on_its_compose_port():
    config = yaml.safe_load(COLLECTOR.read_text())
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    (job,) = config["receivers"]["prometheus"]["config"]["scrape_configs"]
    targets = set(job["static_configs"][0]["targets"])

    for service in repository_services():
        command = compose["services"][service]["command"]
        assert f"{service}:{command[command.index('--port') + 1]}" in targets
