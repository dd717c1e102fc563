"""The layering rules of ARCHITECTURE.md and STYLE.md hold (import-linter, as in make lint)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_services_and_layers_import_only_what_the_architecture_allows(repo_root: Path):
    lint_imports = Path(sys.executable).parent / "lint-imports"

    result = subprocess.run(
        [str(lint_imports)], cwd=repo_root, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
