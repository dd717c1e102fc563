"""Helpers of the deployment tests: the services in the repository and chart rendering.

The chart is rendered offline with helm-python-sdk (Helm v4 embedded; no cluster, no binary).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "kravflyt"
PRODUCTION_VALUES = CHART / "values-production.yaml"
RELEASE = "kravflyt"
NAMESPACE = "kravflyt"
# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and a recent one.
KUBERNETES_VERSIONS = ("1.30.0", "1.35.0")


def repository_services() -> list[str]:
    """Every service under services/ (a folder with a pyproject.toml)."""
    return sorted(p.parent.name for p in (REPO / "services").glob("*/pyproject.toml"))


@dataclass(frozen=True)
class Rendered:
    """The manifests of one render, by template file and as parsed documents."""

    files: dict[str, str]
    docs: list[dict[str, Any]]

    def kind(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.docs if d["kind"] == kind]

    def get(self, kind: str, name: str) -> dict[str, Any]:
        found = [d for d in self.kind(kind) if d["metadata"]["name"] == name]
        assert found, f"no {kind} {name}; have {[d['metadata']['name'] for d in self.kind(kind)]}"
        return found[0]

    def notes(self) -> str:
        return next(v for k, v in self.files.items() if k.endswith("NOTES.txt"))

    def pod_specs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(object name, pod spec) of every Deployment, Job and CronJob."""
        for doc in self.docs:
            name = f"{doc['kind']}/{doc['metadata']['name']}"
            if doc["kind"] in ("Deployment", "Job"):
                yield name, doc["spec"]["template"]["spec"]
            elif doc["kind"] == "CronJob":
                yield name, doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]


@cache
def _chart() -> Any:
    import helm_python

    return helm_python.Chart.load(str(CHART))


@cache
def _render_cached(values_json: str) -> Rendered:
    files = _chart().render(json.loads(values_json), name=RELEASE, namespace=NAMESPACE)
    docs = []
    for path, text in files.items():
        if path.endswith("NOTES.txt"):
            continue
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return Rendered(files, docs)


def render(values: dict[str, Any] | None = None) -> Rendered:
    """Render the chart with `values` over values.yaml (cached; returns a fresh copy)."""
    rendered = _render_cached(json.dumps(values or {}, sort_keys=True))
    return Rendered(dict(rendered.files), copy.deepcopy(rendered.docs))


def production_values() -> dict[str, Any]:
    return yaml.safe_load(PRODUCTION_VALUES.read_text())


def default_values() -> dict[str, Any]:
    return yaml.safe_load((CHART / "values.yaml").read_text())


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Helm's merge of values: maps merge key by key, lists and scalars replace, None deletes."""
    merged = copy.deepcopy(base)
    for key, value in over.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def effective_services(values: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Each service's values as the chart sees them: `defaults` under the service's entry."""
    merged = deep_merge(default_values(), values or {})
    return {
        name: deep_merge(merged["defaults"], entry) for name, entry in merged["services"].items()
    }


def unknown_settings(variables: Iterable[str]) -> list[str]:
    """The ``KRAVFLYT_*`` names no service's settings read.

    ``KRAVFLYT_<SERVICE>_<FIELD>`` is that service's field, ``KRAVFLYT_<FIELD>`` any service's.
    A misspelt name is silently ignored and leaves the default in force: hence this check.
    """
    from runtime.service import discover_services

    definitions = discover_services()
    unknown = []
    for variable in sorted(v for v in set(variables) if v.startswith("KRAVFLYT_")):
        rest = variable.removeprefix("KRAVFLYT_").lower()
        owner = next((s for s in definitions if rest.startswith(s + "_")), None)
        field = rest.removeprefix(owner + "_") if owner else rest
        owners = [definitions[owner]] if owner else list(definitions.values())
        if not any(field in d.settings_class.model_fields for d in owners):
            unknown.append(variable)
    return unknown
