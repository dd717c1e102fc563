"""Egeninkasso fees (inkassoforskriften §§ 1-2, 1-3) and fees expressed in rettsgebyr.

A fee is a fraction of the inkassosats in force on the day the letter is sent: purring and
inkassovarsel 1/20, the creditor's own betalingsoppfordring 3/20 (fractions are dated data).
Per claim at most 2 purringer + 1 betalingsoppfordring, or 1 purring + 1 inkassovarsel +
1 betalingsoppfordring, and in that order (§ 1-3 speaks of *subsequent* letters): purring(s),
then inkassovarsel, then betalingsoppfordring. A letter that comes back to a step the claim has
already passed (a purring after an inkassovarsel, a second inkassovarsel) carries no fee. A
further fee only once the deadline of every earlier fee letter has passed. A due date on a
non-business day counts from the next business day (gjeldsbrevloven § 5), so a fee is never
earlier than the law allows.
"""

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from rules.calendar import roll_forward
from rules.dated import entry_on
from rules.errors import RuleError
from rules.rates import DEFAULT_RATES, Rates, rettsgebyr_on
from rules.rounding import round_half_up

TOO_EARLY = "fee.too_early"
LIMIT_REACHED = "fee.limit_reached"
OUT_OF_ORDER = "fee.out_of_order"
PREVIOUS_DEADLINE_NOT_PASSED = "fee.previous_deadline_not_passed"
NO_MISSED_DEADLINE = "fee.no_missed_deadline"
DEADLINE_TOO_SHORT = "fee.deadline_too_short"
NOT_CHARGEABLE = "fee.not_chargeable"
NO_DEADLINE = "step.no_deadline"
INVALID_FRACTION = "fee.invalid_fraction"


class StepKind(enum.StrEnum):
    """A step of a case flow that the law names."""

    PURRING = "purring"
    INKASSOVARSEL = "inkassovarsel"
    BETALINGSOPPFORDRING = "betalingsoppfordring"
    VARSEL_OM_TVANGSFULLBYRDELSE = "varsel_om_tvangsfullbyrdelse"
    FORELDELSE = "foreldelse"


class NoDeadline(RuleError):
    """A step that sets no payment deadline (a limitation warning is internal)."""


class InvalidFeeFraction(RuleError):
    """A negative fraction of the rettsgebyr."""


# The paragraph each step rests on. A purring has no paragraph of its own in inkassoloven;
# what the law regulates about it is its fee (inkassoforskriften § 1-2).
LEGAL_BASIS: Mapping[StepKind, str] = {
    StepKind.PURRING: "inkassoforskriften § 1-2",
    StepKind.INKASSOVARSEL: "inkassoloven § 9",
    StepKind.BETALINGSOPPFORDRING: "inkassoloven § 10",
    StepKind.VARSEL_OM_TVANGSFULLBYRDELSE: "tvangsfullbyrdelsesloven § 4-18",
    StepKind.FORELDELSE: "foreldelsesloven § 2",
}

FEE_LEGAL_BASIS: Mapping[StepKind, str] = {
    StepKind.PURRING: "inkassoforskriften § 1-2",
    StepKind.INKASSOVARSEL: "inkassoforskriften § 1-2",
    StepKind.BETALINGSOPPFORDRING: "inkassoforskriften § 1-3",
}

