"""Fixtures for notification's tests: keys, the fakes over HTTP, a migrated database, the app."""

from __future__ import annotations

import sys
from pathlib import Path

# Test helpers live beside this file; importlib mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).parent))

from fakes_fixture import fakes  # fixtures are found by name
from notification_fixtures import (
    notification,
    notification_db,
    personal_keys,
    provider_keys,
)

__all__ = ["fakes", "notification", "notification_db", "personal_keys", "provider_keys"]
