"""Reading and validating a rates file (TOML): the `Rates` every lookup in `rules.rates` uses.

The file is refused whole on unknown keys, unsorted or duplicate dates, floats where exact
values belong, an unverified figure without a note, or a forsinkelsesrente fixed on another day
than 1 January or 1 July (forsinkelsesrenteloven § 3).
"""

import tomllib
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

from rules.dated import INVALID_CODE, DatedValue, InvalidRates, RateTable

FEE_KINDS = ("purring", "inkassovarsel", "betalingsoppfordring")
_TABLES = frozenset({"inkassosats", "forsinkelsesrente", "rettsgebyr", "standardkompensasjon"})
_ENTRY_KEYS = frozenset({"valid_from", "verified", "note", "source"})

T = TypeVar("T")
_Parse = Callable[[object, str], T]


@dataclass(frozen=True)
class Rates:
    """Every dated legal figure Kravflyt computes with."""

    inkassosats: RateTable[int]
    forsinkelsesrente: RateTable[Decimal]
    rettsgebyr: RateTable[int]
    standardkompensasjon: RateTable[int]
    # Standardkompensasjon (forsinkelsesrenteloven § 3a) applies only between businesses.
    standardkompensasjon_enabled: bool
    fee_fractions: Mapping[str, RateTable[Fraction]]


def load_rates(path: Path | None = None) -> Rates:
    """Load and validate a rates file; `None` loads the packaged `rules/data/rates.toml`."""
    if path is None:
        text = (files("rules") / "data" / "rates.toml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidRates(INVALID_CODE, f"The rates file is not valid TOML: {error}") from None
    return _rates(document)


def half_year_start(day: date) -> date:
    """1 January or 1 July on or before `day`: the start of its forsinkelsesrente fixing."""
    return date(day.year, 1 if day.month < 7 else 7, 1)


def _rates(document: dict[str, Any]) -> Rates:
    _check_keys(document, _TABLES | {"fee_fraction"}, "the rates file", optional=frozenset())
    kompensasjon = _mapping(document["standardkompensasjon"], "standardkompensasjon")
    enabled = kompensasjon.get("enabled", False)
    if not isinstance(enabled, bool):
        raise InvalidRates(INVALID_CODE, "standardkompensasjon.enabled is true or false.")
    fees = _mapping(document["fee_fraction"], "fee_fraction")
    _check_keys(fees, set(FEE_KINDS), "fee_fraction", optional=frozenset())
    return Rates(
        inkassosats=_table(document["inkassosats"], "inkassosats", "ore", _ore),
        forsinkelsesrente=_half_yearly(
            _table(document["forsinkelsesrente"], "forsinkelsesrente", "percent", _percent)
        ),
        rettsgebyr=_table(document["rettsgebyr"], "rettsgebyr", "ore", _ore),
        standardkompensasjon=_table(kompensasjon, "standardkompensasjon", "ore", _ore, {"enabled"}),
        standardkompensasjon_enabled=enabled,
        fee_fractions={
            kind: _table(fees[kind], f"fee_fraction.{kind}", "fraction", _fraction)
            for kind in FEE_KINDS
        },
    )


def _table(
    raw: object,
    name: str,
    value_key: str,
    parse: _Parse[T],
    extra: Set[str] = frozenset(),
) -> RateTable[T]:
    section = _mapping(raw, name)
    _check_keys(section, {"values"}, name, optional=extra)
    values = section["values"]
    if not isinstance(values, list):
        raise InvalidRates(INVALID_CODE, f"{name}.values is a list of [[{name}.values]] entries.")
    return RateTable(name, tuple(_entry(value, name, value_key, parse) for value in values))


def _entry(raw: object, name: str, value_key: str, parse: _Parse[T]) -> DatedValue[T]:
    entry = _mapping(raw, name)
    _check_keys(entry, {"valid_from", "verified", value_key}, name, optional=_ENTRY_KEYS)
    valid_from, verified = entry["valid_from"], entry["verified"]
    note, source = entry.get("note", ""), entry.get("source", "")
    # A TOML local date-time parses to a `datetime`, which is also a `date`: refuse it.
    if type(valid_from) is not date or not isinstance(verified, bool):
        raise InvalidRates(INVALID_CODE, f"{name}: valid_from is a date, verified true or false.")
    if not isinstance(note, str) or not isinstance(source, str):
        raise InvalidRates(INVALID_CODE, f"{name}: note and source are text.")
    if not verified and not note.strip():
        raise InvalidRates(INVALID_CODE, f"{name}: an unverified figure needs a note saying why.")
    return DatedValue(valid_from, parse(entry[value_key], name), verified, note, source)


def _mapping(raw: object, name: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidRates(INVALID_CODE, f"{name} is not a table.")
    return raw


def _check_keys(raw: dict[str, Any], required: Set[str], where: str, *, optional: Set[str]) -> None:
    missing, unknown = required - raw.keys(), raw.keys() - required - optional
    if missing or unknown:
        detail = f"missing {sorted(missing)}" if missing else f"unknown {sorted(unknown)}"
        raise InvalidRates(INVALID_CODE, f"In {where}: {detail}.")


def _half_yearly(table: RateTable[Decimal]) -> RateTable[Decimal]:
    # Forsinkelsesrenteloven § 3: the rate is fixed from 1 January and 1 July only.
    if any(half_year_start(entry.valid_from) != entry.valid_from for entry in table.entries):
        raise InvalidRates(INVALID_CODE, f"{table.name} entries start on 1 January or 1 July.")
    return table


def _ore(raw: object, name: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise InvalidRates(
            INVALID_CODE, f"{name}: an amount is a whole, non-negative number of øre."
        )
    return raw


def _percent(raw: object, name: str) -> Decimal:
    try:
        percent = Decimal(raw) if isinstance(raw, str) else Decimal("NaN")
    except InvalidOperation:
        percent = Decimal("NaN")
    if not percent.is_finite() or not 0 <= percent < 100:
        raise InvalidRates(INVALID_CODE, f'{name}: a rate is a percent string such as "12.50".')
    return percent


def _fraction(raw: object, name: str) -> Fraction:
    try:
        fraction = Fraction(raw) if isinstance(raw, str) else None
    except (ValueError, ZeroDivisionError):
        fraction = None
    if fraction is None or not 0 <= fraction <= 1:
        raise InvalidRates(INVALID_CODE, f'{name}: a fraction is a string such as "1/20", 0 to 1.')
    return fraction
