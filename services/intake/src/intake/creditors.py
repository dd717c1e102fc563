"""Which municipality collects a claim submitted under an old kommunenummer (the register).

A finance system may still send a number that has since merged or been renumbered
(Drammen 3005 became 3301 in 2024): the claim is registered under the successor that serves
the number today, the submitted number kept. A number split between successors (Snillfjord
5012 in 2020) needs the submitter to name which one. A municipality that has left the office
(a departure in the office's register file) gets no new claims from that day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from intake.domain.claims import ClaimDraft
from intake.domain.errors import ClaimProblem, problem
from rules.municipalities import (
    NotASuccessor,
    Register,
    SplitMunicipality,
    UnknownMunicipality,
)


def resolve_creditor(
    draft: ClaimDraft, register: Register, today: date
) -> ClaimDraft | list[ClaimProblem]:
    """The draft under the municipality serving its number today, or why it cannot be."""
    submitted = draft.municipality
    try:
        serving = register.creditor_on(submitted, today, draft.successor_municipality)
    except UnknownMunicipality:
        # Not in the register: the office's own list decides (claim.municipality_unknown).
        return draft
    except SplitMunicipality as split:
        return [problem("claim.municipality_split", split.message, "municipality")]
    except NotASuccessor as wrong:
        return [problem("claim.successor_invalid", wrong.message, "successor_municipality")]
    if register.has_left(serving, today):
        return [problem("claim.municipality_left", field="municipality")]
    if serving == submitted:
        return draft
    return replace(draft, municipality=serving, original_municipality=submitted)