# Inkassoforskriften § 1-2 (a purring with a fee), inkassoloven §§ 9 and 10, and
# tvangsfullbyrdelsesloven § 4-18 (enforcement at the earliest 2 weeks after the varsel).
_MINIMUM_DEADLINE_DAYS: Mapping[StepKind, int] = {
    StepKind.PURRING: 14,
    StepKind.INKASSOVARSEL: 14,
    StepKind.BETALINGSOPPFORDRING: 14,
    StepKind.VARSEL_OM_TVANGSFULLBYRDELSE: 14,
}
_FEE_AFTER_DUE_DAYS = 14
_MISSED_DEADLINE_MIN_DAYS = 14
# The two sequences of fee letters per claim that §§ 1-2 and 1-3 list, in their order: the
# fee letters a claim has had must be a subsequence of one of them (I then B skips the purring;
# P then B skips the second purring or the varsel; I then P is no subsequence of either).
_ALLOWED_FEE_SEQUENCES = (
    (StepKind.PURRING, StepKind.PURRING, StepKind.BETALINGSOPPFORDRING),
    (StepKind.PURRING, StepKind.INKASSOVARSEL, StepKind.BETALINGSOPPFORDRING),
)
# The place of each fee letter in that order; a letter whose step the claim has passed (any
# earlier letter later in the order, or an earlier varsel or oppfordring of its own kind)
# repeats a step and carries no fee. Two purringer are the one repetition the regulation lists.
_ORDER: Mapping[StepKind, int] = {
    StepKind.PURRING: 0,
    StepKind.INKASSOVARSEL: 1,
    StepKind.BETALINGSOPPFORDRING: 2,
}
_REPEATABLE = frozenset({StepKind.PURRING})


@dataclass(frozen=True)
class FeeCharge:
    """An earlier letter on the claim: its kind, sending day and payment deadline (if any).

    `fee_charged=False` records a letter sent without a fee: its missed deadline still counts
    before a betalingsoppfordring and its place in the order still counts (a purring after a
    fee-free inkassovarsel is still after the varsel), but it never counts towards the limit.
    """

    kind: StepKind
    sent_date: date
    deadline_date: date | None
    fee_charged: bool = True


@dataclass(frozen=True)
class FeeDecision:
    """The fee a letter may carry (`amount_ore`), or a refusal with a reason code."""

    kind: StepKind
    amount_ore: int
    legal_basis: str
    refusal_code: str | None = None
    reason: str = ""
    # False when the inkassosats or fraction used is marked unverified in the rates file.
    figures_verified: bool = True

    @property
    def allowed(self) -> bool:
        return self.refusal_code is None


def minimum_deadline_days(kind: StepKind) -> int:
    """The shortest payment deadline, in days from sending, a step of `kind` may give."""
    if kind not in _MINIMUM_DEADLINE_DAYS:
        raise NoDeadline(NO_DEADLINE, f"A {kind} step sets no payment deadline.")
    return _MINIMUM_DEADLINE_DAYS[kind]


def fee_for(
    kind: StepKind,
    sent: date,
    due_date: date,
    previous: Sequence[FeeCharge],
    *,
    deadline_date: date | None = None,
    rates: Rates = DEFAULT_RATES,
) -> FeeDecision:
    """The fee a `kind` letter sent on `sent` may charge, given the claim's earlier letters.

    `deadline_date`, when given, is the letter's own payment deadline and must be at least
    14 days after sending for a fee.
    """
    if kind not in FEE_LEGAL_BASIS:
        return _refuse(kind, LEGAL_BASIS[kind], NOT_CHARGEABLE, "This step carries no fee.")
    refusal = _refusal(kind, sent, due_date, previous, deadline_date)
    if refusal is not None:
        return _refuse(kind, FEE_LEGAL_BASIS[kind], *refusal)
    return _charge(kind, sent, rates)


