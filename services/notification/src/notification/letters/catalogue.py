"""The letter catalogue on disk: texts per language and step, profiles per municipality.

``templates/texts/<lang>.toml`` holds ``[common]`` and one table per step kind.
``templates/municipalities/office.toml`` holds the office's defaults and
``<kommunenummer>.toml`` a municipality's overrides (name, logo, contact details, account
number, and ``[texts.<lang>.<section>]`` rewordings). Later directories override earlier ones,
so an office can keep its own files outside the package.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from notification.domain.notice import LANGUAGES, STEP_KINDS, Notice
from rules.municipalities import DEFAULT_REGISTER, Register

PACKAGE_TEMPLATES = Path(__file__).with_name("templates")
_LOGO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.svg$")

Texts = dict[str, str]


@dataclass(frozen=True)
class Profile:
    """Who a letter comes from: the creditor municipality on the office's letterhead."""

    kommunenummer: str
    name: str | None
    orgnr: str
    office: str
    department: str
    address_lines: tuple[str, ...]
    postal_code: str
    city: str
    phone: str
    email: str
    web: str
    minside_url: str
    account_number: str
    logo_svg: str = field(repr=False)
    texts: dict[str, dict[str, Texts]] = field(repr=False, default_factory=dict)


class Catalogue:
    """Texts and profiles, read once; ``texts()`` merges common, step and municipality."""

    def __init__(
        self, directories: list[Path] | None = None, register: Register = DEFAULT_REGISTER
    ) -> None:
        self.directories = directories or [PACKAGE_TEMPLATES]
        self.register = register
        self._texts = {lang: self._load_texts(lang) for lang in LANGUAGES}
        self._raw_profiles = self._load_profiles()
        self._profiles: dict[str, Profile] = {}

    def profile(self, kommunenummer: str) -> Profile:
        """The municipality's profile over the office defaults (name None if unknown)."""
        if kommunenummer not in self._profiles:
            self._profiles[kommunenummer] = self._build_profile(kommunenummer)
        return self._profiles[kommunenummer]

    def creditor_profile(self, notice: Notice) -> Profile:
        """Who a notice's letter comes from on the day it is sent.

        From the day a municipality merged or was renumbered (the register), its claims are
        collected in the successor's name; where the name changed the letter says "tidligere
        <name>" beside it: a claim still kept under the old number was issued before that day.
        """
        creditor = self.register.collecting(notice.municipality, notice.sent_date)
        profile = self.profile(creditor)
        if creditor == notice.municipality or profile.name is None:
            return profile
        former = self.profile(notice.municipality).name or self._register_name(notice)
        if former == profile.name:
            return profile
        formerly = self._texts[notice.language]["common"]["formerly"]
        return replace(profile, name=f"{profile.name} ({formerly} {former})")

    def texts(self, kommunenummer: str, language: str, step_kind: str) -> Texts:
        """All strings one letter needs, the municipality's rewordings applied."""
        base = self._texts[language]
        merged = {**base["common"], **base[step_kind]}
        overrides = self.profile(kommunenummer).texts.get(language, {})
        merged.update(overrides.get("common", {}))
        merged.update(overrides.get(step_kind, {}))
        return merged

    def languages(self) -> tuple[str, ...]:
        return LANGUAGES

    def _load_texts(self, language: str) -> dict[str, Texts]:
        texts: dict[str, Texts] = {}
        for directory in self.directories:
            path = directory / "texts" / f"{language}.toml"
            if path.exists():
                for section, values in _read(path).items():
                    texts.setdefault(section, {}).update(values)
        missing = {"common", *STEP_KINDS} - texts.keys()
        if missing:
            raise ValueError(f"texts/{language}.toml lacks {sorted(missing)}")
        return texts

    def _load_profiles(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for directory in self.directories:
            for path in sorted((directory / "municipalities").glob("*.toml")):
                found.setdefault(path.stem, {}).update(_read(path))
        if "office" not in found:
            raise ValueError("municipalities/office.toml is missing")
        return found

    def _build_profile(self, kommunenummer: str) -> Profile:
        office = self._raw_profiles["office"]
        own = self._raw_profiles.get(kommunenummer, {})
        values = {**office, **own}
        return Profile(
            kommunenummer=kommunenummer,
            name=own.get("name"),
            orgnr=str(own.get("orgnr", "")),
            office=values["office"],
            department=values.get("department", ""),
            address_lines=tuple(values.get("address_lines", ())),
            postal_code=str(values.get("postal_code", "")),
            city=values.get("city", ""),
            phone=values.get("phone", ""),
            email=values.get("email", ""),
            web=values.get("web", ""),
            minside_url=values["minside_url"],
            account_number=str(values.get("account_number", "")),
            logo_svg=self._logo(values.get("logo", "office.svg")),
            texts=_text_overrides(own.get("texts", {})),
        )

    def _register_name(self, notice: Notice) -> str:
        municipality = self.register.get(notice.municipality)
        return f"{municipality.name_in(notice.language)} kommune"

    def _logo(self, name: str) -> str:
        if not _LOGO_NAME.fullmatch(name):
            raise ValueError(f"logo {name!r} must be a plain .svg file name")
        for directory in reversed(self.directories):
            path = directory / "logos" / name
            if path.exists():
                return path.read_text(encoding="utf-8")
        raise ValueError(f"logo {name!r} not found")


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


def _text_overrides(raw: dict[str, Any]) -> dict[str, dict[str, Texts]]:
    unknown = set(raw) - set(LANGUAGES)
    if unknown:
        raise ValueError(f"text overrides for unknown languages {sorted(unknown)}")
    return {lang: {s: dict(v) for s, v in sections.items()} for lang, sections in raw.items()}
