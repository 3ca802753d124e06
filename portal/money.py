"""Money is integer minor units; it becomes a Decimal or text only at the edges."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, get_currency_precision


@lru_cache(maxsize=64)
def babel_locale(name: str) -> Locale:
    """A parsed locale, built once per name: parsing one costs more than formatting with it."""
    return Locale.parse(name)


@lru_cache(maxsize=256)
def _precision(currency: str) -> int:
    return get_currency_precision(currency)


def to_decimal(cents: int, currency: str) -> Decimal:
    return Decimal(cents).scaleb(-_precision(currency))


def to_cents(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(_precision(currency)).to_integral_value())


def format_money(cents: int, currency: str, locale: str = "en_US") -> str:
    return format_currency(to_decimal(cents, currency), currency, locale=babel_locale(locale))
