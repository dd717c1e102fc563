"""A case flow as data: policy, steps, timing, fees and plan limits, parsed from YAML or JSON.

Parsing checks shape and types only; ``validation.validate`` checks the policy against the law.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from dunning.domain import kinds
from dunning.domain.errors import Violation, violation

DUE_DATE = "due_date"
PREVIOUS_DEADLINE = "previous_deadline"
PREVIOUS_STEP = "previous_step"
ANCHORS = frozenset({DUE_DATE, PREVIOUS_DEADLINE, PREVIOUS_STEP})
CHANNELS = frozenset({"digital", "print", "sms"})
LANGUAGES = frozenset({"nb", "nn", "en"})
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_KOMMUNENUMMER = re.compile(r"^[0-9]{4}$")


@dataclass(frozen=True)
class Timing:
    """When a step is due: ``days`` after the due date, the previous deadline or step."""

    days: int
    after: str


@dataclass(frozen=True)
class Fee:
    """``none``, a fraction of the inkassosats (from rules), or a fraction of the rettsgebyr."""

    basis: str = "none"
    fraction: Fraction | None = None
    legal_basis: str | None = None


@dataclass(frozen=True)
class Step:
    """One step of a flow."""

    key: str
    kind: str
    timing: Timing
    deadline_days: int | None
    fee: Fee
    channel: str
    min_amount_ore: int
    legal_basis: str
    text_keys: tuple[str, ...]
    enforcement: str | None = None


@dataclass(frozen=True)
class PlanLimits:
    """What an instalment plan may look like without a caseworker (policy values)."""

    min_monthly_ore: int = 50_000
    max_months: int = 24
    broken_plan_lookback_days: int = 365
    grace_days_after_missed: int = 14
    max_deferral_days: int = 30


@dataclass(frozen=True)
class Policy:
    """A versioned case flow for some claim types in some (or all) municipalities."""

    id: str
    version: int
    title: str
    track: str
    claim_types: frozenset[str]
    municipalities: frozenset[str] | None
    steps: tuple[Step, ...]
    applies_to_running: bool = False
    consolidate: bool = False
    language: str = "nb"
    plan_limits: PlanLimits = field(default_factory=PlanLimits)
    document: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def step_keys(self) -> list[str]:
        return [s.key for s in self.steps]

    def applies_to(self, claim_type: str, municipality: str) -> bool:
        """Whether the policy covers a claim of this type in this municipality."""
        in_scope = self.municipalities is None or municipality in self.municipalities
        return claim_type in self.claim_types and in_scope


class PolicyInvalid(Exception):
    """A policy refused, with every violation found."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(v.message for v in violations))
        self.violations = violations


def parse_policy(document: Mapping[str, Any]) -> Policy:
    """A policy document → :class:`Policy`; raises :class:`PolicyInvalid` on malformed data."""
    parser = _Parser()
    try:
        policy = parser.policy(document)
    except (TypeError, AttributeError):
        # A list or mapping where the parser compares a name or a number (hypothesis finds
        # these): malformed, like every other wrong value, never a crash of the API.
        raise PolicyInvalid(
            [violation("policy.malformed", detail="a value of the wrong kind")]
        ) from None
    if parser.violations or policy is None:
        raise PolicyInvalid(parser.violations or [violation("policy.malformed")])
    return policy


# Bounds that keep dates and amounts computable: ten years of days, a billion øre or months.
MAX_DAYS = 3650
MAX_NUMBER = 10**9


