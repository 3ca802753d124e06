"""Delivered orders (with shipments) and returns, for tests of the returns feature."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.auth.models import Customer
from portal.db import utcnow
from portal.orders.models import Order, OrderStatus, Product, Shipment, ShipmentLine, ShipmentStatus
from portal.returns.models import (
    ReturnEvent,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnResolution,
    ReturnStatus,
)
from portal.store import StorePolicy
from tests.factories import DEMO_PASSWORD, make_order

_tracking = itertools.count(1)


def make_delivered_order(
    session: Session, customer: Customer, *, lines: int = 1, quantity: int = 1,
    products: Sequence[Product] | None = None, delivered_at: datetime | None = None,
    policy: StorePolicy | None = None, placed_at: datetime | None = None,
    shipment_status: ShipmentStatus = ShipmentStatus.DELIVERED,
) -> Order:
    """An order whose every line travelled in one shipment, delivered (by default) 2 days ago."""
    delivered_at = delivered_at or utcnow() - timedelta(days=2)
    order = make_order(
        session, customer, lines=lines, quantity=quantity,
        products=list(products) if products else None, policy=policy,
        placed_at=placed_at or delivered_at - timedelta(days=3),
        status=OrderStatus.DELIVERED if shipment_status == ShipmentStatus.DELIVERED
        else OrderStatus.SHIPPED,
    )
    order = session.scalar(
        select(Order).where(Order.id == order.id).options(selectinload(Order.lines))
    )
    is_delivered = shipment_status == ShipmentStatus.DELIVERED
    shipment = Shipment(
        order_id=order.id, carrier="ups", tracking_number=f"1ZTEST{next(_tracking):010d}",
        status=shipment_status, shipped_at=delivered_at - timedelta(days=2),
        delivered_at=delivered_at if is_delivered else None, status_changed_at=delivered_at,
        lines=[ShipmentLine(order_line_id=line.id, quantity=line.quantity)
               for line in order.lines],
    )
    session.add(shipment)
    session.commit()
    return order


def make_return(
    session: Session, order: Order, *, quantities: dict[int, int] | None = None,
    status: ReturnStatus = ReturnStatus.REQUESTED,
    resolution: ReturnResolution = ReturnResolution.REFUND,
    reason: ReturnReason = ReturnReason.TOO_SMALL, estimate_cents: int = 1000,
    created_at: datetime | None = None,
) -> ReturnRequest:
    """A return for the given {order_line_id: quantity} (default: one of the first line)."""
    if quantities is None:
        order = session.scalar(
            select(Order).where(Order.id == order.id).options(selectinload(Order.lines))
        )
        quantities = {order.lines[0].id: 1}
    now = created_at or utcnow()
    request = ReturnRequest(
        rma_number=f"RMA-{uuid.uuid4().hex[:8].upper()}", order_id=order.id,
        customer_id=order.customer_id, status=status, resolution=resolution,
        refund_estimate_cents=estimate_cents, idempotency_key=uuid.uuid4().hex,
        created_at=now, updated_at=now,
        lines=[ReturnLine(order_line_id=line_id, quantity=quantity, reason=reason)
               for line_id, quantity in quantities.items()],
        events=[ReturnEvent(status=ReturnStatus.REQUESTED, created_at=now)],
    )
    if status != ReturnStatus.REQUESTED:
        request.events.append(ReturnEvent(status=status, created_at=now))
    session.add(request)
    session.commit()
    return request


def login_with_token(client: FlaskClient, customer: Customer) -> None:
    """Signs in through the login form with its CSRF token, for tests with CSRF on."""
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True))
    assert token, "the login form has no CSRF token"
    response = client.post("/login", data={"email": customer.email, "password": DEMO_PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 302, "login failed"
