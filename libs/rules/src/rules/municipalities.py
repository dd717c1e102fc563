"""The register of municipalities over time: numbers, names, organisation numbers, successors.

Municipalities merge, split and get new numbers (kommunereformen 2020; the regional reform
reversed in 2024), while claims live for years under the number they were issued with. The
register, dated data from SSB's classification of municipalities (`data/municipalities.toml`),
answers which municipality serves an old number on a given day.

Loading refuses the file whole on unknown keys, a malformed or repeated number, an end without
successors (or successors without an end), a successor that is not listed or not in force on
the day its predecessor ended, and an organisation number with a wrong check digit.
"""

import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import tomli_w
from stdnum.no import orgnr

from rules.errors import RuleError

INVALID_CODE = "municipalities.invalid"
UNKNOWN_CODE = "municipality.unknown"
SPLIT_CODE = "municipality.split"
NOT_SUCCESSOR_CODE = "municipality.not_successor"

# The official names besides bokmål: nynorsk, Northern, Southern and Lule Sámi.
NAME_LANGUAGES = ("nn", "se", "sma", "smj")
_KEYS = frozenset({"number", "name", "orgnr", "valid_from", "valid_to", "successors"}) | {
    f"name_{language}" for language in NAME_LANGUAGES
}


class InvalidRegister(RuleError):
    """A municipality register file that is malformed or inconsistent."""


class UnknownMunicipality(RuleError):
    """A kommunenummer the register does not know, or that did not yet exist on the day."""


class SplitMunicipality(RuleError):
    """A municipality divided between successors: which one serves a claim must be named."""

    def __init__(self, number: str, candidates: tuple[str, ...]) -> None:
        super().__init__(
            SPLIT_CODE,
            f"{number} was divided between {', '.join(candidates)}: name the successor.",
        )
        self.candidates = candidates


class NotASuccessor(RuleError):
    """A named successor that is not one of the municipality's successors on the day."""


@dataclass(frozen=True)
class Municipality:
    """One kommunenummer from `valid_from` (None: before the register's changes) to `valid_to`.

    `valid_to` is exclusive: the day the successors took over. `names` holds the official name
    in nynorsk and Sámi languages where one differs from the bokmål `name`.
    """

    number: str
    name: str
    valid_from: date | None
    valid_to: date | None
    successors: tuple[str, ...]
    orgnr: str | None = None
    names: Mapping[str, str] | None = None

    def in_force(self, day: date) -> bool:
        """Whether the number existed on `day`."""
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_to is None or day < self.valid_to)

    def name_in(self, language: str) -> str:
        """The official name in `language` (nb, nn, se, sma, smj); bokmål where none differs."""
        return (self.names or {}).get(language, self.name)


@dataclass(frozen=True)
class Collection:
    """Claims kept under `number` that a municipality collects from `start` until `end`
    (exclusive; `date.min` and `date.max` where open)."""

    number: str
    start: date
    end: date

    def covers(self, day: date) -> bool:
        """Whether `day` lies in the period."""
        return self.start <= day < self.end


