"""Alembic environment of the dunning service."""

from runtime.migrations import run_env

run_env()
