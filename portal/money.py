"""Money is integer minor units; it becomes a Decimal or text only at the edges."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision


def to_decimal(cents: int, currency: str) -> Decimal:
    return Decimal(cents).scaleb(-get_currency_precision(currency))


def to_cents(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(get_currency_precision(currency)).to_integral_value())


def format_money(cents: int, currency: str, locale: str = "en_US") -> str:
    return format_currency(to_decimal(cents, currency), currency, locale=locale)
