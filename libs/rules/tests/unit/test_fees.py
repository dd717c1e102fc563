from datetime import date, timedelta
from fractions import Fraction

import pytest

from rules.fees import (
    LEGAL_BASIS,
    FeeCharge,
    InvalidFeeFraction,
    NoDeadline,
    StepKind,
    fee_for,
    minimum_deadline_days,
    rettsgebyr_fee,
)
from rules.rates import RateNotAvailable

DUE = date(2025, 3, 3)  # a Monday
FIRST_FEE_DAY = date(2025, 3, 17)  # 14 days after the due date
PURRING, VARSEL, OPPFORDRING = (
    StepKind.PURRING,
    StepKind.INKASSOVARSEL,
    StepKind.BETALINGSOPPFORDRING,
)


def letter(kind: StepKind, sent: date, days: int = 14, *, charged: bool = True) -> FeeCharge:
    return FeeCharge(kind, sent, sent + timedelta(days=days), fee_charged=charged)


def after(previous: FeeCharge) -> date:
    return previous.deadline_date + timedelta(days=1)


@pytest.mark.parametrize(("kind", "amount_ore"), [(PURRING, 3500), (VARSEL, 3500)])
def test_purring_and_inkassovarsel_cost_one_twentieth_of_700_kr(
    kind: StepKind, amount_ore: int
) -> None:
    decision = fee_for(kind, FIRST_FEE_DAY, DUE, [])

    assert decision.allowed
    assert decision.amount_ore == amount_ore
    assert decision.legal_basis == "inkassoforskriften § 1-2"
    assert decision.figures_verified


def test_betalingsoppfordring_costs_three_twentieths_of_700_kr() -> None:
    varsel = letter(VARSEL, FIRST_FEE_DAY)

    decision = fee_for(OPPFORDRING, after(varsel), DUE, [varsel])

    assert decision.amount_ore == 10500
    assert decision.legal_basis == "inkassoforskriften § 1-3"


def test_fees_in_2026_follow_the_unverified_750_kr_inkassosats() -> None:
    due = date(2026, 1, 5)
    purring = letter(PURRING, date(2026, 1, 19))

    first = fee_for(PURRING, purring.sent_date, due, [])
    oppfordring = fee_for(OPPFORDRING, after(purring), due, [purring])

    assert (first.amount_ore, oppfordring.amount_ore) == (3750, 11250)
    assert not first.figures_verified


def test_purring_fee_before_14_days_after_due_date_is_too_early() -> None:
    decision = fee_for(PURRING, FIRST_FEE_DAY - timedelta(days=1), DUE, [])

    assert not decision.allowed
    assert decision.amount_ore == 0
    assert decision.refusal_code == "fee.too_early"
    assert decision.legal_basis == "inkassoforskriften § 1-2"


def test_inkassovarsel_fee_before_14_days_after_due_date_is_too_early() -> None:
    decision = fee_for(VARSEL, DUE + timedelta(days=1), DUE, [])

    assert decision.refusal_code == "fee.too_early"


def test_due_date_on_a_saturday_counts_from_monday() -> None:
    saturday = date(2025, 3, 1)

    early = fee_for(PURRING, date(2025, 3, 15), saturday, [])
    on_time = fee_for(PURRING, FIRST_FEE_DAY, saturday, [])

    assert early.refusal_code == "fee.too_early"
    assert on_time.allowed


def test_letter_with_a_fee_giving_under_14_days_to_pay_is_refused() -> None:
    deadline = FIRST_FEE_DAY + timedelta(days=13)

    decision = fee_for(PURRING, FIRST_FEE_DAY, DUE, [], deadline_date=deadline)

    assert decision.refusal_code == "fee.deadline_too_short"


def test_second_fee_before_the_first_letters_deadline_has_passed_is_refused() -> None:
    purring = letter(PURRING, FIRST_FEE_DAY)

    on_deadline = fee_for(VARSEL, purring.deadline_date, DUE, [purring])
    day_after = fee_for(VARSEL, after(purring), DUE, [purring])

    assert on_deadline.refusal_code == "fee.previous_deadline_not_passed"
    assert day_after.allowed


def test_third_purring_fee_is_over_the_limit() -> None:
    first = letter(PURRING, FIRST_FEE_DAY)
    second = letter(PURRING, after(first))

    decision = fee_for(PURRING, after(second), DUE, [first, second])

    assert decision.refusal_code == "fee.limit_reached"


