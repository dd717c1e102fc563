"""Alembic environment of the minside service."""

from runtime.migrations import run_env

run_env()
