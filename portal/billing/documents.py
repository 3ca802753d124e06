"""Invoices and payments as plain constructors: no queries, so seeding can build them in bulk.

An invoice copies everything it shows at the moment it is issued (addresses, the shopper's
company name and tax ID, line prices and tax), so later edits never change an issued document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from portal.auth.models import Customer
from portal.billing.models import (
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from portal.orders.models import Order
from portal.orders.pricing import Totals

#: Balances that a payment draws from a stored-value account, not from an outside payer.
STORED_VALUE_KINDS = frozenset({PaymentKind.GIFT_CARD, PaymentKind.STORE_CREDIT})


class DocumentLine(Protocol):
    quantity: int
    unit_price_cents: int
    discount_cents: int
    tax_cents: int


def document_totals(lines: Iterable[DocumentLine], *, shipping_cents: int) -> Totals:
    """Lines + shipping - discounts + tax = total, each figure summed from the lines' own."""
    lines = list(lines)
    subtotal = sum(line.quantity * line.unit_price_cents for line in lines)
    discount = sum(line.discount_cents for line in lines)
    tax = sum(line.tax_cents for line in lines)
    return Totals(
        subtotal_cents=subtotal, discount_cents=discount, shipping_cents=shipping_cents,
        tax_cents=tax, total_cents=subtotal - discount + shipping_cents + tax,
    )


def invoice_number(order: Order) -> str:
    """The invoice number of an order: one invoice per order, so it is derived from it."""
    return f"INV-{order.number}"


def credit_note_number(order: Order, sequence: int) -> str:
    """The number of the order's `sequence`-th credit note (1-based)."""
    return f"CN-{order.number}-{sequence}"


def build_invoice(order: Order, *, customer: Customer, number: str, now: datetime) -> Invoice:
    """The invoice for an order, built from its loaded lines without any query.

    It bills every ordered unit (cancellations are credited later by credit notes) and copies
    the addresses and the customer's company name and tax ID as they are now. The caller adds
    it to the session. `order.lines` must already be loaded (or set on a new order).
    """
    lines = [
        InvoiceLine(
            order_line=line, sku=line.sku, description=line.product_name,
            quantity=line.quantity, unit_price_cents=line.unit_price_cents,
            discount_cents=line.discount_cents, tax_rate_bp=line.tax_rate_bp,
            tax_cents=line.tax_cents,
        )
        for line in order.lines
    ]
    totals = document_totals(lines, shipping_cents=order.shipping_cents)
    return Invoice(
        number=number, kind=InvoiceKind.INVOICE, order=order, customer=customer,
        issued_at=now, currency=order.currency,
        bill_to=dict(order.billing_address or order.shipping_address),
        ship_to=dict(order.shipping_address),
        company_name=customer.company_name, tax_id=customer.tax_id,
        subtotal_cents=totals.subtotal_cents, discount_cents=totals.discount_cents,
        shipping_cents=totals.shipping_cents, tax_cents=totals.tax_cents,
        total_cents=totals.total_cents, lines=lines, credit_notes=[],
    )


def build_payment_method(
    customer: Customer, *, kind: PaymentKind = PaymentKind.CARD, brand: str | None = None,
    last4: str | None = None, exp_month: int | None = None, exp_year: int | None = None,
    email: str | None = None, is_default: bool = False, now: datetime | None = None,
) -> PaymentMethod:
    """A method on file, holding only what can be shown masked (never a card number)."""
    if last4 is not None and (len(last4) != 4 or not last4.isdigit()):
        raise ValueError("last4 must be exactly four digits")
    method = PaymentMethod(
        customer=customer, kind=kind, brand=brand, last4=last4, exp_month=exp_month,
        exp_year=exp_year, email=email, is_default=is_default,
    )
    if now is not None:
        method.created_at = now
    return method


@dataclass(frozen=True)
class PaymentSplit:
    """One part of how an order was paid. Without an amount, it takes what is left to pay."""

    kind: PaymentKind = PaymentKind.CARD
    amount_cents: int | None = None
    method: PaymentMethod | None = None
    brand: str | None = None
    last4: str | None = None
    status: PaymentStatus = PaymentStatus.CAPTURED


@dataclass(frozen=True)
class BuiltPayments:
    payments: list[Payment]
    credit_entries: list[CreditEntry]


def build_payments(
    order: Order, *, customer: Customer, splits: Sequence[PaymentSplit] = (PaymentSplit(),),
    now: datetime,
) -> BuiltPayments:
    """The payments of an order (card, PayPal, gift card, store credit, or a split of them).

    Captured parts must add up to the order total. A gift-card or store-credit part also
    yields the SPENT movement of that balance (a negative CreditEntry), which is how the
    billing ledger shows it; nothing here queries or adds to a session.
    """
    payments: list[Payment] = []
    entries: list[CreditEntry] = []
    remaining = order.total_cents
    for index, split in enumerate(splits, start=1):
        amount = remaining if split.amount_cents is None else split.amount_cents
        if amount <= 0:
            raise ValueError("every payment part needs a positive amount")
        method = split.method
        payment = Payment(
            order=order, customer=customer, payment_method=method, kind=split.kind,
            brand=split.brand or (method.brand if method else None),
            last4=split.last4 or (method.last4 if method else None),
            amount_cents=amount, currency=order.currency, status=split.status,
            reference=f"PAY-{order.number}-{index}", created_at=now,
        )
        payments.append(payment)
        if split.status is PaymentStatus.CAPTURED:
            remaining -= amount
            if split.kind in STORED_VALUE_KINDS:
                entries.append(CreditEntry(
                    customer=customer, kind=CreditKind.SPENT, amount_cents=-amount,
                    currency=order.currency, order=order, created_at=now,
                    description=f"{_kind_label(split.kind)} used for order {order.number}",
                ))
    if remaining != 0:
        raise ValueError("captured payments must add up to the order total")
    return BuiltPayments(payments=payments, credit_entries=entries)


def build_credit_entry(
    customer: Customer, *, kind: CreditKind, amount_cents: int, currency: str,
    description: str, now: datetime, order: Order | None = None,
) -> CreditEntry:
    """A movement of the shopper's gift-card or store-credit balance (positive adds)."""
    adds = kind in (CreditKind.GIFT_CARD_LOAD, CreditKind.STORE_CREDIT_ISSUED)
    if amount_cents == 0 or (amount_cents > 0) != adds:
        raise ValueError(f"a {kind.value} movement must be {'positive' if adds else 'negative'}")
    return CreditEntry(
        customer=customer, kind=kind, amount_cents=amount_cents, currency=currency,
        order=order, description=description, created_at=now,
    )


def _kind_label(kind: PaymentKind) -> str:
    return {PaymentKind.GIFT_CARD: "Gift card", PaymentKind.STORE_CREDIT: "Store credit",
            PaymentKind.PAYPAL: "PayPal", PaymentKind.CARD: "Card"}[kind]
