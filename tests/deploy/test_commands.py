"""The commands the chart, docker compose and the runbook run exist in the `kravflyt` CLI.

Each command line is parsed by the real command (click's parser, nothing runs), so a renamed
option or subcommand breaks this test rather than a production CronJob.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pytest
import typer
import yaml
from deploy_helpers import REPO, production_values, render

from runtime.cli import app as runtime_app


def _service_commands(name: str) -> Any:
    found = [e for e in entry_points(group="kravflyt.services") if e.name == name]
    if not found:
        pytest.skip(f"service {name} registers no entry point yet")
    definition = found[0].load()
    if definition.commands is None:
        pytest.skip(f"service {name} has no commands yet")
    return definition.commands


def parse(argv: list[str]) -> Any:
    """Parse `kravflyt <argv>` down to the leaf command; raises a UsageError on a bad line."""
    root = typer.Typer()
    root.registered_commands = list(runtime_app.registered_commands)
    root.registered_groups = list(runtime_app.registered_groups)
    runtime_names = {c.name or c.callback.__name__ for c in runtime_app.registered_commands}
    runtime_names |= {g.name for g in runtime_app.registered_groups}
    if argv[0] not in runtime_names:
        root.add_typer(_service_commands(argv[0]), name=argv[0])
    # typer bundles its own click: groups are recognised by what they do, and the pending
    # subcommand sits in `_protected_args` (click 8.2 made `protected_args` private).
    command = typer.main.get_command(root)
    context = command.make_context("kravflyt", list(argv))
    while hasattr(command, "resolve_command"):
        pending = [*getattr(context, "_protected_args", []), *context.args]
        name, command, rest = command.resolve_command(context, pending)
        context = command.make_context(name, rest, parent=context)
    return context


def _container_args(doc: dict[str, Any]) -> list[str]:
    if doc["kind"] == "CronJob":
        pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    else:
        pod = doc["spec"]["template"]["spec"]
    return pod["containers"][0].get("args", [])


def _chart_command_lines() -> list[list[str]]:
    lines = []
    for values in ({}, production_values()):
        for doc in render(values).docs:
            if doc["kind"] in ("Deployment", "Job", "CronJob"):
                args = _container_args(doc)
                if args and not args[0].startswith("--"):
                    lines.append([a.replace("$(JOB_COMPLETION_INDEX)", "0") for a in args])
    return lines


def _compose_command_lines() -> list[list[str]]:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return [
        s["command"]
        for s in compose["services"].values()
        if s.get("image") == "kravflyt:local" and s.get("command") and "entrypoint" not in s
    ]


COMMAND_LINES = sorted({tuple(line) for line in _chart_command_lines() + _compose_command_lines()})


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=[" ".join(c) for c in COMMAND_LINES])
def test_every_command_line_of_the_chart_and_compose_parses(argv):
    context = parse(list(argv))

    assert context.command.name


@pytest.mark.parametrize(
    "argv",
    [
        ["outbox", "backlog", "intake"],
        ["deadletters", "list"],
        ["deadletters", "replay", "0d489275-4507-48b7-b09f-45ef7b94b7e2"],
        ["migrate", "intake"],
        ["serve", "intake", "--role", "worker"],
        ["dunning", "run", "--shard", "2/4"],
        [
            "dunning",
            "catch-up",
            "--since",
            "2026-11-24",
            "--reason",
            "Jobben feilet",
            "--by",
            "ola",
            "--shard",
            "2/4",
        ],
        ["payments", "reconcile"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_the_runbook_commands_parse(argv):
    assert parse(argv).command.name


def test_a_wrong_command_line_is_refused():
    with pytest.raises(Exception) as refused:  # typer's own click.UsageError
        parse(["serve", "intake", "--rol", "api"])

    assert "UsageError" in {c.__name__ for c in type(refused.value).__mro__}


def test_the_chart_numbers_shards_as_the_daily_run_does():
    shards = pytest.importorskip("dunning.shards")
    values = {
        "services": {"dunning": {"cronJobs": {"daily-run": {"shards": 3, "shardMode": "perShard"}}}}
    }

    args = [
        _container_args(d)
        for d in render(values).kind("CronJob")
        if "dunning" in _container_args(d)
    ]

    assert sorted(shards.parse_shard(a[a.index("--shard") + 1]) for a in args) == [
        (0, 3),
        (1, 3),
        (2, 3),
    ]
