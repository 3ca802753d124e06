"""Cancelling an order and changing its delivery address, through the order page."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.billing.models import Invoice, InvoiceKind, Refund
from portal.billing.refunds import issue_refund
from portal.db import utcnow
from portal.orders.models import Order, OrderLine, OrderStatus, ShipmentStatus
from tests.factories import make_customer, make_order, make_product
from tests.factories.parcels import make_payment, make_shipment

ADDRESS = {"name": "Ada Lovelace", "line1": "5 New Road", "line2": "", "city": "Salem",
           "region": "OR", "postal_code": "97301", "country": "US", "phone": ""}


def _refunds(session, order):
    return session.scalars(select(Refund).where(Refund.order_id == order.id)).all()


def test_cancel_unshipped_order_refunds_and_marks_lines(client, session, login, outbox):
    customer = make_customer(session, email="cancel@example.com")
    order = make_order(session, customer, lines=2, quantity=2)
    make_payment(session, order)
    login(client, customer)
    page = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Cancel this order" in page
    response = client.post(f"/orders/{order.number}/cancel", data={"idempotency_key": "k1"})
    assert response.status_code == 302
    session.expire_all()
    cancelled = session.get(Order, order.id)
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.cancelled_at is not None
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    assert all(line.cancelled_quantity == line.quantity == 2 for line in lines)
    refunds = _refunds(session, order)
    assert sum(r.amount_cents for r in refunds) == order.total_cents
    notes = session.scalars(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.kind == InvoiceKind.CREDIT_NOTE)).all()
    assert len(notes) == 1 and notes[0].total_cents == order.total_cents
    assert "is cancelled" in outbox()[-1]["Subject"]
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Cancelled as you asked" in html and "Order cancelled" in html
    assert "Cancelled" in html and "Cancel this order" not in html


def test_cancel_twice_refunds_once(client, session, login, outbox):
    customer = make_customer(session)
    order = make_order(session, customer)
    make_payment(session, order)
    login(client, customer)
    for _ in range(2):
        client.post(f"/orders/{order.number}/cancel", data={"idempotency_key": "same"})
    assert len(_refunds(session, order)) == 1
    events = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "order.cancelled", AuditEvent.object_id == order.number))
    assert events == 1
    assert len([mail for mail in outbox() if "is cancelled" in mail["Subject"]]) == 1


def test_cancel_without_payment_refunds_nothing(client, session, login):
    customer = make_customer(session)
    order = make_order(session, customer)
    login(client, customer)
    client.post(f"/orders/{order.number}/cancel", data={"idempotency_key": "k"})
    session.expire_all()
    assert session.get(Order, order.id).status is OrderStatus.CANCELLED
    assert _refunds(session, order) == []


def test_cancel_after_shipping_is_refused_with_a_reason(client, session, login):
    customer = make_customer(session)
    order = make_order(session, customer)
    make_payment(session, order)
    make_shipment(session, order)
    login(client, customer)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Already on its way: you can return it once it arrives." in html
    assert "Yes, cancel order" not in html
    client.post(f"/orders/{order.number}/cancel", data={"idempotency_key": "k"})
    session.expire_all()
    assert session.get(Order, order.id).status is OrderStatus.SHIPPED
    assert _refunds(session, order) == []


def test_posts_without_csrf_token_are_400(app, client, session, login):
    customer = make_customer(session)
    order = make_order(session, customer)
    parcel = make_shipment(session, order, status=ShipmentStatus.INFO_RECEIVED)
    login(client, customer)
    app.config["WTF_CSRF_ENABLED"] = True
    for path, data in [(f"/orders/{order.number}/cancel", {"idempotency_key": "k"}),
                       (f"/orders/{order.number}/address", ADDRESS),
                       (f"/orders/{order.number}/shipments/{parcel.id}/not-received", {})]:
        assert client.post(path, data=data).status_code == 400
    session.expire_all()
    assert session.get(Order, order.id).shipping_address["line1"] == "1 Main Street"


def test_change_address_before_shipping(client, session, login):
    customer = make_customer(session)
    order = make_order(session, customer)
    login(client, customer)
    response = client.post(f"/orders/{order.number}/address", data=ADDRESS)
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Order, order.id).shipping_address["line1"] == "5 New Road"
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "5 New Road" in html and "The delivery address is updated." in html
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "order.address_changed")) == 1


def test_change_address_with_bad_input_keeps_what_was_typed(client, session, login):
    customer = make_customer(session)
    order = make_order(session, customer)
    login(client, customer)
    data = {**ADDRESS, "city": "", "line1": "7 Typed Lane"}
    response = client.post(f"/orders/{order.number}/address", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This field is required." in html and 'value="7 Typed Lane"' in html
    fragment = client.post(f"/orders/{order.number}/address", data=data,
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith("<form") and 'aria-invalid="true"' in body
    session.expire_all()
    assert session.get(Order, order.id).shipping_address["line1"] == "1 Main Street"


def test_change_address_htmx_success_redirects(client, session, login):
    customer = make_customer(session)
    order = make_order(session, customer)
    login(client, customer)
    response = client.post(f"/orders/{order.number}/address", data=ADDRESS,
                           headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].endswith(f"/orders/{order.number}")


def test_change_address_refused_once_a_parcel_left(client, session, login):
    customer = make_customer(session)
    order = make_order(session, customer)
    make_shipment(session, order, status=ShipmentStatus.IN_TRANSIT)
    login(client, customer)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "A parcel has already left" in html and "Deliver to this address" not in html
    client.post(f"/orders/{order.number}/address", data=ADDRESS)
    session.expire_all()
    assert session.get(Order, order.id).shipping_address["line1"] == "1 Main Street"


def test_address_still_changeable_while_label_only(client, session, login):
    customer = make_customer(session)
    order = make_order(session, customer)
    make_shipment(session, order, status=ShipmentStatus.INFO_RECEIVED)
    login(client, customer)
    client.post(f"/orders/{order.number}/address", data=ADDRESS)
    session.expire_all()
    assert session.get(Order, order.id).shipping_address["line1"] == "5 New Road"


def test_cancel_the_rest_of_a_partly_shipped_order(client, session, login, outbox):
    customer = make_customer(session)
    order = make_order(session, customer, lines=2, quantity=2)
    make_payment(session, order)
    shipped, waiting = order.lines
    make_shipment(session, order, quantities={shipped.id: 2, waiting.id: 1})
    login(client, customer)
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Cancel the items not shipped yet" in html
    client.post(f"/orders/{order.number}/cancel", data={"idempotency_key": "rest"})
    session.expire_all()
    reloaded = session.get(Order, order.id)
    assert reloaded.status is OrderStatus.SHIPPED  # what is in the parcel still comes
    assert session.get(OrderLine, waiting.id).cancelled_quantity == 1
    assert session.get(OrderLine, shipped.id).cancelled_quantity == 0
    refunds = _refunds(session, order)
    # One unit of the waiting line: its price and its share of tax, no shipping.
    assert sum(r.amount_cents for r in refunds) == waiting.unit_price_cents + waiting.tax_cents // 2
    assert "Items of order" in outbox()[-1]["Subject"]
    html = client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert "Already on its way: you can return it once it arrives." in html
    client.post(f"/orders/{order.number}/cancel", data={"idempotency_key": "rest"})
    assert len(_refunds(session, order)) == 1


def test_cancel_the_rest_when_what_is_left_is_free(client, session, login):
    customer = make_customer(session)
    paid, gift = make_product(session), make_product(session, price_cents=0)
    order = make_order(session, customer, products=[paid, gift])
    make_payment(session, order)
    shipped, free = order.lines
    make_shipment(session, order, quantities={shipped.id: 1})
    login(client, customer)
    client.post(f"/orders/{order.number}/cancel", data={"idempotency_key": "free"})
    session.expire_all()
    assert session.get(OrderLine, free.id).cancelled_quantity == 1
    assert _refunds(session, order) == []


def test_cancel_the_rest_after_a_goodwill_refund_gives_back_what_is_left(
    client, session, login
):
    customer = make_customer(session)
    order = make_order(session, customer, lines=2)
    make_payment(session, order)
    shipped, waiting = order.lines
    make_shipment(session, order, quantities={shipped.id: 1})
    issue_refund(session, order=order, reason="Goodwill", now=utcnow(),
                 amount_cents=order.total_cents - 100)
    session.commit()
    login(client, customer)
    client.post(f"/orders/{order.number}/cancel", data={"idempotency_key": "after-goodwill"})
    session.expire_all()
    assert session.get(OrderLine, waiting.id).cancelled_quantity == 1
    assert sum(r.amount_cents for r in _refunds(session, order)) == order.total_cents
