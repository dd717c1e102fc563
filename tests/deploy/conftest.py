"""Fixtures of the deployment tests (helpers in deploy_helpers.py beside this file)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Test helpers live beside this file; importlib mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).parent))

from deploy_helpers import Rendered, production_values, render


@pytest.fixture(scope="session")
def default_render() -> Rendered:
    return render()


@pytest.fixture(scope="session")
def production_render() -> Rendered:
    return render(production_values())
