"""Money for demo orders: invoices, payments, refunds with their credit notes, store credit.

The rows follow the billing domain's rules (portal/billing/documents.py and refunds.py):
invoice lines copy the order lines, document totals come from `document_totals`, numbers
from `invoice_number`/`credit_note_number`, credited lines take their share of discount and
tax rounded half up, outside payers are refunded before stored-value balances, and a refund
equals its credit note and never exceeds what a payment took. Those functions build ORM
objects one order at a time; here the same figures are written as plain rows in bulk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from portal.billing.documents import (
    STORED_VALUE_KINDS,
    credit_note_number,
    document_totals,
    invoice_number,
)
from portal.billing.models import (
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from portal.demo.rows import RowWriter

if TYPE_CHECKING:
    from portal.demo.orders import DraftLine, DraftOrder
    from portal.demo.people import Shopper


@dataclass
class DraftPayment:
    id: int
    kind: PaymentKind
    amount_cents: int
    refunded_cents: int = 0


@dataclass
class CreditBook:
    """Each shopper's store-credit and gift-card movements, to never spend what isn't there."""

    entries: dict[int, list[tuple[datetime, int]]] = field(default_factory=dict)

    def record(self, customer_id: int, at: datetime, amount_cents: int) -> None:
        self.entries.setdefault(customer_id, []).append((at, amount_cents))

    def balance(self, customer_id: int, at: datetime) -> int:
        return sum(amount for when, amount in self.entries.get(customer_id, ()) if when <= at)


@dataclass(frozen=True)
class DocumentLine:
    """An invoice or credit note line, in the shape billing's document_totals reads."""

    order_line_id: int | None
    sku: str | None
    description: str
    quantity: int
    unit_price_cents: int
    discount_cents: int
    tax_rate_bp: int
    tax_cents: int


def _share(amount: int, units: int, of_units: int) -> int:
    """amount * units / of_units rounded half up: billing's rule for a credited line's part."""
    return (2 * amount * units + of_units) // (2 * of_units)


def _add_document(
    writer: RowWriter, order: DraftOrder, *, kind: InvoiceKind, issued_at: datetime,
    lines: list[DocumentLine], shipping_cents: int, credited_invoice_id: int | None,
) -> tuple[int, int]:
    """Queues an invoice or credit note and its lines; returns (id, total)."""
    totals = document_totals(lines, shipping_cents=shipping_cents)
    document_id = writer.next_id(Invoice)
    shopper = order.shopper
    if kind is InvoiceKind.INVOICE:
        number = invoice_number(order)  # type: ignore[arg-type]  (reads .number only)
    else:
        order.credit_notes += 1
        number = credit_note_number(order, order.credit_notes)  # type: ignore[arg-type]
    writer.add(
        Invoice, id=document_id, number=number, kind=kind,
        order_id=order.id, customer_id=shopper.id, credited_invoice_id=credited_invoice_id,
        issued_at=issued_at, currency=order.currency, bill_to=order.address,
        ship_to=order.address, company_name=shopper.company_name, tax_id=shopper.tax_id,
        subtotal_cents=totals.subtotal_cents, discount_cents=totals.discount_cents,
        shipping_cents=totals.shipping_cents, tax_cents=totals.tax_cents,
        total_cents=totals.total_cents,
    )
    for line in lines:
        writer.add(
            InvoiceLine, invoice_id=document_id, order_line_id=line.order_line_id, sku=line.sku,
            description=line.description, quantity=line.quantity,
            unit_price_cents=line.unit_price_cents, discount_cents=line.discount_cents,
            tax_rate_bp=line.tax_rate_bp, tax_cents=line.tax_cents,
        )
    return document_id, totals.total_cents


