# syntax=docker/dockerfile:1.7
#
# One image for every Kravflyt service; the command chooses what runs:
#
#   docker run IMAGE serve intake               # HTTP + subscribers + outbox relay (the default)
#   docker run IMAGE serve intake --role worker # subscribers and relay only
#   docker run IMAGE migrate dunning            # a service's database migrations
#   docker run IMAGE dunning run --shard 0/4    # one shard of the daily run
#
# Stages: `builder` installs the locked dependencies and Kravflyt's packages into /app/.venv
# with uv; `runtime` (the default, last) copies only that virtual environment onto a clean slim
# Python, runs as uid 10001 and writes nothing outside /tmp, so it runs with a read-only root
# filesystem. `fakes` is the same image plus the development dependencies and the fake national
# services (`python -m fakes <name>`), for docker compose and tests only; never deploy it.
#
# The base is pinned by tag; CI pins it by digest too:
#   docker build --build-arg PYTHON_IMAGE=python:3.11.13-slim-bookworm@sha256:<digest> .
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# --- builder ------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

# The uv that wrote uv.lock.
RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /app

# Third-party dependencies first: this layer changes only when uv.lock does. --frozen installs
# exactly the lock file (it never re-resolves), so the workspace members' pyproject files are
# not needed yet.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace

# Then Kravflyt's own packages, as real wheels (--no-editable): the runtime stage gets the
# virtual environment only, not the sources. Migrations and data files travel in the wheels.
COPY libs ./libs
COPY services ./services
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

# The development group as well (the fake OIDC provider uses pytest-iam): fakes image only.
FROM builder AS builder-fakes
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-editable

# --- base of the images that run --------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS base

# A fixed numeric uid/gid so Kubernetes can check runAsNonRoot. /var/lib/kravflyt is the one
# directory it owns: docker compose mounts a named volume there (a new volume takes the
# directory's owner), for the local token issuer's keys.
RUN groupadd --system --gid 10001 kravflyt \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin kravflyt \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/kravflyt

# Bytecode is compiled at build time and never written at run time (read-only root);
# HOME and caches point at /tmp, the only writable path.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    KRAVFLYT_HTTP_HOST=0.0.0.0 \
    KRAVFLYT_LOCAL_DIR=/var/lib/kravflyt

WORKDIR /app

# No HEALTHCHECK here: the same image also runs one-shot commands (migrate, the daily run),
# and the port depends on the service. Kubernetes probes /health/live and /health/ready;
# docker-compose.yml declares a health check per service.

# --- fakes (docker compose and tests only) ----------------------------------------------------
FROM base AS fakes
COPY --from=builder-fakes /app/.venv /app/.venv
# `python -m fakes` finds the package in the working directory.
COPY fakes ./fakes
USER 10001:10001
ENTRYPOINT ["python", "-m", "fakes"]
CMD ["--help"]

# --- runtime (default target) -----------------------------------------------------------------
FROM base AS runtime

LABEL org.opencontainers.image.title="kravflyt" \
      org.opencontainers.image.description="Kravflyt services: serve, migrate and operator commands" \
      org.opencontainers.image.source="https://github.com/kravflyt/kravflyt"

# Owned by root and not writable by the service user.
COPY --from=builder /app/.venv /app/.venv
# Topic creation for docker compose and the Helm hook Job (deploy/scripts/kafka_topics.py).
COPY deploy/scripts/kafka_topics.py /opt/kravflyt/kafka_topics.py

USER 10001:10001
EXPOSE 8001 8002 8003 8004 8005
ENTRYPOINT ["kravflyt"]
CMD ["serve", "intake"]
