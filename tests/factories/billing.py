"""Billing factories: an order with its invoice and payments, methods on file, credit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.auth.models import Customer
from portal.billing.documents import (
    PaymentSplit,
    build_credit_entry,
    build_invoice,
    build_payment_method,
    build_payments,
    invoice_number,
)
from portal.billing.models import CreditKind, Invoice, PaymentKind, PaymentMethod
from portal.db import utcnow
from portal.orders.models import Order, Product
from portal.store import StorePolicy
from tests.factories import make_order


def make_card(session: Session, customer: Customer, *, brand: str = "Visa",
              last4: str = "4242", exp_month: int = 12, exp_year: int = 2030) -> PaymentMethod:
    method = build_payment_method(customer, kind=PaymentKind.CARD, brand=brand, last4=last4,
                                  exp_month=exp_month, exp_year=exp_year, is_default=True)
    session.add(method)
    session.commit()
    return method


def pay_order(session: Session, order: Order, *,
              splits: Sequence[PaymentSplit] | None = None) -> Invoice:
    """Invoices the order and captures its payments (a card by default) at its placing time."""
    order = session.scalars(select(Order).where(Order.id == order.id)
                            .options(selectinload(Order.lines))).one()
    customer = session.get_one(Customer, order.customer_id)
    invoice = build_invoice(order, customer=customer, number=invoice_number(order),
                            now=order.placed_at)
    built = build_payments(order, customer=customer, now=order.placed_at,
                           splits=splits or (PaymentSplit(brand="Visa", last4="4242"),))
    session.add(invoice)
    session.add_all(built.payments + built.credit_entries)
    session.commit()
    return invoice


def make_paid_order(
    session: Session, customer: Customer, *, lines: int = 2, quantity: int = 1,
    products: list[Product] | None = None, placed_at: datetime | None = None,
    splits: Sequence[PaymentSplit] | None = None, number: str | None = None,
    currency: str = "USD",
) -> tuple[Order, Invoice]:
    """An order, its invoice and its captured payments (a card by default), committed."""
    order = make_order(session, customer, lines=lines, quantity=quantity, products=products,
                       placed_at=placed_at or utcnow() - timedelta(days=3), number=number,
                       policy=StorePolicy(currency=currency))
    return order, pay_order(session, order, splits=splits)


def make_credit(session: Session, customer: Customer, *, amount_cents: int = 5000,
                currency: str = "USD", kind: CreditKind = CreditKind.GIFT_CARD_LOAD,
                at: datetime | None = None, description: str = "Gift card loaded"):
    entry = build_credit_entry(customer, kind=kind, amount_cents=amount_cents,
                               currency=currency, description=description,
                               now=at or utcnow() - timedelta(days=5))
    session.add(entry)
    session.commit()
    return entry