class _Parser:
    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def bad(self, detail: str, step: str | None = None) -> None:
        self.violations.append(violation("policy.malformed", step, detail))

    def policy(self, doc: Mapping[str, Any]) -> Policy | None:
        if not isinstance(doc, Mapping):
            self.bad("the policy is not a mapping")
            return None
        policy_id = doc.get("id")
        if not isinstance(policy_id, str) or not _ID.match(policy_id):
            self.bad("id is a lowercase slug (a-z, 0-9, -)")
        version = self.integer(doc, "version", minimum=1)
        track = doc.get("track")
        if track not in kinds.TRACKS:
            self.bad("track is private or public")
        applies = doc.get("applies_to")
        claim_types, municipalities = self.applies_to(
            applies if isinstance(applies, Mapping) else {}
        )
        language = doc.get("language", "nb")
        if language not in LANGUAGES:
            self.bad("language is nb, nn or en")
        raw_steps = doc.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            self.bad("steps is a non-empty list")
            raw_steps = []
        default_min = self.integer(doc, "min_amount_ore", default=0)
        steps = tuple(s for s in (self.step(raw, default_min) for raw in raw_steps) if s)
        keys = [s.key for s in steps]
        if len(set(keys)) != len(keys):
            self.bad("step keys are unique")
        if self.violations:
            return None
        return Policy(
            id=str(policy_id),
            version=version,
            title=str(doc.get("title", policy_id)),
            track=str(track),
            claim_types=claim_types,
            municipalities=municipalities,
            steps=steps,
            applies_to_running=self.boolean(doc, "applies_to_running"),
            consolidate=self.boolean(doc, "consolidate"),
            language=str(language),
            plan_limits=self.plan_limits(doc.get("plan_limits") or {}),
            document=dict(doc),
        )

    def applies_to(self, raw: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str] | None]:
        types = raw.get("claim_types")
        if not isinstance(types, list) or not types or not set(types) <= kinds.CLAIM_TYPES:
            self.bad(f"applies_to.claim_types lists known claim types: {sorted(kinds.CLAIM_TYPES)}")
            types = []
        where = raw.get("municipalities", "all")
        if where == "all":
            return frozenset(types), None
        if not isinstance(where, list) or not all(
            isinstance(m, str) and _KOMMUNENUMMER.match(m) for m in where
        ):
            self.bad('applies_to.municipalities is "all" or a list of kommunenummer strings')
            return frozenset(types), None
        return frozenset(types), frozenset(where)

    def step(self, raw: Any, default_min: int) -> Step | None:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("key"), str):
            self.bad("every step is a mapping with a key")
            return None
        key, kind = raw["key"], raw.get("kind")
        if kind not in kinds.STEP_KINDS:
            self.bad(f"kind is one of {sorted(kinds.STEP_KINDS)}", key)
            return None
        timing = self.timing(raw.get("when"), key)
        deadline = raw.get("deadline_days")
        if deadline is not None and (
            not isinstance(deadline, int) or not 0 <= deadline <= MAX_DAYS
        ):
            self.bad("deadline_days is a whole number of days", key)
        fee = self.fee(raw.get("fee", "none"), key)
        enforcement = raw.get("enforcement")
        if kind == kinds.OVERFORING and enforcement not in kinds.ENFORCEMENT_BASIS:
            self.bad(f"enforcement is one of {sorted(kinds.ENFORCEMENT_BASIS)}", key)
        legal_basis = raw.get("legal_basis") or self.default_basis(kind, enforcement)
        if not legal_basis:
            self.bad("legal_basis is required for this kind of step", key)
        channel = raw.get("channel", "sms" if kind == kinds.SMS else "digital")
        if channel not in CHANNELS:
            self.bad(f"channel is one of {sorted(CHANNELS)}", key)
        if timing is None or self.violations:
            return None
        return Step(
            key=key,
            kind=kind,
            timing=timing,
            deadline_days=deadline,
            fee=fee,
            channel=channel,
            min_amount_ore=self.integer(raw, "min_amount_ore", default=default_min),
            legal_basis=str(legal_basis),
            text_keys=tuple(raw.get("text_keys") or kinds.DEFAULT_TEXT_KEYS[kind]),
            enforcement=enforcement,
        )

    def default_basis(self, kind: str, enforcement: Any) -> str | None:
        if kind == kinds.OVERFORING:
            return kinds.ENFORCEMENT_BASIS.get(enforcement)
        return kinds.DEFAULT_LEGAL_BASIS.get(kind)

    def timing(self, raw: Any, key: str) -> Timing | None:
        if not isinstance(raw, Mapping) or raw.get("after") not in ANCHORS:
            self.bad(f"when is {{days: N, after: one of {sorted(ANCHORS)}}}", key)
            return None
        days = raw.get("days", 0)
        if not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
            self.bad("when.days is a whole number of days", key)
            return None
        return Timing(days, raw["after"])

    def fee(self, raw: Any, key: str) -> Fee:
        if raw in ("none", None):
            return Fee()
        if raw == "inkassosats":
            return Fee("inkassosats")
        if isinstance(raw, Mapping) and "rettsgebyr" in raw:
            try:
                fraction = Fraction(str(raw["rettsgebyr"]))
            except (ValueError, ZeroDivisionError):
                fraction = Fraction(-1)
            if fraction < 0 or fraction > 10:
                self.bad('fee.rettsgebyr is a fraction such as "3/10"', key)
            return Fee("rettsgebyr", fraction, raw.get("legal_basis"))
        self.bad('fee is "none", "inkassosats" or {rettsgebyr: "3/10", legal_basis: ...}', key)
        return Fee()

    def plan_limits(self, raw: Mapping[str, Any]) -> PlanLimits:
        defaults = PlanLimits()
        return PlanLimits(
            **{
                name: self.integer(raw, name, default=getattr(defaults, name))
                for name in PlanLimits.__dataclass_fields__
            }
        )

    def integer(
        self, raw: Mapping[str, Any], name: str, *, default: int = 0, minimum: int = 0
    ) -> int:
        value = raw.get(name, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not minimum <= value <= MAX_NUMBER
        ):
            self.bad(f"{name} is a whole number from {minimum} to {MAX_NUMBER}")
            return default
        return value

    def boolean(self, raw: Mapping[str, Any], name: str) -> bool:
        value = raw.get(name, False)
        if not isinstance(value, bool):
            self.bad(f"{name} is true or false")
        return bool(value)
