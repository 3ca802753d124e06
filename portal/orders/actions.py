"""What a shopper can do to an order themselves: cancel it, redirect it, report a lost parcel.

Each action has a `*_blocker` rule that says, in the shopper's words, why it is not
possible right now (None when it is); the page shows the action or that reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.audit import record_event
from portal.billing.refunds import (
    CreditLine,
    credit_total_cents,
    issue_refund,
    refundable_cents,
    refundable_lines,
)
from portal.domain import DomainError
from portal.mail import queue_mail
from portal.money import format_money
from portal.orders.models import Order, OrderStatus, Shipment, ShipmentStatus
from portal.orders.service import remaining_quantity
from portal.orders.tracking import refresh_order_status

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


class ActionNotAllowed(DomainError):
    """The order's state does not allow this action; the message says why."""


def unshipped_units(order: Order) -> dict[int, int]:
    """Order line id -> units in no parcel and not cancelled (needs parcels' lines loaded)."""
    left = {line.id: remaining_quantity(order, line) for line in order.lines}
    return {line_id: units for line_id, units in left.items() if units > 0}


def cancel_blocker(order: Order) -> str | None:
    """What is not in a parcel yet can be cancelled: the whole order, or the rest of it."""
    if order.status is OrderStatus.CANCELLED:
        return "This order is cancelled."
    if order.status is OrderStatus.RETURNED:
        return "This order was returned."
    if order.status is OrderStatus.DELIVERED:
        return "It has arrived: you can return it instead."
    if not unshipped_units(order):
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
) -> int:
    """Cancels every unit not in a parcel and refunds it; returns the cents refunded.

    With nothing shipped the whole order is cancelled and everything paid comes back
    (shipping included); otherwise only the units left, at their price, discount and tax.
    Needs order.lines and order.shipments (with lines) loaded. The refund and its credit
    note are made in the same transaction; nothing is refunded when nothing was captured.
    A repeated submission for an order already cancelled changes nothing and returns 0.
    """
    if order.status is OrderStatus.CANCELLED:
        return 0
    blocker = cancel_blocker(order)
    if blocker:
        raise ActionNotAllowed(blocker)
    units = unshipped_units(order)
    whole = not order.shipments
    for line in order.lines:
        line.cancelled_quantity += units.get(line.id, 0)
    if whole:
        order.status, order.cancelled_at = OrderStatus.CANCELLED, now
    else:
        refresh_order_status(order)
    refunded = _refund_cancelled(session, order=order, units=units, whole=whole, now=now,
                                 idempotency_key=idempotency_key)
    record_event(session, actor_id=actor_id, action="order.cancelled", object_type="order",
                 object_id=order.number, whole=whole, units=sum(units.values()),
                 refunded_cents=refunded)
    _mail_cancelled(session, order=order, whole=whole, refunded_cents=refunded)
    return refunded


def _refund_cancelled(
    session: Session, *, order: Order, units: dict[int, int], whole: bool, now: datetime,
    idempotency_key: str | None,
) -> int:
    available = refundable_cents(session, order=order)
    if available <= 0:
        return 0
    reason = "Order cancelled" if whole else "Items cancelled before shipping"
    if whole:
        credit: dict[str, Any] = {"lines": refundable_lines(session, order=order),
                                  "shipping_cents": order.shipping_cents}
        worth = order.total_cents
    else:
        credit = {"lines": [CreditLine(line_id, n) for line_id, n in units.items()]}
        worth = credit_total_cents(session, order=order, lines=credit["lines"])
        if worth <= 0:  # free items (a gift, a fully discounted line) bring nothing back
            return 0
    if available < worth:
        # Something was refunded already (a goodwill gesture): give back exactly what is left.
        credit = {"amount_cents": available}
    outcome = issue_refund(session, order=order, reason=reason, now=now,
                           idempotency_key=idempotency_key, **credit)
    return outcome.amount_cents


def _mail_cancelled(session: Session, *, order: Order, whole: bool, refunded_cents: int) -> None:
    money = format_money(refunded_cents, order.currency)
    refund_text = (f"We are refunding {money} to the way you paid; it shows in your "
                   f"billing history now and on your statement within a few days."
                   if refunded_cents else "Nothing was charged, so there is nothing to refund.")
    what = (f"Your order {order.number} is cancelled" if whole else
            f"The items of order {order.number} that had not shipped yet are cancelled")
    queue_mail(
        session, to=order.customer.email,
        subject=f"Order {order.number} is cancelled" if whole else
        f"Items of order {order.number} are cancelled",
        body=f"Hello {order.customer.first_name},\n\n{what}, as you asked.\n{refund_text}\n",
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
