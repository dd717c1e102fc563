"""Alembic environment of the intake service."""

from runtime.migrations import run_env

run_env()
