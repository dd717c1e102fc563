"""Text hygiene at every boundary: what a service accepts as free text, and why it refuses.

A value is normalised to NFC, then refused with a reason code naming the field when it holds
a control character (NUL included), a lone surrogate, the byte-order mark or a bidirectional
override (``text.control_character``), a code point Unicode has not assigned
(``text.unassigned``), a character the letter fonts cannot print (``text.unprintable``, only
for a policy made with the fonts' coverage), more characters than allowed (``text.too_long``),
or, where a value is required, nothing but invisible characters (``text.empty``: spaces,
zero-width and other format characters).

Text written on several lines (a citizen's message in a form's textarea) is checked by a policy
made with ``line_breaks=True``: it lets the tab, line feed and carriage return through and
refuses every other control character as a one-line policy does.

Every check is one pass of a compiled regex or a C-level string method per value, so a batch
of a thousand claims costs milliseconds. The character classes are built once per policy from
``unicodedata`` and, for printing, from the code points the fonts map (see
:mod:`rules.letter_fonts`).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

__all__ = ["TEXT_REASONS", "TextPolicy", "TextProblem"]

TEXT_REASONS: dict[str, str] = {
    "text.control_character": "The text holds a control character",
    "text.unassigned": "The text holds a character Unicode has not assigned",
    "text.unprintable": "The text holds a character the letters cannot print",
    "text.too_long": "The text is too long",
    "text.empty": "The text is empty or only invisible characters",
}

_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Cn"})
# Format characters refused as controls: the byte-order mark (PDF/A forbids it in a letter)
# and the bidirectional embeddings, overrides and isolates (they reorder what a reader sees).
_REFUSED_FORMAT = frozenset({0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc"})
# What a text of several lines may hold besides printing characters: tab, line feed, return.
_LINE_BREAKS = frozenset({0x09, 0x0A, 0x0D})
# Hangul fillers and the Braille blank are letters or symbols that print as nothing; the
# combining grapheme joiner and the variation selectors are marks that print nothing alone.
_BLANK_LETTERS = frozenset(
    {0x115F, 0x1160, 0x2800, 0x3164, 0xFFA0, 0x034F, *range(0xFE00, 0xFE10)}
    | set(range(0xE0100, 0xE01F0))
)


@dataclass(frozen=True)
class TextProblem:
    """Why one field's text was refused; ``code_point`` names the offending character."""

    code: str
    field: str
    code_point: int | None = None

    @property
    def message(self) -> str:
        """The reason's title, with the character as U+XXXX where there is one."""
        title = TEXT_REASONS[self.code]
        return f"{title} (U+{self.code_point:04X})" if self.code_point is not None else title


class TextPolicy:
    """What free text may hold; ``printable``: the code points the letters can print;
    ``line_breaks``: whether tab, line feed and carriage return are allowed (several lines)."""

    def __init__(
        self, printable: Iterable[int] | None = None, *, line_breaks: bool = False
    ) -> None:
        kept = _LINE_BREAKS if line_breaks else frozenset()
        if printable is None:
            self._refused = _refused_pattern(kept)
        else:
            allowed = sorted({cp for cp in printable if not _is_refused(cp)} | kept)
            self._refused = re.compile(f"[^{_class(allowed)}]")
        self._invisible = _invisible_pattern()

    def clean(
        self, value: str, *, field: str, max_length: int, required: bool = False
    ) -> str | TextProblem:
        """``value`` in NFC, or the first problem with it."""
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        refused = self._refused.search(value)
        if refused is not None:
            return TextProblem(_reason(refused.group()), field, ord(refused.group()))
        if len(value) > max_length:
            return TextProblem("text.too_long", field)
        if required and self._invisible.fullmatch(value):
            return TextProblem("text.empty", field)
        return value


def _is_refused(code_point: int) -> bool:
    return code_point in _REFUSED_FORMAT or _category(code_point) in _REFUSED_CATEGORIES


def _reason(character: str) -> str:
    category = unicodedata.category(character)
    if category in ("Cc", "Cs") or ord(character) in _REFUSED_FORMAT:
        return "text.control_character"
    if category == "Cn":
        return "text.unassigned"
    return "text.unprintable"


def _category(code_point: int) -> str:
    return unicodedata.category(chr(code_point))


@cache
def _refused_pattern(kept: frozenset[int]) -> re.Pattern[str]:
    refused = [cp for cp in range(sys.maxunicode + 1) if _is_refused(cp) and cp not in kept]
    return re.compile(f"[{_class(refused)}]")


@cache
def _invisible_pattern() -> re.Pattern[str]:
    invisible = [
        cp
        for cp in range(sys.maxunicode + 1)
        if _category(cp) in _INVISIBLE_CATEGORIES or cp in _BLANK_LETTERS
    ]
    return re.compile(f"[{_class(invisible)}]*")


def _class(code_points: list[int]) -> str:
    """A regex character class body for sorted ``code_points``, as ranges."""
    parts: list[str] = []
    start = previous = -2
    for cp in code_points:
        if cp == previous + 1:
            previous = cp
            continue
        if start >= 0:
            parts.append(_range(start, previous))
        start = previous = cp
    if start >= 0:
        parts.append(_range(start, previous))
    return "".join(parts)


def _range(first: int, last: int) -> str:
    return f"\\U{first:08x}" if first == last else f"\\U{first:08x}-\\U{last:08x}"
