#!/usr/bin/env bash
# Prepare the virtual environment from the lock file: installs uv with pip if it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
elif python3 -m uv --version >/dev/null 2>&1; then
  UV=(python3 -m uv)
else
  echo "==> installing uv with pip" >&2
  python3 -m pip install --quiet --disable-pip-version-check uv >&2
  UV=(python3 -m uv)
fi
if [ ! -x .venv/bin/python ] || [ uv.lock -nt .venv/.kravflyt-synced ] || [ pyproject.toml -nt .venv/.kravflyt-synced ]; then
  echo "==> installing dependencies from uv.lock (uv sync --frozen)" >&2
  "${UV[@]}" sync --frozen >&2
  touch .venv/.kravflyt-synced
fi