def test_inkassovarsel_fee_after_two_purring_fees_is_over_the_limit() -> None:
    first = letter(PURRING, FIRST_FEE_DAY)
    second = letter(PURRING, after(first))

    decision = fee_for(VARSEL, after(second), DUE, [first, second])

    assert decision.refusal_code == "fee.limit_reached"


def test_purring_fee_after_a_purring_and_an_inkassovarsel_is_over_the_limit() -> None:
    purring = letter(PURRING, FIRST_FEE_DAY)
    varsel = letter(VARSEL, after(purring))

    decision = fee_for(PURRING, after(varsel), DUE, [purring, varsel])

    assert decision.refusal_code == "fee.limit_reached"


def test_second_betalingsoppfordring_fee_is_over_the_limit() -> None:
    varsel = letter(VARSEL, FIRST_FEE_DAY)
    oppfordring = letter(OPPFORDRING, after(varsel))

    decision = fee_for(OPPFORDRING, after(oppfordring), DUE, [varsel, oppfordring])

    assert decision.refusal_code == "fee.limit_reached"


@pytest.mark.parametrize("kinds", [(PURRING, PURRING), (PURRING, VARSEL), (VARSEL,)])
def test_both_lawful_sequences_end_in_a_betalingsoppfordring_fee(
    kinds: tuple[StepKind, ...],
) -> None:
    previous: list[FeeCharge] = []
    for kind in kinds:
        sent = after(previous[-1]) if previous else FIRST_FEE_DAY
        assert fee_for(kind, sent, DUE, previous).allowed
        previous.append(letter(kind, sent))

    decision = fee_for(OPPFORDRING, after(previous[-1]), DUE, previous)

    assert decision.amount_ore == 10500


