"""The fonts letters are set in, and the characters they can print.

Libertinus Serif (inside typst) sets the letter; open Noto fonts from packages fill in what it
lacks: Latin (Sámi and Eastern European included), Greek, Cyrillic and Vietnamese (Noto Sans),
Arabic (Noto Sans Arabic) and Chinese, Japanese and Korean (Noto Sans CJK). What the letters can
print is read from the fonts' own character maps (fontTools), once per process, so intake
refuses exactly what a letter could not show. There is no emoji font: emoji are refused.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fontpkg_noto_sans
import fontpkg_noto_sans_arabic
import noto_cjk_sans_otc
from fontTools.ttLib import TTFont

from rules.text import TextPolicy

__all__ = ["FAMILIES", "font_directories", "printable_code_points", "printable_text"]

# typst's font list, in order: the letter's own face first, then the fallbacks.
FAMILIES = ("Libertinus Serif", "Noto Sans", "Noto Sans Arabic", "Noto Sans CJK JP")


def _cjk() -> Path:
    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def font_directories() -> list[Path]:
    """Folders holding the bundled fonts (typst's ``font_paths`` takes folders)."""
    return [
        fontpkg_noto_sans.ROOT / "files",
        fontpkg_noto_sans_arabic.ROOT / "files",
        _cjk().parent,
    ]


def _font_files() -> list[tuple[Path, int]]:
    """Each bundled face the fallbacks use, as (file, index in a collection)."""
    return [
        (fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf", -1),
        (fontpkg_noto_sans_arabic.ROOT / "files" / "NotoSansArabic[wdth,wght].ttf", -1),
        (_cjk(), 0),  # Noto Sans CJK JP: the collection's faces share one character map
    ]


@cache
def printable_code_points() -> frozenset[int]:
    """Every code point one of the bundled fonts maps to a glyph."""
    printable: set[int] = set()
    for path, index in _font_files():
        font = TTFont(path, fontNumber=index, lazy=True)
        try:
            printable.update(font.getBestCmap())
        finally:
            font.close()
    return frozenset(printable)


@cache
def printable_text() -> TextPolicy:
    """The text policy of anything a letter may print (built once per process)."""
    return TextPolicy(printable_code_points())
