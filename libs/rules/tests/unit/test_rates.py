import dataclasses
import tomllib
from datetime import date
from decimal import Decimal
from fractions import Fraction
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from rules.rates import (
    DEFAULT_RATES,
    DatedValue,
    InvalidRates,
    RateNotAvailable,
    RatePeriod,
    RateTable,
    entry_on,
    fee_fraction_on,
    forsinkelsesrente_on,
    inkassosats_on,
    interest_rate_periods,
    load_rates,
    rettsgebyr_on,
    standardkompensasjon_on,
    value_on,
)

MINIMAL_FILE = """
[inkassosats]
[[inkassosats.values]]
valid_from = 2017-01-01
ore = 70000
verified = true

[forsinkelsesrente]
[[forsinkelsesrente.values]]
valid_from = 2025-01-01
percent = "12.50"
verified = true

[rettsgebyr]
[[rettsgebyr.values]]
valid_from = 2025-01-01
ore = 131400
verified = true

[standardkompensasjon]
enabled = true
[[standardkompensasjon.values]]
valid_from = 2025-01-01
ore = 47000
verified = true

[fee_fraction.purring]
[[fee_fraction.purring.values]]
valid_from = 2020-10-01
fraction = "1/20"
verified = true

[fee_fraction.inkassovarsel]
[[fee_fraction.inkassovarsel.values]]
valid_from = 2020-10-01
fraction = "1/20"
verified = true

[fee_fraction.betalingsoppfordring]
[[fee_fraction.betalingsoppfordring.values]]
valid_from = 2020-10-01
fraction = "3/20"
verified = true
"""

EXTRA_RATE = (
    '[[forsinkelsesrente.values]]\nvalid_from = {day}\npercent = "12.25"\nverified = true\n'
)


def table(*entries: tuple[date, int]) -> RateTable[int]:
    return RateTable("sats", tuple(DatedValue(day, value) for day, value in entries))


def write(directory: Path, text: str) -> Path:
    path = directory / "rates.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_rates_file_is_a_package_resource() -> None:
    text = (files("rules") / "data" / "rates.toml").read_text(encoding="utf-8")

    assert "inkassosats" in tomllib.loads(text)


def test_value_holds_from_its_valid_from_until_the_next_entry() -> None:
    sats = table((date(2017, 1, 1), 70000), (date(2026, 1, 1), 75000))

    assert value_on(sats, date(2017, 1, 1)) == 70000
    assert value_on(sats, date(2025, 12, 31)) == 70000
    assert value_on(sats, date(2026, 1, 1)) == 75000
    assert value_on(sats, date(2040, 1, 1)) == 75000


def test_value_before_the_first_entry_is_not_available() -> None:
    sats = table((date(2017, 1, 1), 70000))

    with pytest.raises(RateNotAvailable) as error:
        value_on(sats, date(2016, 12, 31))

    assert error.value.code == "rates.not_available"


@pytest.mark.parametrize(
    "entries",
    [(), ((date(2026, 1, 1), 2), (date(2025, 1, 1), 1)), ((date(2025, 1, 1), 1),) * 2],
)
def test_empty_unsorted_or_duplicate_tables_are_refused(entries: tuple[tuple[date, int]]) -> None:
    with pytest.raises(InvalidRates) as error:
        table(*entries)

    assert error.value.code == "rates.invalid"


def test_inkassosats_is_700_kr_through_2025_and_an_unverified_750_kr_from_2026() -> None:
    assert inkassosats_on(date(2017, 1, 1)) == 70000
    assert inkassosats_on(date(2025, 12, 31)) == 70000
    assert inkassosats_on(date(2026, 1, 1)) == 75000
    assert not entry_on(DEFAULT_RATES.inkassosats, date(2026, 1, 1)).verified


@pytest.mark.parametrize(
    ("day", "percent", "verified"),
    [
        (date(2023, 1, 1), "10.75", True),
        (date(2023, 7, 1), "11.75", True),
        (date(2024, 6, 30), "12.50", True),
        (date(2024, 7, 1), "12.50", True),
        (date(2025, 6, 30), "12.50", True),
        (date(2025, 7, 1), "12.25", False),
        (date(2026, 1, 1), "12.00", False),
        (date(2026, 7, 1), "12.00", False),  # 2026H2 not known: 2026H1 carried forward
    ],
)
def test_forsinkelsesrente_per_half_year(day: date, percent: str, verified: bool) -> None:
    assert forsinkelsesrente_on(day) == Decimal(percent)
    assert entry_on(DEFAULT_RATES.forsinkelsesrente, day).verified is verified


def test_every_unverified_figure_says_why() -> None:
    tables: list[RateTable[Any]] = [
        DEFAULT_RATES.inkassosats,
        DEFAULT_RATES.forsinkelsesrente,
        DEFAULT_RATES.rettsgebyr,
        DEFAULT_RATES.standardkompensasjon,
        *DEFAULT_RATES.fee_fractions.values(),
    ]

    unverified = [e for t in tables for e in t.entries if not e.verified]

    assert unverified
    assert all(entry.note for entry in unverified)


