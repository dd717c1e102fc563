"""Money is an integer number of øre. Conversion from kroner and Norwegian formatting.

`format_ore` separates thousands and the unit with a non-breaking space (U+00A0, `NBSP`), so a
letter never breaks an amount across lines; U+00A0 exists in ISO-8859-1 and every PDF font.
"""

from decimal import Context, Decimal, InvalidOperation

from rules.errors import RuleError

FRACTION_CODE = "money.fraction_of_ore"
INVALID_CODE = "money.invalid"
NBSP = "\u00a0"

_CENT = Decimal("0.01")
# A fixed context, so the caller's thread-local decimal context cannot change the result.
_CONTEXT = Context(prec=28, traps=[InvalidOperation])


class InvalidAmount(RuleError):
    """An amount that is not a finite number of whole øre."""


def kroner_to_ore(kroner: Decimal | str) -> int:
    """Convert kroner ('1234.50' or Decimal) to øre exactly; refuse fractions of an øre."""
    amount = _to_decimal(kroner)
    try:
        whole_ore = amount.quantize(_CENT, context=_CONTEXT)
    except InvalidOperation:
        raise InvalidAmount(INVALID_CODE, "The amount is too large.") from None
    if whole_ore != amount:
        raise InvalidAmount(FRACTION_CODE, "The amount has a fraction of an øre.")
    return int(whole_ore.scaleb(2, context=_CONTEXT))


def format_ore(ore: int) -> str:
    """Format øre the Norwegian way: 123450 → '1 234,50 kr' (spaces are U+00A0)."""
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), 100)
    grouped = f"{kroner:,}".replace(",", NBSP)
    return f"{sign}{grouped},{rest:02d}{NBSP}kr"


def _to_decimal(kroner: Decimal | str) -> Decimal:
    if not isinstance(kroner, Decimal | str):
        raise TypeError("kroner must be a Decimal or a str, never a float")
    try:
        amount = Decimal(kroner)
    except InvalidOperation:
        raise InvalidAmount(INVALID_CODE, "The amount is not a number.") from None
    if not amount.is_finite():
        raise InvalidAmount(INVALID_CODE, "The amount is not a finite number.")
    return amount