@dataclass(frozen=True)
class Register:
    """Every municipality of the register by kommunenummer, and the day each that left the
    office did (`departures`, from the office's file)."""

    municipalities: Mapping[str, Municipality]
    departures: Mapping[str, date] = field(default_factory=dict)

    def has_left(self, number: str, day: date) -> bool:
        """Whether the municipality collecting `number`'s claims on `day` has left the office:
        from that day no new claim and no step of a case."""
        left = self.departures.get(self.collecting(number, day))
        return left is not None and left <= day

    def __iter__(self) -> Iterator[Municipality]:
        return iter(sorted(self.municipalities.values(), key=lambda m: m.number))

    def get(self, number: str) -> Municipality:
        """The municipality with `number`; raise `UnknownMunicipality`."""
        found = self.municipalities.get(number)
        if found is None:
            raise UnknownMunicipality(UNKNOWN_CODE, "The register has no such kommunenummer.")
        return found

    def serving(self, number: str, day: date) -> tuple[str, ...]:
        """The municipalities that serve `number`'s claims on `day`: itself while in force,
        else its successors' (followed through later changes), sorted."""
        municipality = self.get(number)
        if municipality.valid_from is not None and day < municipality.valid_from:
            raise UnknownMunicipality(UNKNOWN_CODE, f"{number} did not yet exist on that day.")
        if municipality.in_force(day):
            return (number,)
        found = {s for successor in municipality.successors for s in self.serving(successor, day)}
        return tuple(sorted(found))

    def creditor_on(self, number: str, day: date, named: str | None = None) -> str:
        """The one municipality collecting `number`'s claims on `day`.

        A municipality split between successors needs `named`, one of them; raise
        `SplitMunicipality` (with the candidates) without it, `NotASuccessor` for another one.
        """
        candidates = self.serving(number, day)
        if named is not None and named not in candidates:
            raise NotASuccessor(
                NOT_SUCCESSOR_CODE, f"The named successor does not serve {number}'s claims."
            )
        if named is not None:
            return named
        if len(candidates) > 1:
            raise SplitMunicipality(number, candidates)
        return candidates[0]

    def collecting(self, number: str, day: date) -> str:
        """Who collects claims kept under `number` on `day`: its one successor once it merged
        or was renumbered; `number` itself where the register does not know it or it was split
        (such a claim was placed with a named successor when registered)."""
        try:
            return self.creditor_on(number, day)
        except (UnknownMunicipality, SplitMunicipality):
            return number

    def collected_by(self, number: str) -> tuple[Collection, ...]:
        """Whose claims `number` collects and when: its own until it merged or got a new
        number, each predecessor's from the day it took them over (not a split one's: those
        were placed with a named successor) until its own end."""
        own = self.municipalities.get(number)
        end = own.valid_to if own is not None and own.valid_to is not None else date.max
        return (Collection(number, date.min, end), *self._taken_over(number, date.min, end))

    def _taken_over(self, number: str, start: date, end: date) -> list[Collection]:
        found = []
        for municipality in self:
            if municipality.successors == (number,) and municipality.valid_to is not None:
                day = max(municipality.valid_to, start)
                found.append(Collection(municipality.number, day, end))
                found.extend(self._taken_over(municipality.number, day, end))
        return found

    def predecessors(self, number: str) -> tuple[str, ...]:
        """Every municipality whose claims `number` took over, directly or through others."""
        direct = [m.number for m in self if number in m.successors]
        return tuple(sorted({*direct, *(p for d in direct for p in self.predecessors(d))}))


def merger(
    register: Register, merged: Sequence[str], into: str, on: date, name: str | None = None
) -> tuple[Municipality, ...]:
    """The register entries a merger of `merged` into `into` on `on` changes or adds.

    `into` is an existing municipality absorbing the others under its number, or a new number
    from `on` (then `name` is needed). The result is checked against the whole register.
    """
    ended = []
    for number in merged:
        old = register.get(number)
        if not old.in_force(on) or old.valid_from == on:
            raise InvalidRegister(INVALID_CODE, f"{number} is not in force on the merger day.")
        ended.append(replace(old, valid_to=on, successors=(into,)))
    added: list[Municipality] = []
    if into not in register.municipalities:
        if not name or not _is_number(into):
            raise InvalidRegister(INVALID_CODE, f"The new municipality {into} needs a name.")
        added.append(Municipality(into, name, on, None, ()))
    changes = (*ended, *added)
    _checked(_with(register, changes))
    return changes


def dump_municipalities(municipalities: Sequence[Municipality]) -> str:
    """Register entries as the TOML `load_register` and `register_from` read."""
    return tomli_w.dumps({"municipality": [_document(m) for m in municipalities]})


def _with(register: Register, changes: Sequence[Municipality]) -> list[Municipality]:
    by_number = dict(register.municipalities)
    by_number.update((m.number, m) for m in changes)
    return list(by_number.values())


def _document(m: Municipality) -> dict[str, Any]:
    fields: dict[str, Any] = {"number": m.number, "name": m.name}
    fields |= {f"name_{lang}": value for lang, value in (m.names or {}).items()}
    optional = {"orgnr": m.orgnr, "valid_from": m.valid_from, "valid_to": m.valid_to}
    fields |= {key: value for key, value in optional.items() if value is not None}
    if m.successors:
        fields["successors"] = list(m.successors)
    return fields


def load_register(path: Path | None = None) -> Register:
    """Load and validate a register file; `None` loads the packaged `municipalities.toml`."""
    if path is None:
        return _checked(_packaged())
    return _checked(*_parse(path.read_text(encoding="utf-8")))


def register_from(path: str) -> Register:
    """The register a service works with: the packaged one, extended by the office's file at
    `path` (the services' shared ``municipalities_file`` setting; empty: none).

    The office's file adds municipalities and replaces those it lists again (a merger decided
    after this release: the old number given its end and successor, the new one added); the
    whole is validated as one register.
    """
    if not path:
        return DEFAULT_REGISTER
    by_number = {m.number: m for m in _packaged()}
    office, departures = _parse(Path(path).read_text(encoding="utf-8"))
    by_number.update((m.number, m) for m in office)
    return _checked(list(by_number.values()), departures)


def dump_departure(number: str, on: date) -> str:
    """A municipality's leaving the office on `on`, as the office's file holds it."""
    return tomli_w.dumps({"departure": [{"number": number, "on": on}]})