def test_forsinkelsesrente_before_2023_is_not_available() -> None:
    with pytest.raises(RateNotAvailable):
        forsinkelsesrente_on(date(2022, 12, 31))


def test_rettsgebyr_is_1314_kr_in_2025() -> None:
    assert rettsgebyr_on(date(2025, 1, 1)) == 131400
    assert rettsgebyr_on(date(2024, 12, 31)) == 127700


def test_standardkompensasjon_is_470_kr_and_off_by_default() -> None:
    assert standardkompensasjon_on(date(2025, 3, 1)) == 47000
    assert DEFAULT_RATES.standardkompensasjon_enabled is False


def test_fee_fractions_are_one_twentieth_and_three_twentieths() -> None:
    assert fee_fraction_on("purring", date(2025, 1, 1)) == Fraction(1, 20)
    assert fee_fraction_on("inkassovarsel", date(2025, 1, 1)) == Fraction(1, 20)
    assert fee_fraction_on("betalingsoppfordring", date(2025, 1, 1)) == Fraction(3, 20)


def test_fee_fraction_of_an_unknown_letter_is_not_available() -> None:
    with pytest.raises(RateNotAvailable):
        fee_fraction_on("stevning", date(2025, 1, 1))


def test_rate_periods_split_at_1_january_and_1_july() -> None:
    periods = interest_rate_periods(date(2024, 12, 15), date(2025, 7, 10))

    assert periods == [
        RatePeriod(date(2024, 12, 15), date(2024, 12, 31), Decimal("12.50")),
        RatePeriod(date(2025, 1, 1), date(2025, 6, 30), Decimal("12.50")),
        RatePeriod(date(2025, 7, 1), date(2025, 7, 10), Decimal("12.25")),
    ]


def test_rate_periods_of_one_day_and_of_no_days() -> None:
    one_day = interest_rate_periods(date(2025, 6, 30), date(2025, 6, 30))
    no_days = interest_rate_periods(date(2025, 7, 1), date(2025, 6, 30))

    assert one_day == [RatePeriod(date(2025, 6, 30), date(2025, 6, 30), Decimal("12.50"))]
    assert no_days == []


def test_operator_rates_file_overrides_the_packaged_one(tmp_path: Path) -> None:
    rates = load_rates(write(tmp_path, MINIMAL_FILE))

    assert rates.standardkompensasjon_enabled is True
    assert forsinkelsesrente_on(date(2030, 1, 1), rates=rates) == Decimal("12.50")
    with pytest.raises(RateNotAvailable):
        forsinkelsesrente_on(date(2024, 12, 31), rates=rates)


def test_rates_can_be_replaced_in_code_for_a_calculation() -> None:
    rates = dataclasses.replace(DEFAULT_RATES, inkassosats=table((date(2017, 1, 1), 80000)))

    assert inkassosats_on(date(2025, 1, 1), rates=rates) == 80000


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('percent = "12.50"', "percent = 12.50"),  # a float, not an exact rate
        ("valid_from = 2025-01-01\npercent", "valid_from = 2025-02-01\npercent"),  # mid half-year
        ("[rettsgebyr]", EXTRA_RATE.format(day="2024-07-01") + "[rettsgebyr]"),  # unsorted
        ("[rettsgebyr]", EXTRA_RATE.format(day="2025-01-01") + "[rettsgebyr]"),  # duplicate
        ("ore = 70000\nverified = true", "ore = 70000\nverified = false"),  # no note
        ("ore = 70000", "ore = 70000\nvalue = 1"),  # unknown key
        ("valid_from = 2017-01-01", "valid_from = 2017-01-01T00:00:00"),  # a date-time
        ("ore = 70000", "ore = -1"),
        ("ore = 70000", 'ore = "700"'),
        ('fraction = "3/20"', 'fraction = "3/0"'),
        ('fraction = "3/20"', 'fraction = "2"'),
        ('percent = "12.50"', 'percent = "NaN"'),
        ("enabled = true", 'enabled = "yes"'),
        ("[rettsgebyr]", "[rettsgebyret]"),  # a missing and an unknown table
        ("[fee_fraction.purring]", "[fee_fraction.purregebyr]"),
        ("ore = 70000", "ore = "),  # not TOML
    ],
)
def test_malformed_rates_file_is_refused_whole(tmp_path: Path, old: str, new: str) -> None:
    assert old in MINIMAL_FILE
    path = write(tmp_path, MINIMAL_FILE.replace(old, new, 1))

    with pytest.raises(InvalidRates) as error:
        load_rates(path)

    assert error.value.code == "rates.invalid"
