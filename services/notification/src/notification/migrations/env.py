"""Alembic environment of the notification service."""

from runtime.migrations import run_env

run_env()
