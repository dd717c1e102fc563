"""The office's municipalities, loaded from a YAML file (and the demo office for make run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from intake import db
from intake.domain.claims import CLAIM_TYPES, Municipality
from runtime.db import create_engine

DEMO_OFFICE = Path(__file__).with_name("demo_office.yaml")


def read_office(path: Path) -> list[Municipality]:
    """Municipalities from an office file; refuses unknown claim types."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for entry in data["municipalities"]:
        types = frozenset(entry.get("claim_types") or CLAIM_TYPES)
        unknown = types - CLAIM_TYPES
        if unknown:
            raise ValueError(f"{entry['kommunenummer']}: unknown claim types {sorted(unknown)}")
        found.append(
            Municipality(
                kommunenummer=str(entry["kommunenummer"]).zfill(4),
                name=entry["name"],
                orgnr=str(entry["orgnr"]),
                claim_types=types,
                served=entry.get("served", True),
            )
        )
    return found


async def load_office(database_url: str, path: Path) -> list[Municipality]:
    """Add or update the office's municipalities in intake's database."""
    municipalities = read_office(path)
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            for municipality in municipalities:
                await db.upsert_municipality(conn, municipality)
    finally:
        await engine.dispose()
    return municipalities
