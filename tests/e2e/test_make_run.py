"""``make run`` as a user meets it: real processes, the README's curl example, Ctrl-C, restart.

The README's fenced ``sh`` blocks marked ``<!-- e2e: first-claim -->`` are run with bash exactly
as written, only the port changed. The debtor's identity number (synthetic, but treated as
real) is never printed: assertions compare it without showing it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from runtime.embedded import free_port
from runtime.local_issuer import LocalIssuer
from runtime.localstack import DEMO_ORGNR, FAKE_PORTS, process_alive
from runtime.service import discover_services

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
KRAVFLYT = str(Path(sys.executable).parent / "kravflyt")
SUMMARY_END = "Ctrl-C stops everything."
README_PORT = "127.0.0.1:8001"


class Run:
    """``kravflyt run`` in its own process group, its output collected as it comes."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [KRAVFLYT, "run"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_summary(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while SUMMARY_END not in self.lines:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"kravflyt run did not come up:\n{self.output}")
            time.sleep(0.1)

    def ctrl_c(self, timeout: float = 15) -> int:
        """SIGINT to the process group, as a terminal sends it; the exit code."""
        os.killpg(self.process.pid, signal.SIGINT)
        code = self.process.wait(timeout)
        self._reader.join(5)
        return code


def readme_commands(port: int) -> tuple[str, str]:
    """The README's first-claim shell blocks (port replaced) and the debtor id they send."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- e2e: first-claim -->\n```sh\n(.*?)```", readme, re.DOTALL)
    assert len(blocks) == 3, "README: token, submit and read-back blocks are marked for e2e"
    assert all(README_PORT in b for b in blocks[1:]), "README: the curl examples use port 8001"
    script = "set -euo pipefail\n" + "".join(blocks).replace(README_PORT, f"127.0.0.1:{port}")
    debtor_ids = re.findall(r'"id": "([0-9]{11})"', blocks[1])
    assert len(debtor_ids) == 1, "README: the claim has one debtor identity number"
    return script, debtor_ids[0]


def stack_pids(directory: Path, run: Run) -> set[int]:
    """``kravflyt run``, its recorded children, the postmaster and the postmaster's children."""
    pids = {run.process.pid}
    pids |= {int(line.split()[1]) for line in (directory / "pids").read_text().splitlines()}
    postmaster = int((directory / "pg" / "postmaster.pid").read_text().split()[0])
    pids.add(postmaster)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rpartition(")")[2].split()[1]) == postmaster:
                pids.add(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def processes_mentioning(directory: Path) -> list[int]:
    """Live processes whose command line names ``directory``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(directory).encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return [pid for pid in found if process_alive(pid)]


@pytest.fixture
def start_run() -> Iterator[Callable[[dict[str, str]], Run]]:
    """Starts ``kravflyt run``; whatever still runs at the end gets Ctrl-C (or SIGKILL)."""
    runs: list[Run] = []

    def start(env: dict[str, str]) -> Run:
        runs.append(Run(env))
        return runs[-1]

    yield start
    for run in runs:
        if run.process.poll() is None:
            try:
                run.ctrl_c(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(run.process.pid, signal.SIGKILL)


def test_make_run_serves_the_readme_example_stops_on_ctrl_c_and_keeps_data(
    tmp_path: Path, start_run: Callable[[dict[str, str]], Run]
) -> None:
    directory = tmp_path / "kravflyt"
    ports = {f"KRAVFLYT_{name.upper()}_HTTP_PORT": str(free_port()) for name in discover_services()}
    port = int(ports["KRAVFLYT_INTAKE_HTTP_PORT"])
    fakes = {f"KRAVFLYT_FAKE_{name.upper()}_PORT": str(free_port()) for name in FAKE_PORTS}
    krr = f"http://127.0.0.1:{fakes['KRAVFLYT_FAKE_KRR_PORT']}"
    env = {
        **os.environ,
        **ports,
        **fakes,
        "KRAVFLYT_LOCAL_DIR": str(directory),
        "KRAVFLYT_NATS_PORT": str(free_port()),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }

    # 1. Start: progress, then a summary naming the port actually used.
    first = start_run(env)
    first.wait_for_summary()
    url = re.escape(f"http://127.0.0.1:{port}")
    assert re.search(rf"^  intake +{url} +API docs: {url}/docs$", first.output, re.MULTILINE)
    assert any("seeding the demo office in intake" in line for line in first.lines)
    seeded = (directory / "seeded").read_text()
    assert f"KRAVFLYT_LOCAL_DIR={directory}" in first.output  # the token hint fits this directory
    # The fake national services run too, so letters and Vipps work locally.
    assert re.search(rf"^  krr +{re.escape(krr)}$", first.output, re.MULTILINE)
    assert httpx.get(krr + "/_admin/health", timeout=5, trust_env=False).status_code == 200

    # 2. The README's token and curl commands, as written.
    script, debtor_id = readme_commands(port)
    done = subprocess.run(
        ["bash", "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"README commands failed:\n{done.stdout}\n{done.stderr}"
    answers = done.stdout.splitlines()
    assert answers.count("HTTP 201") == 1 and answers.count("HTTP 200") == 1, done.stdout
    claim = json.loads(answers[answers.index("HTTP 201") - 1])
    listed = json.loads(answers[answers.index("HTTP 200") - 1])
    assert claim["status"] == "open" and claim["municipality"] == "3301"
    assert [item["id"] for item in listed["items"]] == [claim["id"]]

    # 3. A second `make run` on the same directory says who runs, and changes nothing.
    second = subprocess.run(
        [KRAVFLYT, "run"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert second.returncode != 0
    message = f"Kravflyt is already running (pid {first.process.pid}) — stop it with Ctrl-C"
    assert message in second.stderr
    assert first.process.poll() is None

    # 4. Ctrl-C stops every process of the stack, within 15 s, with exit code 0.
    pids = stack_pids(directory, first)
    assert len(pids) >= 4  # kravflyt run, nats, intake, postmaster (+ its workers)
    assert first.ctrl_c(timeout=15) == 0, first.output
    assert first.lines[-1] == "Kravflyt stopped."
    deadline = time.monotonic() + 5  # postgres workers exit just after the postmaster answers
    while (alive := [p for p in pids if process_alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive == [], first.output
    assert processes_mentioning(directory) == []
    with pytest.raises(httpx.TransportError):
        httpx.get(krr + "/_admin/health", timeout=2, trust_env=False)

    # 5. A restart keeps the claim and does not seed again.
    restarted = start_run(env)
    restarted.wait_for_summary()
    assert not any("seeding" in line for line in restarted.lines)
    assert (directory / "seeded").read_text() == seeded
    token = LocalIssuer.load_or_create(directory / "issuer").issue_token(
        orgnr=DEMO_ORGNR, scopes=["kravflyt:claims.read"]
    )
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as client:
        again = client.get(
            f"/v1/claims/{claim['id']}", headers={"Authorization": f"Bearer {token}"}
        )
    assert again.status_code == 200
    assert again.json() == claim

    # 6. A service that dies is reported, and the stack shuts down with a non-zero exit code.
    intake_pid = next(
        int(line.split()[1])
        for line in (directory / "pids").read_text().splitlines()
        if line.startswith("intake ")
    )
    pids = stack_pids(directory, restarted)
    os.kill(intake_pid, signal.SIGKILL)
    assert restarted.process.wait(15) != 0
    restarted._reader.join(5)
    assert "intake stopped (killed by SIGKILL); the end of its log:" in restarted.output
    assert restarted.lines[-1] == "Kravflyt stopped after an error."
    deadline = time.monotonic() + 5
    while (alive := [p for p in pids if process_alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive == []

    # Nothing printed or logged the debtor's identity number.
    texts = {"kravflyt run": first.output + restarted.output, "curl": done.stdout + done.stderr}
    texts |= {log.name: log.read_text(errors="replace") for log in (directory / "logs").iterdir()}
    assert [name for name, text in texts.items() if debtor_id in text] == []
