"""A shopper on a phone: orders, one order, its parcel; and tracking without an account."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from portal.orders.models import ShipmentStatus
from tests.factories import make_customer, make_order, make_product
from tests.factories.parcels import make_payment, make_shipment

pytestmark = pytest.mark.browser


@pytest.fixture
def history(session):
    customer = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    make_order(session, customer, products=[make_product(session, name="Wool scarf")])
    delivered = make_order(session, customer, products=[make_product(session, name="Desk lamp")])
    make_shipment(session, delivered, status=ShipmentStatus.DELIVERED, events=3)
    order = make_order(session, customer, products=[make_product(session, name="Linen shirt"),
                                                    make_product(session, name="Canvas bag")])
    make_payment(session, order)
    parcel = make_shipment(session, order, quantities={order.lines[0].id: 1}, events=3,
                           status=ShipmentStatus.EXCEPTION, carrier="fedex",
                           promised_on=date.today() + timedelta(days=1))
    return order, parcel


def test_orders_order_and_tracking_journey(page, live_server, history, sign_in, shot,
                                           accessibility_violations):
    order, parcel = history
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server}/orders")
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"{live_server}/orders")
    assert page.get_by_role("link", name=f"Order {order.number}").is_visible()
    assert page.get_by_text("Delivery problem").first.is_visible()
    assert accessibility_violations(page) == []
    shot(page, "orders")

    page.get_by_label("Order number or product").fill("scarf")
    page.wait_for_url("**/orders?q=scarf**")
    expect(page.get_by_text("Linen shirt")).to_have_count(0)
    assert page.get_by_text("1 \u00d7 Wool scarf").is_visible()
    shot(page, "orders-filtered")
    page.get_by_label("Order number or product").fill("")
    expect(page.get_by_text("Linen shirt")).to_have_count(1)

    page.get_by_role("link", name=f"Order {order.number}").click()
    page.wait_for_url(f"{live_server}/orders/{order.number}")
    assert page.get_by_role("heading", name=f"Order {order.number}").is_visible()
    assert page.get_by_text("Not shipped yet", exact=True).is_visible()
    assert accessibility_violations(page) == []
    shot(page, "order")

    page.get_by_text("Track this parcel").click()
    page.wait_for_url(f"{live_server}/orders/{order.number}/shipments/{parcel.id}")
    assert page.get_by_role("heading", name="The carrier reported a delivery problem").is_visible()
    assert page.get_by_role("link", name=f"Contact us about order {order.number}").is_visible()
    assert accessibility_violations(page) == []
    shot(page, "tracking")
    assert errors == []


def test_tracking_without_an_account(page, live_server, history, shot,
                                     accessibility_violations):
    order, _parcel = history
    page.goto(f"{live_server}/track")
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("Email used for the order").fill("someone@example.com")
    page.get_by_role("button", name="Track").click()
    expect(page.get_by_text("We could not find a parcel")).to_be_visible()
    page.get_by_label("Email used for the order").fill("ada@example.com")
    page.get_by_role("button", name="Track").click()
    expect(page.get_by_text("The carrier reported a delivery problem")).to_be_visible()
    expect(page.get_by_text("Springfield")).to_have_count(0)
    assert accessibility_violations(page) == []
    shot(page, "track")
