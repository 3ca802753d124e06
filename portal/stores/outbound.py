"""Shopper actions go back to the shop: an outbound event row written in the same transaction.

Whatever feature makes the change (a shopper cancels, changes the delivery address, staff
approve a return or refund money), the session's flush notices it on an order that came
from a shop and adds the event, so the change and the promise to tell the shop commit or
roll back together. Changes the shop itself sent are not echoed back. The delivery worker
(portal.stores.delivery) sends the rows.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from portal.billing.models import Invoice, InvoiceLine, Refund
from portal.orders.models import Order, OrderLine, OrderStatus
from portal.returns.models import ReturnEvent, ReturnLine, ReturnRequest, ReturnStatus
from portal.stores.delivery import schedule_delivery
from portal.stores.models import OutboundEvent
from portal.stores.service import FROM_SHOP

#: Which kinds each target is told about; Shopify's Admin API has a call for these three.
KINDS_BY_TARGET = {
    "shopify": {"order.cancelled", "order.address_changed", "refund.created"},
    "store": {"order.cancelled", "order.address_changed", "return.approved", "refund.created"},
}


def target_for(order: Order) -> str | None:
    """Where this order's changes go: its own shop, when that shop's way back is configured."""
    if not has_app_context() or order.source is None:
        return None
    config = current_app.config
    if order.source == "shopify" and config.get("SHOPIFY_ADMIN_URL"):
        return "shopify"
    if order.source == "store" and config.get("STORE_OUTBOUND_URL"):
        return "store"
    return None


def _add(session: Session, order: Order, kind: str, payload: dict[str, Any],
         refund: Refund | None = None) -> None:
    target = target_for(order)
    if target is None or kind not in KINDS_BY_TARGET[target]:
        return
    session.add(OutboundEvent(
        target=target, kind=kind, order_id=order.id, refund=refund,
        payload={"order_external_id": order.external_id, "order_number": order.number,
                 **payload}))
    schedule_delivery(session)


def _changed_to(obj: object, attribute: str, value: object) -> bool:
    history = inspect(obj).attrs[attribute].history
    return bool(history.added) and history.added[0] == value and value not in history.deleted


def _order_changes(session: Session, order: Order) -> None:
    if _changed_to(order, "status", OrderStatus.CANCELLED):
        _add(session, order, "order.cancelled", {"reason": "customer"})
    address = inspect(order).attrs["shipping_address"].history
    if address.added and address.deleted and address.added[0] != address.deleted[0]:
        _add(session, order, "order.address_changed", {"shipping_address": address.added[0]})


def _return_approved(session: Session, step: ReturnEvent) -> None:
    request = session.get(ReturnRequest, step.return_request_id)
    order = session.get(Order, request.order_id) if request else None
    if request is None or order is None or target_for(order) is None:
        return
    lines = session.execute(
        select(OrderLine.external_id, ReturnLine.quantity)
        .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
        .where(ReturnLine.return_request_id == request.id)).all()
    _add(session, order, "return.approved", {
        "rma_number": request.rma_number, "resolution": request.resolution.value,
        "refund_estimate": request.refund_estimate_cents,
        "lines": [{"line_external_id": line_id, "quantity": quantity}
                  for line_id, quantity in lines]})


def _refund_created(session: Session, refund: Refund) -> None:
    order = session.get(Order, refund.order_id)
    if order is None or target_for(order) is None or refund.source is not None:
        return
    note: Invoice | None = refund.__dict__.get("credit_note")
    credited = [line for line in (note.__dict__.get("lines", []) if note else [])
                if isinstance(line, InvoiceLine) and line.order_line_id is not None]
    external = dict(session.execute(select(OrderLine.id, OrderLine.external_id).where(
        OrderLine.order_id == order.id)).all())
    _add(session, order, "refund.created", refund=refund, payload={
        "amount": refund.amount_cents, "currency": refund.currency,
        "reason": refund.reason, "credit_note": note.number if note else None,
        "shipping": note.shipping_cents if note else 0,
        "lines": [{"line_external_id": external.get(line.order_line_id),
                   "quantity": line.quantity} for line in credited]})


@event.listens_for(Session, "before_flush")
def _write_outbound_events(session: Session, _context: object, _instances: object) -> None:
    if session.info.get(FROM_SHOP):
        return
    with session.no_autoflush:
        for obj in list(session.dirty):
            if isinstance(obj, Order) and obj.source is not None:
                _order_changes(session, obj)
        for obj in list(session.new):
            if isinstance(obj, Refund):
                _refund_created(session, obj)
            # A return moves on by a compare-and-set UPDATE; the step it records says so.
            elif isinstance(obj, ReturnEvent) and obj.status is ReturnStatus.APPROVED:
                _return_approved(session, obj)
