"""Export the event schemas and the AsyncAPI document, and check them against the snapshots.

`python -m contracts.export [--check] [--force] [DIR]` writes `<event type>.json` and
`asyncapi.json` into DIR (default: `libs/contracts/schemas` of this checkout). `--check` writes
nothing and exits 1 on a breaking change or a stale snapshot; without it a breaking change is
refused unless `--force` is given (publish a new `.vN` type instead).
"""

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from contracts.compat import breaking_changes_between
from contracts.envelope import Envelope
from contracts.registry import EVENTS

Events = Mapping[str, type[BaseModel]]
ASYNCAPI_FILE = "asyncapi.json"
DOCUMENT_VERSION = "1.0.0"
SUBJECT_PREFIX = "kravflyt."


def json_schemas(events: Events = EVENTS) -> dict[str, dict[str, Any]]:
    """Event type → JSON Schema of its whole `Envelope[Payload]`, keys sorted throughout."""
    return {
        event: _sorted(Envelope[model].model_json_schema())  # type: ignore[valid-type]
        for event, model in sorted(events.items())
    }


def asyncapi_document(events: Events = EVENTS) -> dict[str, Any]:
    """The AsyncAPI 3.0 document FastStream generates: one channel `kravflyt.<type>` per event."""
    broker = NatsBroker()
    for event, model in sorted(events.items()):
        broker.publisher(
            SUBJECT_PREFIX + event,
            title=event,
            description=model.__doc__,
            schema=Envelope[model],  # type: ignore[valid-type]
        )
    spec = AsyncAPI(broker, title="Kravflyt events", version=DOCUMENT_VERSION)
    document: dict[str, Any] = _sorted(spec.to_specification().to_jsonable())
    return document


def render(document: Mapping[str, Any]) -> str:
    """The snapshot file text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def snapshot_files(events: Events = EVENTS) -> dict[str, str]:
    """File name → text of every snapshot file."""
    files = {f"{event}.json": render(schema) for event, schema in json_schemas(events).items()}
    files[ASYNCAPI_FILE] = render(asyncapi_document(events))
    return files


def read_snapshots(directory: Path) -> dict[str, dict[str, Any]]:
    """Event type → committed JSON Schema."""
    return {
        path.name.removesuffix(".json"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
        if path.name != ASYNCAPI_FILE
    }


def check(directory: Path, events: Events = EVENTS) -> tuple[list[str], list[str]]:
    """(breaking changes, stale or missing snapshot files) of `events` against `directory`."""
    breaking = breaking_changes_between(read_snapshots(directory), json_schemas(events))
    stale = [
        name
        for name, text in snapshot_files(events).items()
        if not (directory / name).is_file() or (directory / name).read_text("utf-8") != text
    ]
    return breaking, stale


def write(directory: Path, events: Events = EVENTS) -> None:
    """Replace the snapshot files in `directory` with the current export."""
    directory.mkdir(parents=True, exist_ok=True)
    files = snapshot_files(events)
    for path in directory.glob("*.json"):
        if path.name not in files:
            path.unlink()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")


def default_schemas_dir() -> Path | None:
    """`libs/contracts/schemas` of the checkout this module lives in, if it lives in one."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "libs" / "contracts").is_dir():
            return parent / "libs" / "contracts" / "schemas"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    directory = args.directory or default_schemas_dir()
    if directory is None:
        print("cannot find libs/contracts/schemas; pass the directory", file=sys.stderr)
        return 2
    breaking, stale = check(directory)
    for problem in breaking:
        print(f"BREAKING {problem}", file=sys.stderr)
    if args.check:
        for name in stale:
            print(f"out of date: {directory / name}", file=sys.stderr)
        if stale and not breaking:
            print("compatible change: run `python -m contracts.export`", file=sys.stderr)
        return 1 if breaking or stale else 0
    if breaking and not args.force:
        print("refusing to overwrite: publish a new .vN event type instead", file=sys.stderr)
        return 1
    write(directory)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m contracts.export", description=__doc__)
    parser.add_argument("directory", nargs="?", type=Path, help="snapshot directory")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on change")
    parser.add_argument("--force", action="store_true", help="write even breaking changes")
    return parser


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


if __name__ == "__main__":
    raise SystemExit(main())
