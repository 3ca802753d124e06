"""What a shopper can do to an order themselves: cancel it, redirect it, report a lost parcel.

Each action has a `*_blocker` rule that says, in the shopper's words, why it is not
possible right now (None when it is); the page shows the action or that reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.audit import record_event
from portal.billing.models import Refund
from portal.billing.refunds import issue_refund, refundable_cents, refundable_lines
from portal.domain import DomainError
from portal.enums import OrderStatus, ShipmentStatus
from portal.mail import queue_mail
from portal.money import format_money
from portal.orders.models import Order, Shipment

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


class ActionNotAllowed(DomainError):
    pass


def cancel_blocker(order: Order) -> str | None:
    """Only an order with nothing in a parcel yet can be cancelled (needs shipments loaded)."""
    if order.status is OrderStatus.CANCELLED:
        return "This order is cancelled."
    if order.status is OrderStatus.RETURNED:
        return "This order was returned."
    if order.status is OrderStatus.DELIVERED:
        return "It has arrived: you can return it instead."
    if order.shipments:
        if order.status is OrderStatus.PARTIALLY_SHIPPED:
            return ("Part of it is already on its way, so it cannot be cancelled here: "
                    "return what arrives, or contact us about the rest.")
        return "Already on its way: you can return it once it arrives."
    return None


def address_blocker(order: Order) -> str | None:
    """The delivery address can change until the first parcel leaves the warehouse."""
    if order.status in (OrderStatus.CANCELLED, OrderStatus.RETURNED):
        return f"This order is {order.status.value}."
    if any(s.shipped_at is not None or s.status is not ShipmentStatus.INFO_RECEIVED
           for s in order.shipments):
        return ("A parcel has already left with this address; the carrier's link lets you "
                "redirect it or choose a pickup point.")
    return None


def cancel_order(
    session: Session, *, order: Order, actor_id: int, now: datetime,
    idempotency_key: str | None = None,
) -> Refund | None:
    """Cancels every unit and refunds what was paid; returns the first refund, if any.

    Needs order.lines and order.shipments loaded. The refund (credit note included) is
    made in the same transaction; nothing is refunded when nothing was captured.
    """
    blocker = cancel_blocker(order)
    if blocker:
        raise ActionNotAllowed(blocker)
    for line in order.lines:
        line.cancelled_quantity = line.quantity
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = now
    refund = None
    available = refundable_cents(session, order=order)
    if available > 0:
        lines = refundable_lines(session, order=order)
        if available < order.total_cents:
            # Something was refunded already: give back exactly what is left.
            outcome = issue_refund(session, order=order, reason="Order cancelled", now=now,
                                   amount_cents=available, idempotency_key=idempotency_key)
        else:
            outcome = issue_refund(session, order=order, reason="Order cancelled", now=now,
                                   lines=lines, shipping_cents=order.shipping_cents,
                                   idempotency_key=idempotency_key)
        refund = outcome.refund
    record_event(session, actor_id=actor_id, action="order.cancelled", object_type="order",
                 object_id=order.number, refunded_cents=available)
    _mail_cancelled(session, order=order, refunded_cents=max(available, 0))
    return refund


def _mail_cancelled(session: Session, *, order: Order, refunded_cents: int) -> None:
    money = format_money(refunded_cents, order.currency)
    refund_text = (f"We are refunding {money} to the way you paid; it shows in your "
                   f"billing history now and on your statement within a few days."
                   if refunded_cents else "Nothing was charged, so there is nothing to refund.")
    queue_mail(
        session, to=order.customer.email, subject=f"Order {order.number} is cancelled",
        body=f"Hello {order.customer.first_name},\n\nYour order {order.number} is cancelled "
             f"as you asked.\n{refund_text}\n",
    )


def change_address(
    session: Session, *, order: Order, address: dict[str, Any], actor_id: int,
) -> None:
    """Replaces the delivery address while no parcel has left (needs shipments loaded)."""
    blocker = address_blocker(order)
    if blocker:
        raise ActionNotAllowed(blocker)
    new = {name: (address.get(name) or None) for name in ADDRESS_FIELDS}
    if new == {name: order.shipping_address.get(name) for name in ADDRESS_FIELDS}:
        return
    order.shipping_address = new
    record_event(session, actor_id=actor_id, action="order.address_changed",
                 object_type="order", object_id=order.number,
                 city=new["city"], country=new["country"])


def report_not_received(
    session: Session, *, shipment: Shipment, actor_id: int, now: datetime
) -> bool:
    """Records that a parcel marked delivered never arrived; False if already reported."""
    if shipment.status is not ShipmentStatus.DELIVERED:
        raise ActionNotAllowed("This parcel is not marked as delivered yet.")
    if shipment.not_received_reported_at is not None:
        return False
    shipment.not_received_reported_at = now
    record_event(session, actor_id=actor_id, action="shipment.not_received",
                 object_type="shipment", object_id=shipment.id,
                 tracking_number=shipment.tracking_number)
    return True
