"""Bokmål, nynorsk and English: message catalogues and how amounts and dates are written."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from rules.calendar import OSLO
from rules.money import format_ore

LANGUAGES = ("nb", "nn", "en")
DEFAULT_LANGUAGE = "nb"
_CATALOGUES = Path(__file__).with_name("i18n")


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """The messages of one language (a flat ``key → text`` map plus ``months``)."""
    data: dict[str, Any] = json.loads((_CATALOGUES / f"{lang}.json").read_text("utf-8"))
    return data


def pick_language(cookie: str | None, accept: str | None) -> str:
    """The citizen's choice, else the first supported language the browser asks for."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag in ("nb", "no", "nb-no", "no-no"):
            return "nb"
        if tag in ("nn", "nn-no"):
            return "nn"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


class Translator:
    """``t("key", amount_ore=…, due=…)``: the text, with amounts and dates written out."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._messages = catalogue(self.lang)

    def __call__(self, key: str, **params: Any) -> str:
        text = self._messages.get(key)
        if not isinstance(text, str):
            return key
        if not params:
            return text
        return text.format(**{k: self.value(v) for k, v in money_params(params).items()})

    def has(self, key: str) -> bool:
        """Whether the catalogue words ``key``."""
        return isinstance(self._messages.get(key), str)

    def value(self, value: Any) -> str:
        """A parameter as text: øre as kroner, dates the way the language writes them."""
        if isinstance(value, Money):
            return self.money(value.ore)
        if isinstance(value, datetime):
            return self.timestamp(value)
        if isinstance(value, date):
            return self.date(value)
        return "" if value is None else str(value)

    def money(self, ore: int) -> str:
        return format_ore(ore)

    def date(self, day: date | None) -> str:
        if day is None:
            return ""
        month = self._messages["months"][day.month - 1]
        if self.lang == "en":
            return f"{day.day} {month} {day.year}"
        return f"{day.day}. {month} {day.year}"

    def timestamp(self, at: datetime) -> str:
        local = at.astimezone(OSLO)
        joiner = " at " if self.lang == "en" else " kl. "
        return self.date(local.date()) + joiner + local.strftime("%H:%M")


class Money:
    """An amount in øre passed to a message (written as kroner)."""

    def __init__(self, ore: int) -> None:
        self.ore = ore


def money_params(params: dict[str, Any]) -> dict[str, Any]:
    """Wrap every ``*_ore`` parameter as :class:`Money`."""
    return {
        k: Money(v) if k.endswith("_ore") and isinstance(v, int) else v for k, v in params.items()
    }
