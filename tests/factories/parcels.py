"""Parcels, tracking events and payments for orders made by tests.factories.make_order."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.billing.models import Invoice, Payment, PaymentKind, PaymentStatus
from portal.billing.refunds import invoice_for
from portal.db import utcnow
from portal.orders.models import Order, Shipment, ShipmentStatus, TrackingEvent
from portal.orders.tracking import create_shipment, refresh_order_status

_sequence = itertools.count(1)


def load_order(session: Session, order: Order) -> Order:
    """The order with lines and parcels (and their lines) loaded, as the services need it."""
    return session.scalars(
        select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
        .options(selectinload(Order.lines),
                 selectinload(Order.shipments).selectinload(Shipment.lines))
    ).one()


def make_shipment(
    session: Session, order: Order, *, carrier: str = "ups", status: ShipmentStatus =
    ShipmentStatus.IN_TRANSIT, quantities: dict[int, int] | None = None,
    promised_on: date | None = None, estimated_on: date | None = None,
    shipped_at: datetime | None = None, delivered_at: datetime | None = None,
    tracking_number: str | None = None, events: int = 0,
) -> Shipment:
    """A parcel with every remaining unit unless quantities say otherwise; commits."""
    order = load_order(session, order)
    now = utcnow()
    if quantities is None:
        from portal.orders.service import remaining_quantity

        quantities = {line.id: remaining_quantity(order, line) for line in order.lines}
        quantities = {k: v for k, v in quantities.items() if v > 0}
    shipment = create_shipment(
        session, order=order, carrier=carrier,
        tracking_number=tracking_number or f"1Z{next(_sequence):010d}",
        quantities=quantities, now=now, promised_on=promised_on,
    )
    shipment.status = status
    shipment.estimated_delivery_on = estimated_on or promised_on
    if status is not ShipmentStatus.INFO_RECEIVED:
        shipment.shipped_at = shipped_at or now - timedelta(days=2)
    if status is ShipmentStatus.DELIVERED:
        shipment.delivered_at = delivered_at or now - timedelta(hours=3)
    for n in range(events):
        session.add(TrackingEvent(
            shipment=shipment, external_id=f"seed-{shipment.tracking_number}-{n}",
            occurred_at=now - timedelta(hours=10 * (events - n)),
            status=status if n == events - 1 else ShipmentStatus.IN_TRANSIT,
            carrier_status="seed", description=f"Scan {n + 1}", location="Portland, OR",
        ))
    refresh_order_status(order)
    session.commit()
    return shipment


def make_payment(
    session: Session, order: Order, *, amount_cents: int | None = None,
    kind: PaymentKind = PaymentKind.CARD, status: PaymentStatus = PaymentStatus.CAPTURED,
) -> Payment:
    payment = Payment(
        order_id=order.id, customer_id=order.customer_id, kind=kind,
        brand="Visa" if kind is PaymentKind.CARD else None,
        last4="4242" if kind is PaymentKind.CARD else None,
        amount_cents=order.total_cents if amount_cents is None else amount_cents,
        currency=order.currency, status=status, reference=f"PAY-{next(_sequence):08d}",
    )
    session.add(payment)
    session.commit()
    return payment


def make_invoice(session: Session, order: Order) -> Invoice:
    """The order's invoice, issued by billing's own rule; commits."""
    invoice = invoice_for(session, order=order)
    session.commit()
    return invoice
