"""How an order's money adds up: every total is derived from its lines, never typed in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol


class PricedLine(Protocol):
    quantity: int
    unit_price_cents: int
    discount_cents: int
    tax_rate_bp: int


@dataclass(frozen=True)
class Totals:
    subtotal_cents: int
    discount_cents: int
    shipping_cents: int
    tax_cents: int
    total_cents: int


def line_tax_cents(*, quantity: int, unit_price_cents: int, discount_cents: int,
                   tax_rate_bp: int) -> int:
    """Tax on the discounted line price, rounded half up to the cent."""
    net = quantity * unit_price_cents - discount_cents
    tax = Decimal(net) * Decimal(tax_rate_bp) / Decimal(10_000)
    return int(tax.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def totals_for(lines: Iterable[PricedLine], *, shipping_cents: int) -> Totals:
    """Lines + shipping - discounts + tax = total (shipping is not taxed)."""
    lines = list(lines)
    subtotal = sum(line.quantity * line.unit_price_cents for line in lines)
    discount = sum(line.discount_cents for line in lines)
    tax = sum(
        line_tax_cents(quantity=line.quantity, unit_price_cents=line.unit_price_cents,
                       discount_cents=line.discount_cents, tax_rate_bp=line.tax_rate_bp)
        for line in lines
    )
    return Totals(
        subtotal_cents=subtotal, discount_cents=discount, shipping_cents=shipping_cents,
        tax_cents=tax, total_cents=subtotal - discount + shipping_cents + tax,
    )
