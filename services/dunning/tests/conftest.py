"""Fixtures for dunning's tests (integration fixtures live in integration/conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

# Test helpers live beside this file; importlib mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).parent))
