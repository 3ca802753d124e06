"""What staff do to an order from a ticket: cancel what has not shipped, refund a line or an
amount, resend the invoice, start a return for the shopper. Each step goes through the
owning feature's own rules (orders.actions, billing.cancellations and billing.refunds,
returns.service) and is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.audit import record_event
from portal.billing.cancellations import cancel_and_refund
from portal.billing.credit_notes import CreditLine
from portal.billing.models import Invoice, InvoiceKind, Refund
from portal.billing.refunds import invoice_for, issue_refund, refundable_cents
from portal.domain import DomainError, NotFound
from portal.mail import queue_mail
from portal.money import format_money
from portal.orders.actions import cancel_blocker
from portal.orders.models import Order, OrderLine, Shipment
from portal.returns.models import ReturnReason, ReturnRequest, ReturnResolution
from portal.returns.service import ReturnItem, start_return
from portal.store import StorePolicy
from portal.support.models import SupportRequest


@dataclass(frozen=True)
class StaffOrder:
    order: Order
    documents: list[Invoice]
    refunds: list[Refund]
    returns: list[ReturnRequest]
    requests: list[SupportRequest]
    refundable_cents: int
    cancel_blocker: str | None


def get_order(session: Session, *, number: str) -> Order:
    """Any shopper's order by number, with lines, parcels and the shopper, for staff."""
    order = session.scalar(
        select(Order).where(Order.number == number.strip()[:40]).options(
            joinedload(Order.customer),
            selectinload(Order.lines).joinedload(OrderLine.product),
            selectinload(Order.shipments).selectinload(Shipment.lines)))
    if order is None:
        raise NotFound("No such order.")
    return order


def order_overview(session: Session, *, number: str) -> StaffOrder:
    """The order with its documents, refunds, returns and requests (a few queries, bounded)."""
    order = get_order(session, number=number)
    documents = session.scalars(select(Invoice).where(Invoice.order_id == order.id)
                                .order_by(Invoice.issued_at, Invoice.id).limit(50)).all()
    refunds = session.scalars(select(Refund).where(Refund.order_id == order.id)
                              .order_by(Refund.created_at, Refund.id).limit(50)).all()
    returns = session.scalars(select(ReturnRequest).where(ReturnRequest.order_id == order.id)
                              .order_by(ReturnRequest.created_at).limit(50)).all()
    requests = session.scalars(select(SupportRequest).where(SupportRequest.order_id == order.id)
                               .order_by(SupportRequest.created_at).limit(50)).all()
    return StaffOrder(order, list(documents), list(refunds), list(returns), list(requests),
                      refundable_cents(session, order=order),
                      None if order.status.value == "cancelled" else cancel_blocker(order))


def cancel_unshipped(session: Session, *, number: str, staff_id: int, now: datetime,
                     idempotency_key: str) -> int:
    """Cancels every unit not yet in a parcel and refunds it (orders' own rule)."""
    return cancel_and_refund(session, order=get_order(session, number=number),
                             actor_id=staff_id, now=now,
                             idempotency_key=f"staff-cancel-{idempotency_key}")


def refund(session: Session, *, number: str, staff_id: int, now: datetime, reason: str,
           idempotency_key: str, line_id: int | None = None, quantity: int = 0,
           amount_cents: int | None = None) -> int:
    """Refunds units of one line or a plain amount, within what billing still allows."""
    order = get_order(session, number=number)
    if line_id is not None:
        if line_id not in {line.id for line in order.lines}:
            raise DomainError("Choose a line of this order.", field="line")
        credit: dict[str, object] = {"lines": [CreditLine(line_id, quantity)]}
    elif amount_cents is not None and amount_cents > 0:
        credit = {"amount_cents": amount_cents}
    else:
        raise DomainError("Choose a line or enter an amount to refund.", field="amount")
    outcome = issue_refund(session, order=order, reason=reason.strip() or "Refund by our team",
                           now=now, idempotency_key=f"staff-refund-{idempotency_key}",
                           **credit)  # type: ignore[arg-type]
    if outcome.created:
        record_event(session, actor_id=staff_id, action="order.refunded", object_type="order",
                     object_id=order.number, amount_cents=outcome.amount_cents,
                     credit_note=outcome.credit_note.number, reason=reason.strip()[:200])
        queue_mail(session, to=order.customer.email,
                   subject=f"Refund for order {order.number}",
                   body=(f"Hello {order.customer.first_name},\n\nWe are refunding "
                         f"{format_money(outcome.amount_cents, order.currency)} for order "
                         f"{order.number} (credit note {outcome.credit_note.number}).\n"))
    return outcome.amount_cents


def resend_invoice(session: Session, *, number: str, staff_id: int,
                   invoice_url: Callable[[str], str]) -> Invoice:
    """Emails the shopper a link to the order's invoice again."""
    order = get_order(session, number=number)
    invoice = invoice_for(session, order=order)
    if invoice.kind is not InvoiceKind.INVOICE:
        raise DomainError("This order has no invoice.")
    queue_mail(session, to=order.customer.email,
               subject=f"Your invoice {invoice.number} for order {order.number}",
               body=(f"Hello {order.customer.first_name},\n\nAs asked, here is your invoice "
                     f"{invoice.number} for order {order.number}: {invoice_url(invoice.number)}\n"
                     "Sign in to see it or download the PDF.\n"))
    record_event(session, actor_id=staff_id, action="order.invoice_resent", object_type="order",
                 object_id=order.number, invoice=invoice.number)
    return invoice


def start_return_for_shopper(
    session: Session, *, number: str, staff_id: int, line_id: int, quantity: int,
    reason: ReturnReason, policy: StorePolicy, now: datetime, idempotency_key: str,
) -> ReturnRequest:
    """Starts a return as the shopper would (same window and eligibility rules)."""
    order = get_order(session, number=number)
    created = start_return(
        session, customer_id=order.customer_id, order_number=order.number,
        items=[ReturnItem(order_line_id=line_id, quantity=quantity, reason=reason,
                          comment="Started by our support team")],
        resolution=ReturnResolution.REFUND, idempotency_key=f"staff-{idempotency_key}",
        policy=policy, now=now)
    record_event(session, actor_id=staff_id, action="return.started_for_shopper",
                 object_type="order", object_id=order.number, rma_number=created.rma_number)
    return created