def _packaged() -> list[Municipality]:
    text = (files("rules") / "data" / "municipalities.toml").read_text(encoding="utf-8")
    municipalities, departures = _parse(text)
    if departures:
        raise InvalidRegister(INVALID_CODE, "Departures belong in the office's file.")
    return municipalities


def _parse(text: str) -> tuple[list[Municipality], dict[str, date]]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidRegister(INVALID_CODE, f"The register is not valid TOML: {error}") from None
    tables = ("municipality", "departure")
    if not set(document) <= set(tables) or not all(
        isinstance(document.get(t, []), list) for t in tables
    ):
        raise InvalidRegister(
            INVALID_CODE, "The register is a list of [[municipality]] and [[departure]] tables."
        )
    departures = dict(_departure(raw) for raw in document.get("departure", []))
    return [_municipality(raw) for raw in document.get("municipality", [])], departures


def _departure(raw: Any) -> tuple[str, date]:
    if not isinstance(raw, dict) or set(raw) != {"number", "on"} or not _is_number(raw["number"]):
        raise InvalidRegister(INVALID_CODE, "A departure has a number and the day (on).")
    if type(raw["on"]) is not date:
        raise InvalidRegister(INVALID_CODE, f"{raw['number']}: on is a date.")
    return raw["number"], raw["on"]


def _municipality(raw: Any) -> Municipality:
    if not isinstance(raw, dict) or not {"number", "name"} <= raw.keys() <= _KEYS:
        raise InvalidRegister(INVALID_CODE, f"A municipality has number, name and {_optional()}.")
    number, successors = raw["number"], raw.get("successors", [])
    if not _is_number(number):
        raise InvalidRegister(INVALID_CODE, "A kommunenummer is four digits, as text.")
    texts = [raw["name"], *(raw.get(f"name_{lang}", "x") for lang in NAME_LANGUAGES)]
    if not all(isinstance(t, str) and t.strip() for t in texts):
        raise InvalidRegister(INVALID_CODE, f"{number}: names are non-empty text.")
    if not isinstance(successors, list) or not all(_is_number(s) for s in successors):
        raise InvalidRegister(INVALID_CODE, f"{number}: successors are kommunenummer.")
    valid_from, valid_to = _day(raw, "valid_from"), _day(raw, "valid_to")
    if valid_from and valid_to and valid_to <= valid_from:
        raise InvalidRegister(INVALID_CODE, f"{number}: valid_to comes after valid_from.")
    if (valid_to is None) != (not successors):
        raise InvalidRegister(INVALID_CODE, f"{number}: an end needs successors and vice versa.")
    names = {lang: raw[f"name_{lang}"] for lang in NAME_LANGUAGES if f"name_{lang}" in raw}
    return Municipality(
        number, raw["name"], valid_from, valid_to, tuple(successors), _orgnr(raw), names or None
    )


def _checked(
    found: Sequence[Municipality], departures: Mapping[str, date] | None = None
) -> Register:
    by_number = {m.number: m for m in found}
    if len(by_number) != len(found):
        raise InvalidRegister(INVALID_CODE, "A kommunenummer appears twice in the register.")
    if set(departures or {}) - by_number.keys():
        raise InvalidRegister(INVALID_CODE, "A departure names a municipality not in the register.")
    for municipality in found:
        for successor in municipality.successors:
            later = by_number.get(successor)
            # A successor is new from that day or an existing municipality absorbing it.
            ended = municipality.valid_to
            if later is None or ended is None or not later.in_force(ended):
                raise InvalidRegister(
                    INVALID_CODE,
                    f"{municipality.number}: successor {successor} is not listed "
                    "or not in force on the day it ended.",
                )
    return Register(by_number, dict(departures or {}))


def _day(raw: dict[str, Any], key: str) -> date | None:
    value = raw.get(key)
    # A TOML local date-time parses to a `datetime`, which is also a `date`: refuse it.
    if value is not None and type(value) is not date:
        raise InvalidRegister(INVALID_CODE, f"{raw['number']}: {key} is a date.")
    return value


def _orgnr(raw: dict[str, Any]) -> str | None:
    value = raw.get("orgnr")
    digits = isinstance(value, str) and value.isdigit()
    if value is not None and not (digits and orgnr.is_valid(value)):
        raise InvalidRegister(
            INVALID_CODE, f"{raw['number']}: the organisation number fails its check digit."
        )
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, str) and len(value) == 4 and value.isascii() and value.isdigit()


def _optional() -> str:
    return "optionally " + ", ".join(sorted(_KEYS - {"number", "name"}))


DEFAULT_REGISTER = load_register()