# Inkassoforskriften §§ 1-2, 1-3 in order: every sequence of up to four letters, each sent the
# day after the previous deadline, 14 days or more after the due date, each asking for its fee.
# The fee each letter may carry, in kroner (2025: inkassosats 700 kr; P, I 1/20, B 3/20).
# P = purring, I = inkassovarsel, B = betalingsoppfordring.
FEES_IN_ORDER = [
    ("P", "35"),
    ("I", "35"),
    ("B", "0"),
    ("PP", "35 35"),
    ("PI", "35 35"),
    ("PB", "35 105"),
    ("IP", "35 0"),
    ("II", "35 0"),
    ("IB", "35 105"),
    ("BP", "0 0"),
    ("BI", "0 0"),
    ("BB", "0 0"),
    ("PPP", "35 35 0"),
    ("PPI", "35 35 0"),
    ("PPB", "35 35 105"),
    ("PIP", "35 35 0"),
    ("PII", "35 35 0"),
    ("PIB", "35 35 105"),
    ("PBP", "35 105 0"),
    ("PBI", "35 105 0"),
    ("PBB", "35 105 0"),
    ("IPP", "35 0 0"),
    ("IPI", "35 0 0"),
    ("IPB", "35 0 105"),
    ("IIP", "35 0 0"),
    ("III", "35 0 0"),
    ("IIB", "35 0 105"),
    ("IBP", "35 105 0"),
    ("IBI", "35 105 0"),
    ("IBB", "35 105 0"),
    ("BPP", "0 0 0"),
    ("BPI", "0 0 0"),
    ("BPB", "0 0 0"),
    ("BIP", "0 0 0"),
    ("BII", "0 0 0"),
    ("BIB", "0 0 0"),
    ("BBP", "0 0 0"),
    ("BBI", "0 0 0"),
    ("BBB", "0 0 0"),
    ("PPPP", "35 35 0 0"),
    ("PPPI", "35 35 0 0"),
    ("PPPB", "35 35 0 105"),
    ("PPIP", "35 35 0 0"),
    ("PPII", "35 35 0 0"),
    ("PPIB", "35 35 0 105"),
    ("PPBP", "35 35 105 0"),
    ("PPBI", "35 35 105 0"),
    ("PPBB", "35 35 105 0"),
    ("PIPP", "35 35 0 0"),
    ("PIPI", "35 35 0 0"),
    ("PIPB", "35 35 0 105"),
    ("PIIP", "35 35 0 0"),
    ("PIII", "35 35 0 0"),
    ("PIIB", "35 35 0 105"),
    ("PIBP", "35 35 105 0"),
    ("PIBI", "35 35 105 0"),
    ("PIBB", "35 35 105 0"),
    ("PBPP", "35 105 0 0"),
    ("PBPI", "35 105 0 0"),
    ("PBPB", "35 105 0 0"),
    ("PBIP", "35 105 0 0"),
    ("PBII", "35 105 0 0"),
    ("PBIB", "35 105 0 0"),
    ("PBBP", "35 105 0 0"),
    ("PBBI", "35 105 0 0"),
    ("PBBB", "35 105 0 0"),
    ("IPPP", "35 0 0 0"),
    ("IPPI", "35 0 0 0"),
    ("IPPB", "35 0 0 105"),
    ("IPIP", "35 0 0 0"),
    ("IPII", "35 0 0 0"),
    ("IPIB", "35 0 0 105"),
    ("IPBP", "35 0 105 0"),
    ("IPBI", "35 0 105 0"),
    ("IPBB", "35 0 105 0"),
    ("IIPP", "35 0 0 0"),
    ("IIPI", "35 0 0 0"),
    ("IIPB", "35 0 0 105"),
    ("IIIP", "35 0 0 0"),
    ("IIII", "35 0 0 0"),
    ("IIIB", "35 0 0 105"),
    ("IIBP", "35 0 105 0"),
    ("IIBI", "35 0 105 0"),
    ("IIBB", "35 0 105 0"),
    ("IBPP", "35 105 0 0"),
    ("IBPI", "35 105 0 0"),
    ("IBPB", "35 105 0 0"),
    ("IBIP", "35 105 0 0"),
    ("IBII", "35 105 0 0"),
    ("IBIB", "35 105 0 0"),
    ("IBBP", "35 105 0 0"),
    ("IBBI", "35 105 0 0"),
    ("IBBB", "35 105 0 0"),
    ("BPPP", "0 0 0 0"),
    ("BPPI", "0 0 0 0"),
    ("BPPB", "0 0 0 0"),
    ("BPIP", "0 0 0 0"),
    ("BPII", "0 0 0 0"),
    ("BPIB", "0 0 0 0"),
    ("BPBP", "0 0 0 0"),
    ("BPBI", "0 0 0 0"),
    ("BPBB", "0 0 0 0"),
    ("BIPP", "0 0 0 0"),
    ("BIPI", "0 0 0 0"),
    ("BIPB", "0 0 0 0"),
    ("BIIP", "0 0 0 0"),
    ("BIII", "0 0 0 0"),
    ("BIIB", "0 0 0 0"),
    ("BIBP", "0 0 0 0"),
    ("BIBI", "0 0 0 0"),
    ("BIBB", "0 0 0 0"),
    ("BBPP", "0 0 0 0"),
    ("BBPI", "0 0 0 0"),
    ("BBPB", "0 0 0 0"),
    ("BBIP", "0 0 0 0"),
    ("BBII", "0 0 0 0"),
    ("BBIB", "0 0 0 0"),
    ("BBBP", "0 0 0 0"),
    ("BBBI", "0 0 0 0"),
    ("BBBB", "0 0 0 0"),
]


@pytest.mark.parametrize(("letters", "fees_kr"), FEES_IN_ORDER, ids=[r[0] for r in FEES_IN_ORDER])
def test_every_order_of_letters_carries_the_fee_the_regulation_allows(
    letters: str, fees_kr: str
) -> None:
    kinds = {"P": PURRING, "I": VARSEL, "B": OPPFORDRING}
    previous: list[FeeCharge] = []
    charged = []
    for code in letters:
        sent = after(previous[-1]) if previous else FIRST_FEE_DAY
        decision = fee_for(kinds[code], sent, DUE, previous)
        charged.append(decision.amount_ore)
        previous.append(letter(kinds[code], sent, charged=decision.allowed))

    assert charged == [int(kr) * 100 for kr in fees_kr.split()]


def test_the_whole_table_of_orders_is_there() -> None:
    assert len({letters for letters, _ in FEES_IN_ORDER}) == 3 + 9 + 27 + 81


def test_purring_after_an_inkassovarsel_without_a_fee_carries_no_fee() -> None:
    varsel = letter(VARSEL, DUE + timedelta(days=1), charged=False)

    decision = fee_for(PURRING, after(varsel), DUE, [varsel])

    assert decision.refusal_code == "fee.out_of_order"
    assert "§ 1-3" in decision.reason


