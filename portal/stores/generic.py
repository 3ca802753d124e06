"""The generic store API: the store commands as signed JSON events, for any shop.

An event is {"id": "...", "type": "order.upserted", "data": {...}}; `id` is the shop's id
for the event (a redelivery with the same id changes nothing) and `data` is the record the
type names, in portal.stores.records' shapes (money in minor units). The bulk import reads
the same events, one per line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from portal.stores import orders, parcels, payments
from portal.stores.context import Applied, StoreContext
from portal.stores.lookup import BadRecord
from portal.stores.records import (
    CancelIn,
    CustomerIn,
    ExternalId,
    OrderIn,
    PaymentIn,
    RefundIn,
    ShipmentIn,
    parse,
)

SOURCE = "store"


class Envelope(BaseModel):
    id: ExternalId
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class EventType:
    record: type[BaseModel]
    apply: Callable[[Session, StoreContext, Any], Applied]
    summary: str


def _customer(session: Session, context: StoreContext, record: CustomerIn) -> Applied:
    orders.upsert_customer(session, source=SOURCE, record=record)
    return Applied()


def _order(session: Session, context: StoreContext, record: OrderIn) -> Applied:
    order, created = orders.upsert_order(session, source=SOURCE, record=record,
                                         policy=context.policy, base_url=context.base_url)
    return Applied(order_number=order.number, created=created)


def _payment(session: Session, context: StoreContext, record: PaymentIn) -> Applied:
    payments.record_payment(session, source=SOURCE, record=record)
    return Applied()


def _shipment(session: Session, context: StoreContext, record: ShipmentIn) -> Applied:
    shipment, created = parcels.record_shipment(session, source=SOURCE, record=record,
                                                base_url=context.base_url)
    return Applied(order_number=shipment.order.number, created=created)


def _refund(session: Session, context: StoreContext, record: RefundIn) -> Applied:
    payments.record_refund(session, source=SOURCE, record=record)
    return Applied()


def _cancel(session: Session, context: StoreContext, record: CancelIn) -> Applied:
    order = orders.cancel_order(session, source=SOURCE, record=record)
    return Applied(order_number=order.number)


EVENT_TYPES: dict[str, EventType] = {
    "customer.upserted": EventType(CustomerIn, _customer,
                                   "Create or update a customer (matched by email too)"),
    "order.upserted": EventType(OrderIn, _order,
                                "Create an order with its lines (invoice, confirmation email) "
                                "or update its addresses"),
    "payment.recorded": EventType(PaymentIn, _payment, "Record or update a payment"),
    "shipment.recorded": EventType(ShipmentIn, _shipment,
                                   "Record a parcel with its tracking number, or its new status"),
    "refund.recorded": EventType(RefundIn, _refund, "Record a refund; a credit note is issued"),
    "order.cancelled": EventType(CancelIn, _cancel, "Cancel what has not shipped"),
}


def read_envelope(payload: Any) -> tuple[Envelope, EventType]:
    envelope = parse(Envelope, payload)
    event_type = EVENT_TYPES.get(envelope.type)
    if event_type is None:
        raise BadRecord(f"type must be one of {', '.join(EVENT_TYPES)}", field="type")
    return envelope, event_type


def handler_for(event_type: EventType) -> Callable[[Session, StoreContext, Any], Applied]:
    """The store command for an event's data, which is validated first (BadRecord names the
    field under `data.`)."""

    def handle(session: Session, context: StoreContext, data: Any) -> Applied:
        try:
            record = parse(event_type.record, data)
        except BadRecord as error:
            raise BadRecord(f"data.{error.message}", field=f"data.{error.field}") from None
        return event_type.apply(session, context, record)

    return handle
