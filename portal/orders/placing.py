"""Placing an order: lines priced from products, totals derived, the return policy recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.orders.models import Order, OrderLine, OrderStatus, Product
from portal.orders.pricing import line_tax_cents, totals_for
from portal.store import StorePolicy


@dataclass(frozen=True)
class CartItem:
    product: Product
    quantity: int
    discount_cents: int = 0


def place_order(
    session: Session,
    *,
    customer: Customer,
    number: str,
    items: Sequence[CartItem],
    shipping_address: dict[str, Any],
    billing_address: dict[str, Any] | None = None,
    policy: StorePolicy,
    now: datetime,
) -> Order:
    """A new processing order; shipping is free above the policy's threshold."""
    if not items:
        raise ValueError("an order needs at least one item")
    lines = [
        OrderLine(
            product=item.product, sku=item.product.sku, product_name=item.product.name,
            quantity=item.quantity, unit_price_cents=item.product.price_cents,
            discount_cents=item.discount_cents, tax_rate_bp=item.product.tax_rate_bp,
            tax_cents=line_tax_cents(
                quantity=item.quantity, unit_price_cents=item.product.price_cents,
                discount_cents=item.discount_cents, tax_rate_bp=item.product.tax_rate_bp,
            ),
        )
        for item in items
    ]
    net = sum(line.net_cents for line in lines)
    shipping = 0 if net >= policy.free_shipping_threshold_cents else policy.standard_shipping_cents
    totals = totals_for(lines, shipping_cents=shipping)
    order = Order(
        number=number, customer=customer, status=OrderStatus.PROCESSING, placed_at=now,
        currency=policy.currency, shipping_address=shipping_address,
        billing_address=billing_address or shipping_address,
        return_policy=policy.as_snapshot(), lines=lines, shipments=[],
        subtotal_cents=totals.subtotal_cents, discount_cents=totals.discount_cents,
        shipping_cents=totals.shipping_cents, tax_cents=totals.tax_cents,
        total_cents=totals.total_cents,
    )
    session.add(order)
    return order
