"""Where policies live: YAML files shipped in the package, and versions loaded through the API.

Packaged files are the office defaults, reviewed in the repository; the API stores later
versions in ``policy_version``. Both feed one :class:`Catalogue`; a stored version wins over a
packaged one with the same number (it is what running cases already follow).
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.ext.asyncio import AsyncConnection

from dunning import db
from dunning.domain.catalogue import Catalogue
from dunning.domain.errors import refuse, violation
from dunning.domain.policy import Policy, PolicyInvalid, parse_policy

PACKAGED = Path(__file__).with_name("policies")


def read_document(path: Path) -> dict[str, Any]:
    """One policy file as a mapping; :class:`PolicyInvalid` if it is not one."""
    return parse_document(path.read_text(encoding="utf-8"))


def parse_document(text: str) -> dict[str, Any]:
    """Policy YAML as a mapping; malformed YAML or anything else is ``policy.malformed``."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise PolicyInvalid([violation("policy.malformed", detail=f"not YAML{where}")]) from None
    if not isinstance(document, dict):
        raise PolicyInvalid(
            [violation("policy.malformed", detail="a policy file holds one mapping")]
        )
    return document


@functools.cache
def packaged_policies() -> tuple[Policy, ...]:
    """The office defaults shipped with the service (validated by the test suite)."""
    return tuple(parse_policy(read_document(p)) for p in sorted(PACKAGED.glob("*.yaml")))


@functools.lru_cache(maxsize=256)
def _parse_stored(policy_id: str, version: int, document: str) -> Policy:
    return parse_policy(yaml.safe_load(document))


async def load_catalogue(conn: AsyncConnection) -> Catalogue:
    """Every policy version: packaged, then stored."""
    rows = (await conn.execute(sa.select(db.policy_version))).all()
    stored = [
        _parse_stored(r.policy_id, r.version, yaml.safe_dump(r.document, sort_keys=True))
        for r in rows
    ]
    return Catalogue([*packaged_policies(), *stored])


async def store_policy(
    conn: AsyncConnection, policy: Policy, *, loaded_by: str, at: datetime
) -> None:
    """Store a new version; refused unless it is higher than every known version of its id."""
    catalogue = await load_catalogue(conn)
    known = [p.version for p in catalogue.versions(policy.id)]
    if known and policy.version <= max(known):
        raise refuse("policy.version_exists", f"latest is v{max(known)}")
    await conn.execute(
        sa.insert(db.policy_version).values(
            policy_id=policy.id,
            version=policy.version,
            document=dict(policy.document),
            loaded_by=loaded_by,
            loaded_at=at,
        )
    )
