"""Snapshots of the HTTP contracts: ``python -m contracts.http.export`` writes them.

One ``schemas/http/<Model>.json`` per model of :data:`contracts.http.HTTP_MODELS`; the tests
compare them with the models, so a field changed on either side of a seam shows in review.
"""

import sys
from pathlib import Path

from contracts.export import default_schemas_dir, render
from contracts.http import HTTP_MODELS


def snapshot_files() -> dict[str, str]:
    """File name → text of every HTTP contract's JSON Schema."""
    return {f"{m.__name__}.json": render(m.model_json_schema()) for m in HTTP_MODELS}


def main(argv: list[str] | None = None) -> int:
    schemas = default_schemas_dir()
    if not argv and schemas is None:
        print("not in a checkout: name the directory to write to", file=sys.stderr)
        return 2
    directory = Path(argv[0]) if argv else Path(str(schemas)) / "http"
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in snapshot_files().items():
        (directory / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
