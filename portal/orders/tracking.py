"""Parcels and their carrier events: dispatching lines, applying events, re-forecasting delivery.

A parcel's current status is always that of its latest event by the carrier's own time,
so events arriving late or twice never move it backwards. The shopper hears about the
moments that matter (out for delivery, delivered, a problem) through the mail outbox, in
the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.domain import DomainError, NotFound
from portal.mail import queue_mail
from portal.orders.carriers import carrier_name, get_carrier
from portal.orders.models import (
    Order,
    OrderStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingEvent,
)

NOTIFY = {
    ShipmentStatus.OUT_FOR_DELIVERY: ("is out for delivery",
                                      "Your parcel is with the driver and should arrive today."),
    ShipmentStatus.DELIVERED: ("has been delivered",
                               "The carrier reports your parcel as delivered."),
    ShipmentStatus.EXCEPTION: ("has a delivery problem",
                               "The carrier reported a problem delivering your parcel. "
                               "The tracking page explains what happens next."),
}


class UnknownTrackingNumber(NotFound):
    def __init__(self, number: str) -> None:
        super().__init__(f"no shipment with tracking number {number!r} for this carrier")


class InvalidShipment(DomainError):
    """A shipment that cannot be made from these lines and quantities."""


@dataclass(frozen=True)
class CarrierEvent:
    """One event as a carrier reported it, already parsed and validated."""

    external_id: str
    tracking_number: str
    carrier_status: str
    status: ShipmentStatus
    occurred_at: datetime
    description: str
    location: str | None = None
    estimated_delivery_on: date | None = None


@dataclass(frozen=True)
class EventsApplied:
    accepted: int
    duplicates: int


def create_shipment(
    session: Session, *, order: Order, carrier: str, tracking_number: str,
    quantities: Mapping[int, int], now: datetime, promised_on: date | None = None,
) -> Shipment:
    """A parcel carrying the given units of the order's lines (order line id -> quantity).

    Needs order.lines and order.shipments (with their lines) loaded; refuses more units
    than are left to send.
    """
    from portal.orders.service import remaining_quantity

    if get_carrier(carrier) is None:
        raise InvalidShipment(f"Unknown carrier {carrier!r}.")
    lines = {line.id: line for line in order.lines}
    if not quantities or any(q <= 0 for q in quantities.values()):
        raise InvalidShipment("A parcel needs at least one item.")
    for line_id, quantity in quantities.items():
        line = lines.get(line_id)
        if line is None or quantity > remaining_quantity(order, line):
            raise InvalidShipment("That is more than is left to send.")
    shipment = Shipment(
        order=order, carrier=carrier, tracking_number=tracking_number,
        status=ShipmentStatus.INFO_RECEIVED, promised_delivery_on=promised_on,
        estimated_delivery_on=promised_on, status_changed_at=now, events=[],
        lines=[ShipmentLine(order_line_id=i, quantity=q) for i, q in quantities.items()],
    )
    order.shipments.append(shipment)
    session.add(shipment)
    refresh_order_status(order)
    return shipment


def refresh_order_status(order: Order) -> None:
    """Processing -> partially shipped -> shipped -> delivered, from the parcels' contents.

    Cancelled and returned orders keep their status. Needs lines and shipments' lines loaded.
    """
    if order.status in (OrderStatus.CANCELLED, OrderStatus.RETURNED):
        return
    shipped: dict[int, int] = {}
    for shipment in order.shipments:
        for sl in shipment.lines:
            shipped[sl.order_line_id] = shipped.get(sl.order_line_id, 0) + sl.quantity
    if not order.shipments:
        order.status = OrderStatus.PROCESSING
        return
    everything = all(shipped.get(line.id, 0) >= line.quantity - line.cancelled_quantity
                     for line in order.lines)
    if not everything:
        order.status = OrderStatus.PARTIALLY_SHIPPED
    elif all(s.status is ShipmentStatus.DELIVERED for s in order.shipments):
        order.status = OrderStatus.DELIVERED
    else:
        order.status = OrderStatus.SHIPPED


def forecast(shipment: Shipment, *, latest: TrackingEvent,
             carrier_estimate: date | None) -> date | None:
    """The delivery date to show now; the original promise stays in promised_delivery_on."""
    if latest.status is ShipmentStatus.DELIVERED:
        return latest.occurred_at.date()
    estimate = carrier_estimate or shipment.estimated_delivery_on
    if latest.status is ShipmentStatus.FAILED_ATTEMPT:
        retry = latest.occurred_at.date() + timedelta(days=1)
        return max(estimate, retry) if estimate else retry
    return estimate


def apply_events(
    session: Session, *, carrier: str, events: Sequence[CarrierEvent], now: datetime,
    link_for: Callable[[Shipment], str],
) -> EventsApplied:
    """Stores new events (ignoring ids seen before) and brings each parcel up to date.

    An unknown tracking number refuses the whole batch. link_for(shipment) gives the URL
    put in the shopper's email.
    """
    numbers = {event.tracking_number for event in events}
    shipments = {
        s.tracking_number: s
        for s in session.scalars(
            select(Shipment)
            .where(Shipment.carrier == carrier, Shipment.tracking_number.in_(numbers))
            .options(joinedload(Shipment.order).joinedload(Order.customer))
        )
    }
    missing = sorted(numbers - shipments.keys())
    if missing:
        raise UnknownTrackingNumber(missing[0])
    ids = {s.id for s in shipments.values()}
    seen = {
        (row.shipment_id, row.external_id)
        for row in session.execute(
            select(TrackingEvent.shipment_id, TrackingEvent.external_id).where(
                TrackingEvent.shipment_id.in_(ids),
                TrackingEvent.external_id.in_({e.external_id for e in events}),
            )
        )
    }
    touched: dict[int, Shipment] = {}
    accepted = 0
    for event in events:
        shipment = shipments[event.tracking_number]
        key = (shipment.id, event.external_id)
        if key in seen:
            continue
        seen.add(key)
        accepted += 1
        touched[shipment.id] = shipment
        session.add(TrackingEvent(
            shipment_id=shipment.id, external_id=event.external_id,
            occurred_at=event.occurred_at, status=event.status,
            carrier_status=event.carrier_status[:80], location=event.location,
            description=event.description[:300],
            estimated_delivery_on=event.estimated_delivery_on, received_at=now,
        ))
    session.flush()
    for shipment in touched.values():
        _bring_up_to_date(session, shipment, link_for=link_for)
    return EventsApplied(accepted=accepted, duplicates=len(events) - accepted)


def _bring_up_to_date(
    session: Session, shipment: Shipment, *, link_for: Callable[[Shipment], str]
) -> None:
    newest_first = (TrackingEvent.occurred_at.desc(), TrackingEvent.id.desc())
    latest = session.scalars(
        select(TrackingEvent).where(TrackingEvent.shipment_id == shipment.id)
        .order_by(*newest_first).limit(1)
    ).one()
    carrier_estimate = session.scalar(
        select(TrackingEvent.estimated_delivery_on)
        .where(TrackingEvent.shipment_id == shipment.id,
               TrackingEvent.estimated_delivery_on.is_not(None))
        .order_by(*newest_first).limit(1)
    )
    first_moved = session.scalar(
        select(TrackingEvent.occurred_at)
        .where(TrackingEvent.shipment_id == shipment.id,
               TrackingEvent.status != ShipmentStatus.INFO_RECEIVED)
        .order_by(TrackingEvent.occurred_at).limit(1)
    )
    shipment.shipped_at = first_moved
    shipment.estimated_delivery_on = forecast(
        shipment, latest=latest, carrier_estimate=carrier_estimate
    )
    shipment.delivered_at = (
        latest.occurred_at if latest.status is ShipmentStatus.DELIVERED else None
    )
    if latest.status is shipment.status:
        return
    shipment.status = latest.status
    shipment.status_changed_at = latest.occurred_at
    _refresh_order(session, shipment.order)
    if latest.status in NOTIFY:
        _notify(session, shipment, latest, link=link_for(shipment))


def _refresh_order(session: Session, order: Order) -> None:
    session.scalars(
        select(Order).where(Order.id == order.id)
        .options(selectinload(Order.lines),
                 selectinload(Order.shipments).selectinload(Shipment.lines))
    ).one()
    refresh_order_status(order)


def _notify(session: Session, shipment: Shipment, event: TrackingEvent, *, link: str) -> None:
    order = shipment.order
    headline, body = NOTIFY[event.status]
    where = f" ({event.location})" if event.location else ""
    queue_mail(
        session, to=order.customer.email,
        subject=f"Your order {order.number} {headline}",
        body=(
            f"Hello {order.customer.first_name},\n\n{body}\n\n"
            f"{carrier_name(shipment.carrier)} reported: {event.description}{where}\n"
            f"Tracking number: {shipment.tracking_number}\n\n"
            f"Follow your parcel: {link}\n"
        ),
    )