def test_a_letter_without_a_deadline_still_counts_in_the_order() -> None:
    varsel = FeeCharge(VARSEL, DUE + timedelta(days=1), None, fee_charged=False)

    decision = fee_for(PURRING, FIRST_FEE_DAY, DUE, [varsel])

    assert decision.refusal_code == "fee.out_of_order"


def test_betalingsoppfordring_without_an_earlier_letter_has_no_missed_deadline() -> None:
    decision = fee_for(OPPFORDRING, FIRST_FEE_DAY, DUE, [])

    assert decision.refusal_code == "fee.no_missed_deadline"


def test_betalingsoppfordring_after_a_deadline_under_14_days_has_no_missed_deadline() -> None:
    varsel = letter(VARSEL, FIRST_FEE_DAY, days=10, charged=False)

    decision = fee_for(OPPFORDRING, after(varsel), DUE, [varsel])

    assert decision.refusal_code == "fee.no_missed_deadline"


def test_missed_deadline_of_a_letter_without_a_fee_allows_a_betalingsoppfordring_fee() -> None:
    varsel = letter(VARSEL, DUE + timedelta(days=1), charged=False)

    decision = fee_for(OPPFORDRING, after(varsel), DUE, [varsel])

    assert decision.amount_ore == 10500


def test_letter_without_a_fee_does_not_count_towards_the_limit() -> None:
    free = [letter(PURRING, DUE + timedelta(days=1), charged=False)]
    first = letter(PURRING, FIRST_FEE_DAY)

    decision = fee_for(PURRING, after(first), DUE, [*free, first])

    assert decision.allowed


def test_varsel_om_tvangsfullbyrdelse_carries_no_egeninkasso_fee() -> None:
    decision = fee_for(StepKind.VARSEL_OM_TVANGSFULLBYRDELSE, FIRST_FEE_DAY, DUE, [])

    assert decision.refusal_code == "fee.not_chargeable"
    assert decision.legal_basis == "tvangsfullbyrdelsesloven § 4-18"


def test_fee_for_a_letter_before_the_fee_table_is_not_available() -> None:
    with pytest.raises(RateNotAvailable):
        fee_for(PURRING, date(2020, 9, 30), date(2020, 9, 1), [])


@pytest.mark.parametrize(
    "kind", [PURRING, VARSEL, OPPFORDRING, StepKind.VARSEL_OM_TVANGSFULLBYRDELSE]
)
def test_every_letter_gives_at_least_14_days(kind: StepKind) -> None:
    assert minimum_deadline_days(kind) == 14


def test_limitation_warning_sets_no_deadline() -> None:
    with pytest.raises(NoDeadline) as error:
        minimum_deadline_days(StepKind.FORELDELSE)

    assert error.value.code == "step.no_deadline"


def test_every_step_names_its_legal_basis() -> None:
    assert LEGAL_BASIS == {
        StepKind.PURRING: "inkassoforskriften § 1-2",
        StepKind.INKASSOVARSEL: "inkassoloven § 9",
        StepKind.BETALINGSOPPFORDRING: "inkassoloven § 10",
        StepKind.VARSEL_OM_TVANGSFULLBYRDELSE: "tvangsfullbyrdelsesloven § 4-18",
        StepKind.FORELDELSE: "foreldelsesloven § 2",
    }


def test_termination_notice_at_0_3_rettsgebyr_in_2025_is_394_20_kr() -> None:
    assert rettsgebyr_fee(Fraction("0.3"), date(2025, 8, 1)) == 39420


def test_rettsgebyr_fee_rounds_half_up_to_whole_ore() -> None:
    assert rettsgebyr_fee(Fraction(1, 400), date(2025, 8, 1)) == 329  # 328.5 øre
    assert rettsgebyr_fee(Fraction(1, 7), date(2025, 8, 1)) == 18771  # 18 771.43 øre


def test_rettsgebyr_fee_in_whole_kroner_rounds_down_as_rettsgebyrloven_6a() -> None:
    assert rettsgebyr_fee(Fraction("1.25"), date(2025, 8, 1), whole_kroner=True) == 164200


def test_negative_part_of_rettsgebyr_is_refused() -> None:
    with pytest.raises(InvalidFeeFraction):
        rettsgebyr_fee(Fraction(-1, 10), date(2025, 8, 1))
