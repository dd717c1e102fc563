"""How amounts, dates, rates and numbers read in a letter, per language.

Norwegian: "14. april 2026", "1 234,50 kr", "12,25 %". English: "14 April 2026",
"NOK 1,234.50", "12.25 %". Spaces inside a value are non-breaking, so a line never splits it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rules.money import NBSP, format_ore

_MONTHS_NO = (
    "januar februar mars april mai juni juli august september oktober november desember"
).split()
_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()


def format_date(d: date, language: str) -> str:
    """A legal date as people write it: '14. april 2026' (nb, nn) or '14 April 2026' (en)."""
    if language == "en":
        return f"{d.day}{NBSP}{_MONTHS_EN[d.month - 1]}{NBSP}{d.year}"
    return f"{d.day}.{NBSP}{_MONTHS_NO[d.month - 1]}{NBSP}{d.year}"


def format_amount(ore: int, language: str) -> str:
    """An amount in kroner: '1 234,50 kr' or 'NOK 1,234.50'."""
    if language == "en":
        sign = "-" if ore < 0 else ""
        kroner, rest = divmod(abs(ore), 100)
        return f"{sign}NOK{NBSP}{kroner:,}.{rest:02d}"
    return format_ore(ore)


def format_rate(rate: Decimal, language: str) -> str:
    """A yearly rate in percent: '12,25 %' or '12.25 %' (no trailing zeros past two)."""
    text = f"{rate.quantize(Decimal('0.01')):f}"
    if language != "en":
        text = text.replace(".", ",")
    return f"{text}{NBSP}%"


def format_account(number: str) -> str:
    """An 11-digit account number grouped 4-2-5: '1234 56 78903'."""
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) != 11:
        return number
    return f"{digits[:4]}{NBSP}{digits[4:6]}{NBSP}{digits[6:]}"
