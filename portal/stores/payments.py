"""Store commands for money: payments land in billing, refunds come with their credit note."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.billing.models import Payment, PaymentStatus, Refund
from portal.billing.refunds import CreditLine, RefundError, issue_refund
from portal.stores.lookup import StoreError, by_external_id, order_for_event
from portal.stores.records import PaymentIn, RefundIn


def record_payment(session: Session, *, source: str, record: PaymentIn) -> Payment:
    """A payment on the order (its status follows the shop's); captured money never adds
    up to more than the order's total."""
    payment = by_external_id(session, Payment, source=source, external_id=record.external_id)
    if payment is not None:
        payment.status = record.status
        return payment
    order = order_for_event(session, source=source, external_id=record.order_external_id)
    captured, count = session.execute(
        select(func.coalesce(func.sum(Payment.amount_cents).filter(
            Payment.status == PaymentStatus.CAPTURED), 0), func.count())
        .where(Payment.order_id == order.id)).one()
    if record.status is PaymentStatus.CAPTURED and captured + record.amount > order.total_cents:
        raise StoreError(f"payments would come to more than the order total "
                         f"({order.total_cents})", field="amount")
    payment = Payment(
        order=order, customer_id=order.customer_id, kind=record.kind, brand=record.brand,
        last4=record.last4, amount_cents=record.amount, currency=order.currency,
        status=record.status, reference=f"PAY-{order.number}-{count + 1}"[:40],
        created_at=record.created_at, source=source, external_id=record.external_id,
    )
    session.add(payment)
    session.flush()
    return payment


def record_refund(session: Session, *, source: str, record: RefundIn) -> Refund:
    """The shop's refund with a credit note: the lines and shipping it names when they come
    to the amount the shop paid back, else one adjustment of that amount."""
    existing = by_external_id(session, Refund, source=source, external_id=record.external_id)
    if existing is not None:
        return existing
    order = order_for_event(session, source=source, external_id=record.order_external_id)
    by_id = {line.external_id: line.id for line in order.lines}
    lines = []
    for credited in record.lines:
        if credited.line_external_id not in by_id:
            raise StoreError(f"line {credited.line_external_id!r} is not on this order",
                             field="lines")
        lines.append(CreditLine(by_id[credited.line_external_id], credited.quantity))
    try:
        try:
            outcome = issue_refund(session, order=order, reason=record.reason,
                                   now=record.created_at, lines=lines,
                                   shipping_cents=record.shipping, amount_cents=record.amount)
        except RefundError:
            if not (lines or record.shipping):
                raise
            # The shop rounds its line shares its own way; the money it paid back is the truth.
            outcome = issue_refund(session, order=order, reason=record.reason,
                                   now=record.created_at, amount_cents=record.amount)
    except RefundError as error:
        raise StoreError(error.message, field="amount") from None
    for index, refund in enumerate(outcome.refunds, start=1):
        refund.source = source
        refund.external_id = (record.external_id if index == 1
                              else f"{record.external_id[:94]}#{index}")
    session.flush()
    return outcome.refund
