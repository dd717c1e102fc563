"""The office's municipalities, loaded from a YAML file (and the demo office for make run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from intake import db
from intake.domain.claims import CLAIM_TYPES, Municipality
from rules.municipalities import DEFAULT_REGISTER, Register
from runtime.db import create_engine

DEMO_OFFICE = Path(__file__).with_name("demo_office.yaml")


def read_office(path: Path, register: Register) -> list[Municipality]:
    """Municipalities from an office file; refuses unknown claim types.

    Name and orgnr come from the register of municipalities where the file leaves them out;
    an orgnr the file gives must agree with the register's.
    """
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for entry in data["municipalities"]:
        number = str(entry["kommunenummer"]).zfill(4)
        types = frozenset(entry.get("claim_types") or CLAIM_TYPES)
        unknown = types - CLAIM_TYPES
        if unknown:
            raise ValueError(f"{number}: unknown claim types {sorted(unknown)}")
        name, orgnr = _identity(number, entry, register)
        served = entry.get("served", True)
        found.append(Municipality(number, name, orgnr, types, served))
    return found


def _identity(number: str, entry: dict[str, Any], register: Register) -> tuple[str, str]:
    known = register.municipalities.get(number)
    name = entry.get("name") or (f"{known.name} kommune" if known else "")
    orgnr = str(entry.get("orgnr") or (known and known.orgnr) or "")
    if not name or not orgnr:
        raise ValueError(f"{number}: give name and orgnr (the register has none)")
    if known and known.orgnr and known.orgnr != orgnr:
        raise ValueError(f"{number}: the orgnr differs from the register's")
    return name, orgnr


async def load_office(
    database_url: str, path: Path, register: Register = DEFAULT_REGISTER
) -> list[Municipality]:
    """Add or update the office's municipalities in intake's database."""
    municipalities = read_office(path, register)
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            for municipality in municipalities:
                await db.upsert_municipality(conn, municipality)
    finally:
        await engine.dispose()
    return municipalities
