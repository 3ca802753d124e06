"""The demo logins have every situation the pages need to show."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.auth.models import Address, Customer, Role
from portal.billing.models import (
    Invoice,
    InvoiceKind,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from portal.orders.models import Order, OrderStatus, Shipment, ShipmentStatus
from portal.returns.models import ReturnRequest, ReturnStatus
from portal.support.models import RequestStatus, SupportRequest
from tests.demo.conftest import NOW

OPEN_RETURNS = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT,
                ReturnStatus.RECEIVED)


def _shopper(session: Session, email: str) -> Customer:
    return session.scalars(select(Customer).where(Customer.email == email)).one()


def _shipments(session: Session, customer: Customer) -> list[Shipment]:
    return list(session.scalars(
        select(Shipment).join(Order).where(Order.customer_id == customer.id)))


@pytest.mark.parametrize("email", ["shopper@example.com", "shopper2@example.com"])
def test_each_demo_shopper_has_the_full_story(session: Session, seed, email: str) -> None:
    seed()
    shopper = _shopper(session, email)
    statuses = set(session.scalars(select(Order.status).where(Order.customer_id == shopper.id)))
    assert statuses == set(OrderStatus)

    shipments = _shipments(session, shopper)
    delayed = [s for s in shipments if s.status is ShipmentStatus.IN_TRANSIT
               and s.promised_delivery_on < NOW.date() < s.estimated_delivery_on]
    assert delayed, "a parcel late past its promised date, with a new estimate"
    shipment_states = {s.status for s in shipments}
    assert {ShipmentStatus.EXCEPTION, ShipmentStatus.RETURNED_TO_SENDER,
            ShipmentStatus.AVAILABLE_FOR_PICKUP, ShipmentStatus.DELIVERED} <= shipment_states

    invoices = session.scalars(select(Invoice).where(Invoice.customer_id == shopper.id)).all()
    totals = {i.order_id: i.total_cents for i in invoices if i.kind is InvoiceKind.INVOICE}
    credited: dict[int, int] = {}
    for note in (i for i in invoices if i.kind is InvoiceKind.CREDIT_NOTE):
        credited[note.order_id] = credited.get(note.order_id, 0) + note.total_cents
    delivered = set(session.scalars(select(Order.id).where(
        Order.customer_id == shopper.id, Order.status == OrderStatus.DELIVERED)))
    assert any(0 < amount < totals[order_id] for order_id, amount in credited.items()
               if order_id in delivered), "a partial refund on a delivered order"

    returns = set(session.scalars(select(ReturnRequest.status).where(
        ReturnRequest.customer_id == shopper.id)))
    assert returns & set(OPEN_RETURNS), "an open return"
    assert ReturnStatus.REFUNDED in returns
    requests = set(session.scalars(select(SupportRequest.status).where(
        SupportRequest.customer_id == shopper.id)))
    assert RequestStatus.OPEN in requests and RequestStatus.RESOLVED in requests

    assert session.scalar(select(func.count()).select_from(Address).where(
        Address.customer_id == shopper.id, Address.is_default)) == 1
    methods = set(session.scalars(select(PaymentMethod.kind).where(
        PaymentMethod.customer_id == shopper.id)))
    assert {PaymentKind.CARD, PaymentKind.PAYPAL} <= methods

    payments = session.execute(select(Payment.order_id, Payment.kind, Payment.status).where(
        Payment.customer_id == shopper.id)).all()
    kinds = {kind for _order, kind, status in payments if status is PaymentStatus.CAPTURED}
    assert {PaymentKind.CARD, PaymentKind.PAYPAL, PaymentKind.GIFT_CARD} <= kinds
    per_order: dict[int, int] = {}
    for order_id, _kind, status in payments:
        if status is PaymentStatus.CAPTURED:
            per_order[order_id] = per_order.get(order_id, 0) + 1
    assert max(per_order.values()) >= 2, "a split payment"
    assert any(status is PaymentStatus.FAILED for *_rest, status in payments)


def test_staff_and_shoppers_have_their_roles(session: Session, seed) -> None:
    seed()
    roles = dict(session.execute(select(Customer.email, Customer.role)).all())
    assert roles["staff@example.com"] is Role.STAFF
    assert roles["shopper@example.com"] is Role.SHOPPER
    assert sum(role is Role.SHOPPER for role in roles.values()) == 8
