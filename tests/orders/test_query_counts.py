"""The order pages cost the same number of SQL statements for 5 orders as for 1,000."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from portal.db import utcnow
from portal.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingEvent,
)
from tests.factories import make_customer, make_order, make_product
from tests.factories.parcels import make_invoice, make_payment, make_shipment


def _bulk_history(session, customer, product, count: int) -> None:
    """`count` shipped orders of two lines each, with a parcel and an event, in a few INSERTs."""
    now = utcnow()
    address = {"name": customer.name, "line1": "1 Main Street", "city": "Springfield",
               "postal_code": "12345", "country": "US"}
    session.execute(insert(Order), [
        {"number": f"BULK{customer.id:03d}{n:05d}", "customer_id": customer.id,
         "status": OrderStatus.SHIPPED, "placed_at": now - timedelta(days=10 + n),
         "currency": "USD", "subtotal_cents": 5000, "discount_cents": 0, "shipping_cents": 0,
         "tax_cents": 400, "total_cents": 5400, "shipping_address": address,
         "billing_address": address, "return_policy": {"return_window_days": 30}}
        for n in range(count)
    ])
    order_ids = session.scalars(select(Order.id).where(Order.customer_id == customer.id,
                                                       Order.number.like("BULK%"))).all()
    session.execute(insert(OrderLine), [
        {"order_id": order_id, "product_id": product.id, "sku": product.sku,
         "product_name": f"{product.name} {k}", "quantity": 1, "unit_price_cents": 2500,
         "discount_cents": 0, "tax_rate_bp": 800, "tax_cents": 200, "cancelled_quantity": 0}
        for order_id in order_ids for k in (1, 2)
    ])
    session.execute(insert(Shipment), [
        {"order_id": order_id, "carrier": "ups", "tracking_number": f"1ZB{order_id:09d}",
         "status": ShipmentStatus.IN_TRANSIT, "shipped_at": now - timedelta(days=2),
         "estimated_delivery_on": (now + timedelta(days=1)).date()}
        for order_id in order_ids
    ])
    shipments = session.execute(select(Shipment.id, Shipment.order_id)
                                .where(Shipment.order_id.in_(order_ids))).all()
    lines = session.execute(select(OrderLine.id, OrderLine.order_id)
                            .where(OrderLine.order_id.in_(order_ids))).all()
    by_order = {row.order_id: row.id for row in shipments}
    session.execute(insert(ShipmentLine), [
        {"shipment_id": by_order[row.order_id], "order_line_id": row.id, "quantity": 1}
        for row in lines
    ])
    session.execute(insert(TrackingEvent), [
        {"shipment_id": row.id, "external_id": f"e{row.id}", "occurred_at": now,
         "status": ShipmentStatus.IN_TRANSIT, "carrier_status": "I", "description": "Scan",
         "received_at": now}
        for row in shipments
    ])
    session.commit()


def _rich_order(session, customer):
    """One order with everything the pages show: parcels, payment, invoice, events."""
    order = make_order(session, customer, lines=3, placed_at=utcnow() - timedelta(days=1))
    make_payment(session, order)
    make_invoice(session, order)
    first = order.lines[0]
    parcel = make_shipment(session, order, quantities={first.id: 1}, events=4,
                           status=ShipmentStatus.DELIVERED)
    make_shipment(session, order, events=2)
    return order, parcel


def _counts(client, query_count, order, parcel) -> dict[str, int]:
    paths = {
        "list": "/orders",
        "list_page_3": "/orders?page=3&status=shipped",
        "list_search": "/orders?q=product",
        "detail": f"/orders/{order.number}",
        "shipment": f"/orders/{order.number}/shipments/{parcel.id}",
    }
    counts = {}
    for name, path in paths.items():
        with query_count() as counter:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = counter.count
    return counts


@pytest.fixture
def outside_session(app):
    """A session that pushes no app context, so each request gets its own `g` (fresh user,
    fresh request session), as in production; the `session` fixture would share one."""
    db_session = app.extensions["portal_sessionmaker"]()
    yield db_session
    db_session.close()


def test_queries_do_not_grow_with_history(app, outside_session, login, query_count):
    session = outside_session
    product = make_product(session, name="Product")
    small, large = make_customer(session), make_customer(session)
    _bulk_history(session, small, product, 4)
    _bulk_history(session, large, product, 999)
    results = []
    for customer in (small, large):
        order, parcel = _rich_order(session, customer)
        client = app.test_client()
        login(client, customer)
        results.append(_counts(client, query_count, order, parcel))
    few, many = results
    assert few == many
    assert all(count <= 12 for count in many.values()), many