def rettsgebyr_fee(
    fraction: Fraction, sent: date, *, whole_kroner: bool = False, rates: Rates = DEFAULT_RATES
) -> int:
    """A fee of `fraction` × R in force on `sent`, in øre, e.g. 0.3 R for ending a place.

    Rounded half up to whole øre by default: the municipality's own fee regulation sets the
    fee, and rettsgebyrloven § 6a (round down to whole kroner) governs only the court's fees.
    `whole_kroner=True` applies § 6a for a regulation that adopts it; down, so never above.
    """
    if fraction < 0:
        raise InvalidFeeFraction(INVALID_FRACTION, "A fee cannot be a negative part of R.")
    exact = fraction * rettsgebyr_on(sent, rates=rates)
    return int(exact // 100) * 100 if whole_kroner else round_half_up(exact)


def _refusal(
    kind: StepKind,
    sent: date,
    due_date: date,
    previous: Sequence[FeeCharge],
    deadline_date: date | None,
) -> tuple[str, str] | None:
    charged = [letter for letter in previous if letter.fee_charged]
    if deadline_date is not None and deadline_date < sent + _days(minimum_deadline_days(kind)):
        return DEADLINE_TOO_SHORT, "A letter with a fee gives at least 14 days to pay."
    if kind is not StepKind.BETALINGSOPPFORDRING and sent < _earliest_fee_day(due_date):
        return TOO_EARLY, "A fee may be charged only 14 days or more after the due date."
    if not _within_limit(kind, charged):
        return LIMIT_REACHED, "The claim already carries the most fees the law allows."
    if not _in_order(kind, previous):
        return OUT_OF_ORDER, (
            "The claim has passed this step already: a later fee letter follows the order "
            "purring, inkassovarsel, betalingsoppfordring (inkassoforskriften § 1-3)."
        )
    if any(letter.deadline_date is None or letter.deadline_date >= sent for letter in charged):
        return PREVIOUS_DEADLINE_NOT_PASSED, "An earlier fee letter's deadline has not passed."
    if kind is StepKind.BETALINGSOPPFORDRING and not _missed_deadline(previous, sent):
        return NO_MISSED_DEADLINE, "A betalingsoppfordring follows a missed 14-day deadline."
    return None


def _earliest_fee_day(due_date: date) -> date:
    return roll_forward(due_date) + _days(_FEE_AFTER_DUE_DAYS)


def _within_limit(kind: StepKind, charged: Sequence[FeeCharge]) -> bool:
    """Whether the number of fee letters of each kind, with `kind`, fits a listed sequence."""
    letters = [letter.kind for letter in charged]
    letters.append(kind)
    return any(
        all(letters.count(k) <= allowed.count(k) for k in set(letters))
        for allowed in _ALLOWED_FEE_SEQUENCES
    )


def _in_order(kind: StepKind, previous: Sequence[FeeCharge]) -> bool:
    """Whether a `kind` fee comes in the regulation's order after the claim's letters.

    The fee letters so far, then `kind`, must be a subsequence of a listed sequence, and no
    earlier letter (with or without a fee) may have passed `kind`'s step.
    """
    if not previous:
        return True  # every listed sequence starts with any one fee letter
    letters = sorted(previous, key=lambda letter: letter.sent_date)
    charged = [letter.kind for letter in letters if letter.fee_charged]
    listed = any(_is_subsequence([*charged, kind], seq) for seq in _ALLOWED_FEE_SEQUENCES)
    place = _ORDER[kind]
    passed = any(
        _ORDER[letter.kind] > place or (letter.kind is kind and kind not in _REPEATABLE)
        for letter in letters
        if letter.kind in _ORDER
    )
    return listed and not passed


def _is_subsequence(letters: Sequence[StepKind], allowed: Sequence[StepKind]) -> bool:
    remaining = iter(allowed)
    return all(any(kind is step for step in remaining) for kind in letters)


def _missed_deadline(previous: Sequence[FeeCharge], sent: date) -> bool:
    # Inkassoloven § 10 and inkassoforskriften § 1-3: only after a deadline of at least
    # 14 days from sending has run out unpaid.
    return any(
        letter.deadline_date is not None
        and letter.deadline_date >= letter.sent_date + _days(_MISSED_DEADLINE_MIN_DAYS)
        and letter.deadline_date < sent
        for letter in previous
    )


def _charge(kind: StepKind, sent: date, rates: Rates) -> FeeDecision:
    sats = entry_on(rates.inkassosats, sent)
    fraction = entry_on(rates.fee_fractions[kind], sent)
    return FeeDecision(
        kind=kind,
        amount_ore=round_half_up(fraction.value * sats.value),
        legal_basis=FEE_LEGAL_BASIS[kind],
        figures_verified=sats.verified and fraction.verified,
    )


def _refuse(kind: StepKind, legal_basis: str, code: str, reason: str) -> FeeDecision:
    return FeeDecision(kind, 0, legal_basis, refusal_code=code, reason=reason)


def _days(n: int) -> timedelta:
    return timedelta(days=n)
