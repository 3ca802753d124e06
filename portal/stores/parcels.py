"""Store command for parcels: a shop's shipment with its tracking number becomes a portal parcel.

The shop names its carrier in its own words ("UPS", "FedEx", "USPS", "DHL Express"...):
carriers the portal has a table for keep their own tracking pages, any other is "other"
with the tracking page the shop gave. The shopper is told the first time a parcel appears.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.orders.carriers import OTHER_CARRIER, get_carrier
from portal.orders.models import Order, Shipment, ShipmentLine, ShipmentStatus
from portal.orders.tracking import refresh_order_status
from portal.stores import emails
from portal.stores.lookup import StoreError, by_external_id, order_for_event
from portal.stores.records import ShipmentIn

#: Shop carrier names (lower case, letters only) that mean a carrier the portal knows.
CARRIER_ALIASES = {
    "ups": "ups", "upsground": "ups", "unitedparcelservice": "ups",
    "fedex": "fedex", "federalexpress": "fedex", "fedexground": "fedex",
    "usps": "usps", "unitedstatespostalservice": "usps",
}


def carrier_code(shop_name: str) -> str:
    """The portal's carrier for a shop's carrier name, or "other"."""
    key = re.sub(r"[^a-z]", "", shop_name.lower())
    code = CARRIER_ALIASES.get(key, key)
    return code if get_carrier(code) is not None else OTHER_CARRIER


def record_shipment(session: Session, *, source: str, record: ShipmentIn,
                    base_url: str | None) -> tuple[Shipment, bool]:
    """The parcel, created (the shopper is emailed, given a base URL) or brought up to date
    (status, link); the order's status follows its parcels. Returns it and whether it was
    new."""
    order = order_for_event(session, source=source, external_id=record.order_external_id)
    shipment = by_external_id(session, Shipment, source=source, external_id=record.external_id)
    if shipment is not None:
        _update(shipment, record)
        refresh_order_status(order)
        return shipment, False
    carrier = carrier_code(record.carrier)
    taken = session.scalar(select(Shipment).where(
        Shipment.carrier == carrier, Shipment.tracking_number == record.tracking_number))
    if taken is not None:
        raise StoreError(f"tracking number {record.tracking_number!r} already belongs to "
                         "another parcel", field="tracking_number")
    shipment = Shipment(
        order=order, carrier=carrier, tracking_number=record.tracking_number,
        tracking_url=record.tracking_url if carrier == OTHER_CARRIER else None,
        status=record.status, shipped_at=record.shipped_at, status_changed_at=record.shipped_at,
        delivered_at=record.shipped_at if record.status is ShipmentStatus.DELIVERED else None,
        lines=_shipped_lines(order, record), events=[], source=source,
        external_id=record.external_id,
    )
    order.shipments.append(shipment)
    session.add(shipment)
    refresh_order_status(order)
    session.flush()
    if base_url:
        emails.queue_parcel_shipped(session, order=order, shipment=shipment, base_url=base_url)
    return shipment, True


def _update(shipment: Shipment, record: ShipmentIn) -> None:
    if shipment.carrier == OTHER_CARRIER and record.tracking_url:
        shipment.tracking_url = record.tracking_url
    if record.status is not shipment.status:
        shipment.status = record.status
        shipment.status_changed_at = max(record.shipped_at, shipment.status_changed_at
                                          or record.shipped_at)
        if record.status is ShipmentStatus.DELIVERED and shipment.delivered_at is None:
            shipment.delivered_at = shipment.status_changed_at


def _shipped_lines(order: Order, record: ShipmentIn) -> list[ShipmentLine]:
    by_id = {line.external_id: line for line in order.lines}
    lines = []
    for shipped in record.lines:
        line = by_id.get(shipped.line_external_id)
        if line is None:
            raise StoreError(f"line {shipped.line_external_id!r} is not on this order",
                             field="lines")
        lines.append(ShipmentLine(order_line_id=line.id, quantity=shipped.quantity))
    return lines
