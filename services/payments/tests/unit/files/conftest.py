"""The payment-file tests' helpers live beside this file; importlib mode does not add it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