def line_part(line: DraftLine, quantity: int) -> DocumentLine:
    """`quantity` units of an order line, with their share of its discount and tax."""
    return DocumentLine(
        line.id, line.item.sku, line.item.name, quantity, line.unit_price_cents,
        _share(line.discount_cents, quantity, line.quantity), line.tax_rate_bp,
        _share(line.tax_cents, quantity, line.quantity),
    )


def adjustment_line(reason: str, amount_cents: int) -> DocumentLine:
    """A plain amount credited without lines (a goodwill gesture), untaxed."""
    return DocumentLine(None, None, f"Adjustment: {reason}"[:200], 1, amount_cents, 0, 0, 0)


def issue_invoice(writer: RowWriter, order: DraftOrder) -> None:
    """The order's invoice, issued when it is placed, with the order's own figures."""
    lines = [line_part(line, line.quantity) for line in order.lines]
    order.invoice_id, total = _add_document(
        writer, order, kind=InvoiceKind.INVOICE, issued_at=order.placed_at, lines=lines,
        shipping_cents=order.totals.shipping_cents, credited_invoice_id=None,
    )
    assert total == order.totals.total_cents, "invoice and order disagree"


_LABELS = {PaymentKind.GIFT_CARD: "Gift card", PaymentKind.STORE_CREDIT: "Store credit"}


def _pay(
    writer: RowWriter, order: DraftOrder, *, kind: PaymentKind,
    amount: int, method: tuple[int, str | None, str | None] | None,
    status: PaymentStatus = PaymentStatus.CAPTURED, at: datetime | None = None,
) -> None:
    method_id, brand, last4 = method or (None, None, None)
    order.payment_count += 1
    payment_id = writer.add(
        Payment, order_id=order.id, customer_id=order.shopper.id, payment_method_id=method_id,
        kind=kind, brand=brand, last4=last4, amount_cents=amount, currency=order.currency,
        status=status, reference=f"PAY-{order.number}-{order.payment_count}",
        created_at=at or order.placed_at,
    )
    if status is PaymentStatus.CAPTURED:
        order.payments.append(DraftPayment(payment_id, kind, amount))


def _outside_method(
    rng: random.Random, shopper: Shopper, style: str
) -> tuple[PaymentKind, tuple[int, str | None, str | None] | None]:
    if style == "paypal" and shopper.paypal_id is not None:
        return PaymentKind.PAYPAL, (shopper.paypal_id, None, None)
    if shopper.card is not None:
        return PaymentKind.CARD, shopper.card
    if shopper.paypal_id is not None:
        return PaymentKind.PAYPAL, (shopper.paypal_id, None, None)
    one_off = (None, rng.choice(("visa", "mastercard")), f"{rng.randint(0, 9999):04d}")
    return PaymentKind.CARD, one_off


