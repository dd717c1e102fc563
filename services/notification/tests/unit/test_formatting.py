"""Amounts, dates and rates as a Norwegian (or English) reader expects them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from notification.domain.formatting import format_account, format_amount, format_date, format_rate

NBSP = "\u00a0"


def test_dates_read_the_norwegian_way():
    assert format_date(date(2026, 4, 14), "nb") == f"14.{NBSP}april{NBSP}2026"
    assert format_date(date(2026, 4, 14), "nn") == f"14.{NBSP}april{NBSP}2026"
    assert format_date(date(2026, 4, 14), "en") == f"14{NBSP}April{NBSP}2026"


def test_amounts_keep_their_øre():
    assert format_amount(123450, "nb") == f"1{NBSP}234,50{NBSP}kr"
    assert format_amount(123450, "en") == f"NOK{NBSP}1,234.50"


def test_rates_show_two_decimals():
    assert format_rate(Decimal("12.25"), "nb") == f"12,25{NBSP}%"
    assert format_rate(Decimal("12"), "en") == f"12.00{NBSP}%"


def test_account_numbers_are_grouped_four_two_five():
    assert format_account("12345678903") == f"1234{NBSP}56{NBSP}78903"
