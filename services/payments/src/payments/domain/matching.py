"""Matching a payment to claims by KID, and ranking candidates for one that matched none.

A payment matches by the office's own KID first, then by the municipality's original KID.
Without a match it waits in the unmatched queue with suggestions: claims whose KID is one typo
away (one digit changed, dropped, added, or two neighbours swapped), claims whose open amount
equals the payment, and open claims of debtors who paid from the same account before.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

DIGITS = "0123456789"
MAX_CANDIDATES = 5


class Unmatched(enum.StrEnum):
    """Why a payment matched no open claim (the reasons of ``payments.unmatched.v1``)."""

    KID_MISSING = "kid_missing"
    KID_INVALID = "kid_invalid"
    KID_UNKNOWN = "kid_unknown"
    CLAIM_CLOSED = "claim_closed"


class Evidence(enum.StrEnum):
    """Why a claim is suggested for an unmatched payment."""

    KID_ONE_TYPO = "kid_one_typo"
    PAYER_ACCOUNT_SEEN = "payer_account_seen"
    SAME_AMOUNT = "same_open_amount"


# What a caseworker reads beside each suggestion: why the claim was suggested.
EXPLANATIONS = {
    Evidence.KID_ONE_TYPO: "The claim's KID differs from the payment's by one typo",
    Evidence.PAYER_ACCOUNT_SEEN: "The payer's account has paid this debtor's claims before",
    Evidence.SAME_AMOUNT: "The claim's open amount equals the payment",
}
# A KID one typo away says the most; the same bank account says who; the amount alone is weak.
WEIGHTS = {Evidence.KID_ONE_TYPO: 0.5, Evidence.PAYER_ACCOUNT_SEEN: 0.3, Evidence.SAME_AMOUNT: 0.2}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A claim the payment may belong to, with a score in (0, 1] and the reasons."""

    claim_id: UUID
    score: float
    reasons: tuple[Evidence, ...]


def unmatched_reason(
    kid: str | None, kid_valid: bool, found: int, open_found: int
) -> Unmatched | None:
    """Why a payment can't be allocated, or None when it has an open claim to go to."""
    if not kid:
        return Unmatched.KID_MISSING
    if not kid_valid:
        return Unmatched.KID_INVALID
    if not found:
        return Unmatched.KID_UNKNOWN
    return None if open_found else Unmatched.CLAIM_CLOSED


def one_typo_variants(kid: str) -> set[str]:
    """Every digit string one substitution, deletion, insertion or transposition away."""
    variants: set[str] = set()
    for i in range(len(kid) + 1):
        variants.update(kid[:i] + d + kid[i:] for d in DIGITS)
        if i < len(kid):
            variants.add(kid[:i] + kid[i + 1 :])
            variants.update(kid[:i] + d + kid[i + 1 :] for d in DIGITS)
        if i < len(kid) - 1:
            variants.add(kid[:i] + kid[i + 1] + kid[i] + kid[i + 2 :])
    variants.discard(kid)
    return {v for v in variants if v}


def is_one_typo(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one edit (Damerau, adjacent swaps)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i = diffs[0]
        return len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def rank_candidates(
    evidence: Iterable[tuple[UUID, Evidence]], limit: int = MAX_CANDIDATES
) -> list[Candidate]:
    """Candidates by summed evidence weight, best first (ties by claim id, for stability)."""
    found: dict[UUID, set[Evidence]] = {}
    for claim_id, why in evidence:
        found.setdefault(claim_id, set()).add(why)
    ranked = [
        Candidate(claim_id, round(sum(WEIGHTS[w] for w in whys), 3), _ordered(whys))
        for claim_id, whys in found.items()
    ]
    ranked.sort(key=lambda c: (-c.score, str(c.claim_id)))
    return ranked[:limit]


def _ordered(whys: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(sorted(whys, key=lambda w: -WEIGHTS[w]))


def kid_typo_evidence(
    kid: str | None, nearby: Sequence[tuple[UUID, str]]
) -> list[tuple[UUID, Evidence]]:
    """Claims whose KID (own or original) is one typo from the payment's."""
    if not kid:
        return []
    return [
        (claim_id, Evidence.KID_ONE_TYPO) for claim_id, other in nearby if is_one_typo(kid, other)
    ]
