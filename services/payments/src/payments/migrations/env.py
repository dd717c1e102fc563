"""Alembic environment of the payments service."""

from runtime.migrations import run_env

run_env()