def take_payment(
    writer: RowWriter, rng: random.Random, book: CreditBook, order: DraftOrder, *, style: str,
) -> None:
    """Pays the order in full: card, PayPal, store credit or a gift card, split when one
    source does not cover it; sometimes a declined card first."""
    remaining = order.totals.total_cents
    shopper, at = order.shopper, order.placed_at
    balance = book.balance(shopper.id, at)
    if style == "credit" and balance <= 0:
        style = "card"
    if style == "gift_card":
        value = next((v for v in (2500, 5000, 10000) if v >= remaining // 2), 10000)
        loaded_at = at - timedelta(days=rng.uniform(1, 30))
        writer.add(
            CreditEntry, customer_id=shopper.id, kind=CreditKind.GIFT_CARD_LOAD,
            amount_cents=value, currency=order.currency, order_id=None, refund_id=None,
            description=f"Gift card GC-{rng.randint(1000, 9999)} redeemed", created_at=loaded_at,
        )
        book.record(shopper.id, loaded_at, value)
        balance = book.balance(shopper.id, at)
        style = "gift_card"
    if style in ("gift_card", "credit") and balance > 0 and remaining > 0:
        kind = PaymentKind.GIFT_CARD if style == "gift_card" else PaymentKind.STORE_CREDIT
        spent = min(balance, remaining)
        _pay(writer, order, kind=kind, amount=spent, method=None)
        writer.add(
            CreditEntry, customer_id=shopper.id, kind=CreditKind.SPENT, amount_cents=-spent,
            currency=order.currency, order_id=order.id, refund_id=None,
            description=f"{_LABELS[kind]} used for order {order.number}", created_at=at,
        )
        book.record(shopper.id, at, -spent)
        remaining -= spent
    if remaining > 0:
        kind, method = _outside_method(rng, shopper, style)
        if style == "declined" and kind is PaymentKind.CARD:
            _pay(writer, order, kind=kind, amount=remaining, method=method,
                 status=PaymentStatus.FAILED, at=at - timedelta(minutes=2))
        _pay(writer, order, kind=kind, amount=remaining, method=method)


def refund(
    writer: RowWriter, book: CreditBook, order: DraftOrder, *, at: datetime, now: datetime,
    lines: list[DocumentLine], shipping_cents: int = 0, reason: str,
    to_store_credit: bool = False, bonus_cents: int = 0, return_request_id: int | None = None,
) -> int:
    """A credit note for `lines`, refunded to the payments (outside payers first) or all as
    store credit; returns the amount. Card and PayPal refunds younger than two days are
    still pending."""
    assert order.invoice_id is not None
    credit_note_id, amount = _add_document(
        writer, order, kind=InvoiceKind.CREDIT_NOTE, issued_at=at, lines=lines,
        shipping_cents=shipping_cents, credited_invoice_id=order.invoice_id,
    )
    number = credit_note_number(order, order.credit_notes)  # type: ignore[arg-type]
    recent = now - at < timedelta(days=2)
    common = {"order_id": order.id, "customer_id": order.shopper.id, "currency": order.currency,
              "credit_note_id": credit_note_id, "return_request_id": return_request_id,
              "reason": reason[:200], "idempotency_key": None, "created_at": at}
    if to_store_credit:
        refund_id = writer.add(Refund, payment_id=None, kind=PaymentKind.STORE_CREDIT,
                               amount_cents=amount, status=RefundStatus.COMPLETED, **common)
        description = f"Store credit for {number} (order {order.number})"
        writer.add(
            CreditEntry, customer_id=order.shopper.id, kind=CreditKind.STORE_CREDIT_ISSUED,
            amount_cents=amount + bonus_cents, currency=order.currency, order_id=order.id,
            refund_id=refund_id, created_at=at,
            description=description + (", bonus included" if bonus_cents else ""),
        )
        book.record(order.shopper.id, at, amount + bonus_cents)
        return amount
    left = amount
    for payment in sorted(order.payments, key=lambda p: (p.kind in STORED_VALUE_KINDS, p.id)):
        part = min(left, payment.amount_cents - payment.refunded_cents)
        if part <= 0:
            continue
        payment.refunded_cents += part
        left -= part
        to_balance = payment.kind in STORED_VALUE_KINDS
        status = RefundStatus.PENDING if recent and not to_balance else RefundStatus.COMPLETED
        refund_id = writer.add(Refund, payment_id=payment.id, kind=payment.kind,
                               amount_cents=part, status=status, **common)
        if to_balance:
            kind = (CreditKind.GIFT_CARD_LOAD if payment.kind is PaymentKind.GIFT_CARD
                    else CreditKind.STORE_CREDIT_ISSUED)
            writer.add(
                CreditEntry, customer_id=order.shopper.id, kind=kind, amount_cents=part,
                currency=order.currency, order_id=order.id, refund_id=refund_id, created_at=at,
                description=f"Refund to {payment.kind.value.replace('_', ' ')} for {number} "
                f"(order {order.number})",
            )
            book.record(order.shopper.id, at, part)
        if left == 0:
            break
    assert left == 0, "refund exceeds what was paid"
    return amount
