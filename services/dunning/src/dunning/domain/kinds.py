"""Step kinds, legal tracks and the paragraph each step rests on.

The step names are the ones on the bus (``contracts.dunning.StepKind``); the four that the
law names map to ``rules.fees.StepKind`` for fees and minimum deadlines.
"""

from __future__ import annotations

from collections.abc import Mapping

from rules.fees import LEGAL_BASIS
from rules.fees import StepKind as RulesKind

PURRING = "purring"
INKASSOVARSEL = "inkassovarsel"
BETALINGSOPPFORDRING = "betalingsoppfordring"
VARSEL = "varsel_tvangsfullbyrdelse"
OPPSIGELSE = "oppsigelse"
SMS = "sms_paminnelse"
OVERFORING = "overforing_tvangsinnfordring"

LETTER_KINDS = frozenset({PURRING, INKASSOVARSEL, BETALINGSOPPFORDRING, VARSEL, OPPSIGELSE, SMS})
STEP_KINDS = LETTER_KINDS | {OVERFORING}

RULES_KINDS: Mapping[str, RulesKind] = {
    PURRING: RulesKind.PURRING,
    INKASSOVARSEL: RulesKind.INKASSOVARSEL,
    BETALINGSOPPFORDRING: RulesKind.BETALINGSOPPFORDRING,
    VARSEL: RulesKind.VARSEL_OM_TVANGSFULLBYRDELSE,
}
# Inkassoforskriften §§ 1-2, 1-3: these letters' fees are fractions of the inkassosats only.
INKASSOSATS_KINDS = frozenset({PURRING, INKASSOVARSEL, BETALINGSOPPFORDRING})
# Inkassoloven §§ 9, 10 and tvangsfullbyrdelsesloven § 4-18 always set a 14-day deadline.
DEADLINE_REQUIRED = frozenset({INKASSOVARSEL, BETALINGSOPPFORDRING, VARSEL})
# A municipal fee regulation may price these in rettsgebyr (e.g. 0.3 R to end a place).
RETTSGEBYR_KINDS = frozenset({OPPSIGELSE})

PRIVATE = "private"
PUBLIC = "public"
TRACKS = frozenset({PRIVATE, PUBLIC})
PRIVATE_LAW_TYPES = frozenset({"barnehage", "sfo", "kulturskole", "husleie", "helse_omsorg"})
# Public-law property claims: legal lien (panteloven § 6-1) and tvangsgrunnlag for utlegg.
PUBLIC_LAW_TYPES = frozenset({"eiendomsgebyr", "eiendomsskatt"})
CLAIM_TYPES = PRIVATE_LAW_TYPES | PUBLIC_LAW_TYPES | {"parkering", "annet"}

FORLIKSRAD = "forliksrad"
SAERNAMSMANN = "saernamsmann"
NAMSMANN = "namsmann"
ENFORCEMENT_BASIS: Mapping[str, str] = {
    FORLIKSRAD: "tvisteloven § 6-2 og tvangsfullbyrdelsesloven § 4-1",
    SAERNAMSMANN: "tvangsfullbyrdelsesloven §§ 4-18 og 7-2 bokstav e; panteloven § 6-1",
    NAMSMANN: "tvangsfullbyrdelsesloven § 7-2 bokstav e",
}
# Særnamsmann and the § 4-18 varsel need a tvangsgrunnlag in statute: public-law claims only.
PUBLIC_ONLY_ENFORCEMENT = frozenset({SAERNAMSMANN, NAMSMANN})

DEFAULT_LEGAL_BASIS: Mapping[str, str] = {
    PURRING: LEGAL_BASIS[RulesKind.PURRING],
    INKASSOVARSEL: LEGAL_BASIS[RulesKind.INKASSOVARSEL],
    BETALINGSOPPFORDRING: LEGAL_BASIS[RulesKind.BETALINGSOPPFORDRING],
    VARSEL: LEGAL_BASIS[RulesKind.VARSEL_OM_TVANGSFULLBYRDELSE],
    SMS: "ingen egen hjemmel (påminnelse uten gebyr)",
}

DEFAULT_TEXT_KEYS: Mapping[str, tuple[str, ...]] = {
    PURRING: ("purring", "innsigelse", "gjeldsradgivning"),
    INKASSOVARSEL: ("inkassoloven_9", "innsigelse", "gjeldsradgivning"),
    BETALINGSOPPFORDRING: (
        "inkassoloven_10",
        "renter_og_kostnader",
        "rettslige_skritt",
        "innsigelse",
        "gjeldsradgivning",
    ),
    VARSEL: ("tvangsfullbyrdelsesloven_4_18", "utlegg", "innsigelse", "gjeldsradgivning"),
    OPPSIGELSE: ("oppsigelse", "innsigelse", "gjeldsradgivning"),
    SMS: ("sms_paminnelse",),
    OVERFORING: (),
}

NAMES: Mapping[str, str] = {
    PURRING: "purring",
    INKASSOVARSEL: "inkassovarsel",
    BETALINGSOPPFORDRING: "betalingsoppfordring",
    VARSEL: "varsel om tvangsfullbyrdelse",
    OPPSIGELSE: "oppsigelse",
    SMS: "SMS-påminnelse",
    OVERFORING: "overføring til tvangsinnfordring",
}


def is_private_law(claim_type: str) -> bool:
    """Whether a claim of this type is private law (parkering and annet: per policy)."""
    return claim_type in PRIVATE_LAW_TYPES
