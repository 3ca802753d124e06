"""What a shopper can do to an order themselves: cancel it, redirect it, report a lost parcel.

Each action has a `*_blocker` rule that says, in the shopper's words, why it is not
possible right now (None when it is); the page shows the action or that reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.audit import record_event
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


@dataclass(frozen=True)
class Cancellation:
    """What a cancellation took off the order: the units of each line, and whether all of it."""

    order: Order
    units: dict[int, int]
    is_whole: bool


def cancel_order(session: Session, *, order: Order, now: datetime) -> Cancellation | None:
    """Cancels every unit not in a parcel; returns what was cancelled, for billing to refund.

    With nothing shipped the whole order is cancelled; otherwise only the units left.
    Needs order.lines and order.shipments (with lines) loaded. A repeated submission for
    an order already cancelled changes nothing and returns None.
    """
    if order.status is OrderStatus.CANCELLED:
        return None
    blocker = cancel_blocker(order)
    if blocker:
        raise ActionNotAllowed(blocker)
    units = unshipped_units(order)
    is_whole = not order.shipments
    for line in order.lines:
        line.cancelled_quantity += units.get(line.id, 0)
    if is_whole:
        order.status, order.cancelled_at = OrderStatus.CANCELLED, now
    else:
        refresh_order_status(order)
    return Cancellation(order=order, units=units, is_whole=is_whole)


def announce_cancellation(
    session: Session, *, cancellation: Cancellation, actor_id: int, refunded_cents: int,
) -> None:
    """Records the cancellation and tells the shopper what comes back, in their transaction."""
    order, whole = cancellation.order, cancellation.is_whole
    record_event(session, actor_id=actor_id, action="order.cancelled", object_type="order",
                 object_id=order.number, whole=whole, units=sum(cancellation.units.values()),
                 refunded_cents=refunded_cents)
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
