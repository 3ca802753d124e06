"""Refunds: money back against what an order actually paid, always documented by a credit note.

One call refunds an amount made of credited order lines (their share of discount and tax
included), optionally the shipping charge, less fees (return shipping, restocking). The money
goes back to the order's captured payments (outside payers first), or all of it to store
credit, optionally with a bonus. An issued invoice is never edited: the credit note is a new
document with its own number that links to the invoice it corrects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.auth.models import Customer
from portal.billing.credit_notes import (
    CreditLine,
    FeeLine,
    RefundError,
    build_credit_note,
    credit_total_cents,
    credited_quantities,
)
from portal.billing.documents import STORED_VALUE_KINDS, build_invoice, invoice_number
from portal.billing.models import (
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from portal.orders.models import Order, OrderLine

__all__ = ["CreditLine", "FeeLine", "RefundError", "RefundOutcome", "credit_total_cents",
           "credited_quantities", "invoice_for", "issue_refund", "refundable_cents",
           "refundable_lines"]


@dataclass
class RefundOutcome:
    """What issue_refund made (or found again, with created=False, for a repeated key)."""

    credit_note: Invoice
    refunds: list[Refund]
    credit_entries: list[CreditEntry] = field(default_factory=list)
    created: bool = True

    @property
    def amount_cents(self) -> int:
        return sum(refund.amount_cents for refund in self.refunds)

    @property
    def refund(self) -> Refund:
        """The first refund row (the one holding the idempotency key)."""
        return self.refunds[0]


def refundable_cents(session: Session, *, order: Order) -> int:
    """What can still be refunded: captured payments less refunds not failed."""
    paid = session.scalar(
        select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
            Payment.order_id == order.id, Payment.status == PaymentStatus.CAPTURED)
    ) or 0
    refunded = session.scalar(
        select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
            Refund.order_id == order.id, Refund.status != RefundStatus.FAILED)
    ) or 0
    return paid - refunded


def refundable_lines(session: Session, *, order: Order) -> list[CreditLine]:
    """Every unit of the order not yet credited, e.g. to refund a cancelled order in full."""
    credited = credited_quantities(session, order=order)
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)
                            .order_by(OrderLine.id))
    return [CreditLine(line.id, line.quantity - credited.get(line.id, 0)) for line in lines
            if line.quantity > credited.get(line.id, 0)]


def issue_refund(
    session: Session,
    *,
    order: Order,
    reason: str,
    now: datetime,
    lines: Sequence[CreditLine] = (),
    shipping_cents: int = 0,
    fees: Sequence[FeeLine] = (),
    amount_cents: int | None = None,
    to_store_credit: bool = False,
    bonus_cents: int = 0,
    return_request_id: int | None = None,
    idempotency_key: str | None = None,
) -> RefundOutcome:
    """Refund part or all of an order, never more than was paid less earlier refunds.

    - `lines`: order lines and units to credit (proportional price, discount and tax; the
      last units of a line take the rounding remainder so a full credit equals the line).
    - `shipping_cents`: shipping charge to credit (at most the order's, less credited).
    - `fees`: amounts deducted from the refund, shown as negative lines on the credit note.
    - `amount_cents`: with no lines and no shipping, a plain adjustment of this amount;
      otherwise, when given, it must equal the computed total (a guard for callers).
    - `to_store_credit`: everything becomes store credit (plus `bonus_cents`, which is store
      money and not refunded money) instead of going back to the payments.
    - `idempotency_key`: a repeated key returns the first outcome (created=False).

    Creates the credit note (kind credit_note, credited_invoice = the order's invoice, made
    first if the order had none), one Refund per payment drawn on, and CreditEntry rows for
    store credit or refunds to a gift card. Flushes; the caller commits. Raises RefundError.
    If a concurrent request with the same key wins the race, the session is rolled back and
    the winner's outcome returned.
    """
    if idempotency_key:
        found = _replay(session, order=order, key=idempotency_key)
        if found is not None:
            return found
    if bonus_cents and not to_store_credit:
        raise RefundError("A bonus is only given with store credit.")
    if bonus_cents < 0 or shipping_cents < 0:
        raise RefundError("Amounts cannot be negative.")
    invoice = invoice_for(session, order=order)
    credit_note = build_credit_note(session, order=order, invoice=invoice, reason=reason, now=now,
                               lines=lines, shipping_cents=shipping_cents, fees=fees,
                               amount_cents=amount_cents)
    total = credit_note.total_cents
    available = refundable_cents(session, order=order)
    if total > available:
        raise RefundError(
            f"The refund ({total} cents) is more than what is left to refund "
            f"({available} cents).", field="amount_cents")
    if to_store_credit:
        outcome = _to_store_credit(order=order, credit_note=credit_note, amount=total,
                                   bonus=bonus_cents, reason=reason, now=now,
                                   return_request_id=return_request_id)
    else:
        outcome = _to_payments(session, order=order, credit_note=credit_note, amount=total,
                               reason=reason, now=now, return_request_id=return_request_id)
    outcome.refunds[0].idempotency_key = idempotency_key
    for index, extra in enumerate(outcome.refunds[1:], start=2):
        extra.idempotency_key = f"{idempotency_key[:58]}#{index}" if idempotency_key else None
    session.add(credit_note)
    session.add_all(outcome.refunds)
    session.add_all(outcome.credit_entries)
    try:
        session.flush()
    except IntegrityError:
        # Another request won the race with the same key (or took the same note number):
        # this transaction is void, and the winner's outcome is the answer.
        session.rollback()
        found = _replay(session, order=order, key=idempotency_key) if idempotency_key else None
        if found is None:
            raise RefundError("Another refund for this order is in progress; try again.") from None
        return found
    return outcome


def invoice_for(session: Session, *, order: Order) -> Invoice:
    """The order's invoice, issued (as of the order's date) and flushed if it had none."""
    invoice = session.scalar(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.kind == InvoiceKind.INVOICE))
    if invoice is not None:
        return invoice
    loaded = session.scalars(select(Order).where(Order.id == order.id)
                             .options(selectinload(Order.lines))).one()
    customer = session.get_one(Customer, order.customer_id)
    invoice = build_invoice(loaded, customer=customer, number=invoice_number(order),
                            now=order.placed_at)
    session.add(invoice)
    session.flush()
    return invoice


def _to_store_credit(
    *, order: Order, credit_note: Invoice, amount: int, bonus: int, reason: str,
    now: datetime, return_request_id: int | None,
) -> RefundOutcome:
    refund = Refund(
        order_id=order.id, customer_id=order.customer_id, payment_id=None,
        credit_note=credit_note, return_request_id=return_request_id,
        kind=PaymentKind.STORE_CREDIT, amount_cents=amount, currency=order.currency,
        reason=reason[:200], status=RefundStatus.COMPLETED, created_at=now,
    )
    description = f"Store credit for {credit_note.number} (order {order.number})"
    if bonus:
        description += ", bonus included"
    entry = CreditEntry(
        customer_id=order.customer_id, kind=CreditKind.STORE_CREDIT_ISSUED,
        amount_cents=amount + bonus, currency=order.currency, order_id=order.id,
        refund=refund, description=description, created_at=now,
    )
    return RefundOutcome(credit_note=credit_note, refunds=[refund], credit_entries=[entry])


def _to_payments(
    session: Session, *, order: Order, credit_note: Invoice, amount: int, reason: str,
    now: datetime, return_request_id: int | None,
) -> RefundOutcome:
    payments = list(session.scalars(select(Payment).where(
        Payment.order_id == order.id, Payment.status == PaymentStatus.CAPTURED)
        .order_by(Payment.id)))
    already = dict(session.execute(
        select(Refund.payment_id, func.sum(Refund.amount_cents)).where(
            Refund.order_id == order.id, Refund.status != RefundStatus.FAILED,
            Refund.payment_id.is_not(None)).group_by(Refund.payment_id)).all())
    # Outside payers (card, PayPal) get their money back before stored-value balances.
    payments.sort(key=lambda payment: (payment.kind in STORED_VALUE_KINDS, payment.id))
    outcome = RefundOutcome(credit_note=credit_note, refunds=[])
    left = amount
    for payment in payments:
        take = min(left, payment.amount_cents - (already.get(payment.id) or 0))
        if take <= 0:
            continue
        refund = Refund(
            order_id=order.id, customer_id=order.customer_id, payment_id=payment.id,
            credit_note=credit_note, return_request_id=return_request_id, kind=payment.kind,
            amount_cents=take, currency=order.currency, reason=reason[:200],
            status=RefundStatus.COMPLETED, created_at=now,
        )
        outcome.refunds.append(refund)
        if payment.kind in STORED_VALUE_KINDS:
            kind = (CreditKind.GIFT_CARD_LOAD if payment.kind is PaymentKind.GIFT_CARD
                    else CreditKind.STORE_CREDIT_ISSUED)
            outcome.credit_entries.append(CreditEntry(
                customer_id=order.customer_id, kind=kind, amount_cents=take,
                currency=order.currency, order_id=order.id, refund=refund, created_at=now,
                description=f"Refund to {payment.kind.value.replace('_', ' ')} for "
                            f"{credit_note.number} (order {order.number})",
            ))
        left -= take
        if left == 0:
            break
    if left:
        # Refunds not tied to a payment (store credit) used up what a payment could return.
        raise RefundError("The payments cannot take this refund back; use store credit.")
    return outcome


def _replay(session: Session, *, order: Order, key: str) -> RefundOutcome | None:
    first = session.scalar(select(Refund).where(Refund.idempotency_key == key)
                           .options(selectinload(Refund.credit_note)))
    if first is None:
        return None
    if first.order_id != order.id:
        raise RefundError("This request key was already used for another order.")
    refunds = list(session.scalars(select(Refund).where(
        Refund.credit_note_id == first.credit_note_id).order_by(Refund.id)))
    entries = list(session.scalars(select(CreditEntry).where(
        CreditEntry.refund_id.in_([refund.id for refund in refunds])).order_by(CreditEntry.id)))
    return RefundOutcome(credit_note=first.credit_note, refunds=refunds,
                         credit_entries=entries, created=False)
