"""Small factories for dunning's tests: policy documents, claims and case facts."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import yaml

from dunning.domain.facts import CaseFacts, ClaimFacts

POLICIES = Path(__import__("dunning").__file__).with_name("policies")


def policy_document(name: str = "default-private", **overrides: Any) -> dict[str, Any]:
    """A packaged policy's document (a deep copy), with top-level fields overridden."""
    document = yaml.safe_load((POLICIES / f"{name}.yaml").read_text(encoding="utf-8"))
    return copy.deepcopy(document) | overrides


def with_step(document: dict[str, Any], key: str, **changes: Any) -> dict[str, Any]:
    """The document with one step's fields changed."""
    changed = copy.deepcopy(document)
    for step in changed["steps"]:
        if step["key"] == key:
            step.update(changes)
    return changed


def one_claim_case(
    due: date,
    *,
    claim_type: str = "barnehage",
    open_ore: int = 325_000,
    kid: str | None = "1234567890",
    claim_id: UUID | None = None,
) -> CaseFacts:
    """A case of one claim, no step taken yet."""
    claim = ClaimFacts(claim_id or uuid4(), claim_type, due, open_ore, date(2099, 1, 1), kid)
    return CaseFacts(uuid4(), (claim,))
