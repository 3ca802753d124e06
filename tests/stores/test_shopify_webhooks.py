"""Shopify webhooks posted signed, as Shopify sends them: the order, its parcels and its money."""

from __future__ import annotations

import io
import json
import logging

from sqlalchemy import func, select

from portal.auth.models import Customer
from portal.billing.models import Invoice, InvoiceKind, Payment, PaymentStatus, Refund
from portal.orders.models import Order, OrderStatus, Shipment, ShipmentStatus
from portal.stores.models import StoreEvent
from tests.factories import _DEMO_HASH, make_customer
from tests.stores import shopify_payloads as shop


def count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def the_order(session):
    session.expire_all()
    return session.scalars(select(Order)).one()


def mail_parts(mail):
    """The plain-text and HTML parts of a message, decoded."""
    return [part.get_payload(decode=True).decode() for part in mail.get_payload()]


def sign_in_as_buyer(session, client, login):
    buyer = session.scalars(select(Customer)).one()
    buyer.password_hash = _DEMO_HASH
    session.commit()
    login(client, buyer)
    return buyer


def test_order_create_makes_the_order_with_exact_money(client, session, login, outbox):
    response = shop.post(client, "orders/create", shop.order())
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["order_number"] == "1001"
    order = the_order(session)
    assert (order.subtotal_cents, order.discount_cents, order.shipping_cents, order.tax_cents,
            order.total_cents) == (6250, 500, 700, 516, 6966)
    assert order.source == "shopify" and order.external_id == "450789469001"
    assert order.status is OrderStatus.PROCESSING
    invoice = session.scalars(select(Invoice)).one()
    assert (invoice.number, invoice.total_cents, invoice.tax_cents) == ("INV-1001", 6966, 516)
    payment = session.scalars(select(Payment)).one()
    assert (payment.amount_cents, payment.status) == (6966, PaymentStatus.CAPTURED)
    assert session.scalar(select(StoreEvent.shop_domain)) == "northwind-test.myshopify.com"
    [mail] = outbox()
    assert mail["To"] == "grace.hopper@example.com"
    assert mail["Subject"] == "Order 1001 confirmed"
    text, html = mail_parts(mail)
    assert "$69.66" in text and "https://portal.example.com/track?number=1001" in text
    assert "<strong>1001</strong>" in html

    sign_in_as_buyer(session, client, login)
    page = client.get("/orders/1001").get_data(as_text=True)
    for figure in ("$62.50", "$5.00", "$7.00", "$5.16", "$69.66"):
        assert figure in page
    for query in ("#1001", "1001"):
        listing = client.get("/orders", query_string={"q": query}).get_data(as_text=True)
        assert "/orders/1001" in listing, query


def test_a_redelivery_changes_nothing(client, session, outbox):
    first = shop.post(client, "orders/create", shop.order(), webhook_id="same-id")
    again = shop.post(client, "orders/create", shop.order(), webhook_id="same-id")
    assert first.status_code == again.status_code == 200
    assert again.get_json()["status"] == "duplicate"
    assert count(session, Order) == count(session, Invoice) == count(session, Payment) == 1
    assert len(outbox()) == 1


def test_the_same_order_under_another_webhook_id_is_not_copied(client, session, outbox):
    shop.post(client, "orders/create", shop.order())
    response = shop.post(client, "orders/paid", shop.order())
    assert response.status_code == 200
    assert count(session, Order) == count(session, Payment) == 1
    assert len(outbox()) == 1  # the confirmation goes once, when the order first appears


def test_an_update_before_its_create_creates_the_order(client, session):
    assert shop.post(client, "orders/updated", shop.order()).status_code == 200
    assert shop.post(client, "orders/create", shop.order()).status_code == 200
    assert count(session, Order) == 1


def test_wrong_or_missing_signature_is_401_and_changes_nothing(client, session):
    wrong = shop.post(client, "orders/create", shop.order(), secret="not-the-secret")
    missing = shop.post(client, "orders/create", shop.order(), hmac_header="")
    garbage = shop.post(client, "orders/create", shop.order(), hmac_header="%%%not base64")
    assert wrong.status_code == missing.status_code == garbage.status_code == 401
    assert count(session, Order) == count(session, StoreEvent) == 0


def test_a_body_changed_after_signing_is_401(client, session):
    raw = json.dumps(shop.order()).encode()
    signed_for = shop.signature(raw)
    tampered = raw.replace(b'"69.66"', b'"0.01"')
    response = shop.post(client, "orders/create", tampered, hmac_header=signed_for)
    assert response.status_code == 401
    assert count(session, Order) == 0


def test_unknown_topic_is_200_and_logged(client, session, caplog):
    caplog.set_level(logging.INFO, logger="portal.stores.views")
    response = shop.post(client, "products/create", {"id": 1, "title": "Tee"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "ignored"
    assert "products/create" in caplog.text
    assert count(session, StoreEvent) == 0


def test_malformed_bodies_are_400_naming_the_field(client, session):
    cases = {
        b"{not json": "body",
        b"[1, 2]": "body",
        b'{"id": 1}': "name",
        b"[" * 100_000: "body",
    }
    for raw, field in cases.items():
        response = shop.post(client, "orders/create", raw)
        assert response.status_code == 400, raw[:20]
        assert response.get_json()["field"] == field
    bad_price = shop.order()
    bad_price["line_items"][0]["price"] = "twenty"
    response = shop.post(client, "orders/create", bad_price)
    assert response.status_code == 400
    assert response.get_json()["field"] == "line_items.0.price"
    nul = shop.order(name="#10\u000001")
    assert shop.post(client, "orders/create", nul).status_code == 400
    no_email = shop.order(email=None, contact_email=None, customer=None)
    assert shop.post(client, "orders/create", no_email).get_json()["field"] == "email"
    assert count(session, Order) == count(session, StoreEvent) == 0


def test_a_total_that_does_not_add_up_is_refused(client, session):
    response = shop.post(client, "orders/create", shop.order(total_price="70.00"))
    assert response.status_code == 422
    assert response.get_json()["field"] == "total"
    assert count(session, Order) == 0


def test_a_currency_the_portal_does_not_format_is_400(client, session):
    response = shop.post(client, "orders/create", shop.order(currency="XYZ"))
    assert response.status_code == 400
    assert response.get_json()["field"] == "currency"
    assert count(session, Order) == 0


def test_a_currency_without_cents_is_read_in_its_own_units(client, session):
    payload = shop.order(currency="JPY", total_price="7000", shipping_lines=[],
                         line_items=[{"id": 1, "sku": "TEA", "name": "Tea", "quantity": 1,
                                      "price": "7000", "tax_lines": [],
                                      "discount_allocations": []}])
    assert shop.post(client, "orders/create", payload).status_code == 200
    order = the_order(session)
    assert (order.currency, order.total_cents) == ("JPY", 7000)


def test_oversized_bodies_are_413_however_they_are_sent(client, session):
    big = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    assert shop.post(client, "orders/create", big).status_code == 413

    chunked = client.post("/api/shopify/webhooks", input_stream=io.BytesIO(big), headers={
        "X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "chunked",
        "X-Shopify-Hmac-Sha256": shop.signature(big), "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True})
    assert chunked.status_code == 413
    assert count(session, StoreEvent) == 0


def test_an_unknown_customer_gets_an_account_matched_by_email_later(client, session):
    existing = make_customer(session, email="grace.hopper@example.com", name="Grace H.")
    shop.post(client, "orders/create", shop.order())
    order = the_order(session)
    assert order.customer_id == existing.id  # matched whatever the case of the email
    assert count(session, Customer) == 1


def test_a_guest_checkout_creates_an_unclaimed_account(client, session):
    shop.post(client, "orders/create", shop.order(customer=None))
    buyer = session.scalars(select(Customer)).one()
    assert buyer.email == "grace.hopper@example.com"
    assert buyer.password_hash is None  # claimed later by signing up with the order email


def test_customer_topics_create_and_update_the_account(client, session):
    assert shop.post(client, "customers/create", shop.customer()).status_code == 200
    shop.post(client, "customers/update", shop.customer(first_name="Amazing Grace"))
    session.expire_all()
    buyer = session.scalars(select(Customer)).one()
    assert (buyer.name, buyer.external_id) == ("Amazing Grace Hopper", "207119551")
    no_email = shop.post(client, "customers/create", shop.customer(id=5, email=None))
    assert no_email.get_json()["status"] == "ignored"


def test_fulfillment_makes_a_parcel_shown_on_the_order_and_through_track(
        client, session, outbox):
    shop.post(client, "orders/create", shop.order())
    response = shop.post(client, "fulfillments/create", shop.fulfillment())
    assert response.status_code == 200, response.get_json()
    shipment = session.scalars(select(Shipment)).one()
    assert (shipment.carrier, shipment.tracking_number) == ("ups", "1Z2345E60312345678")
    assert the_order(session).status is OrderStatus.SHIPPED
    shipped = outbox()[-1]
    assert shipped["Subject"] == "Your parcel for order 1001 has shipped"
    text, _html = mail_parts(shipped)
    assert "1Z2345E60312345678" in text and "https://portal.example.com/track?number=1001" in text
    assert "ups.com" in text

    for number in ("#1001", "1001"):
        page = client.post("/track", data={"number": number,
                                           "email": "GRACE.hopper@example.com"})
        assert "1Z2345E60312345678" in page.get_data(as_text=True), number
    again = shop.post(client, "fulfillments/update",
                      shop.fulfillment(shipment_status="delivered"))
    assert again.status_code == 200
    session.expire_all()
    assert session.scalars(select(Shipment)).one().status is ShipmentStatus.DELIVERED
    assert the_order(session).status is OrderStatus.DELIVERED
    assert len(outbox()) == 2  # no second "shipped" email for the same parcel


def test_an_unknown_carrier_is_other_with_the_shops_link(client, session, login):
    shop.post(client, "orders/create", shop.order())
    shop.post(client, "fulfillments/create", shop.fulfillment(
        tracking_company="Bring Parcels", tracking_numbers=["BR123"], tracking_number="BR123",
        tracking_urls=["https://tracking.bring.example/BR123"], line_items=[
            {"id": 866550311766439020, "quantity": 1}]))
    shipment = session.scalars(select(Shipment)).one()
    assert (shipment.carrier, shipment.tracking_url) == (
        "other", "https://tracking.bring.example/BR123")
    assert the_order(session).status is OrderStatus.PARTIALLY_SHIPPED
    sign_in_as_buyer(session, client, login)
    page = client.get(f"/orders/1001/shipments/{shipment.id}").get_data(as_text=True)
    assert "https://tracking.bring.example/BR123" in page


def test_fulfillments_in_the_order_payload_become_parcels_too(client, session):
    payload = shop.order(fulfillment_status="fulfilled", fulfillments=[shop.fulfillment()])
    assert shop.post(client, "orders/fulfilled", payload).status_code == 200
    assert count(session, Shipment) == 1
    assert the_order(session).status is OrderStatus.SHIPPED


def test_a_fulfillment_before_its_order_is_409_and_kept_for_redelivery(client, session):
    response = shop.post(client, "fulfillments/create", shop.fulfillment(), webhook_id="early")
    assert response.status_code == 409
    assert count(session, StoreEvent) == 0
    shop.post(client, "orders/create", shop.order())
    assert shop.post(client, "fulfillments/create", shop.fulfillment(),
                     webhook_id="early").status_code == 200
    assert count(session, Shipment) == 1


def test_orders_cancelled_cancels(client, session):
    shop.post(client, "orders/create", shop.order())
    response = shop.post(client, "orders/cancelled", shop.order(
        cancelled_at="2026-11-28T11:00:00-05:00", cancel_reason="customer"))
    assert response.status_code == 200
    order = the_order(session)
    assert order.status is OrderStatus.CANCELLED
    assert order.cancelled_at.isoformat() == "2026-11-28T16:00:00+00:00"


def test_refund_shows_the_refund_and_a_credit_note_in_billing(client, session, login):
    shop.post(client, "orders/create", shop.order())
    response = shop.post(client, "refunds/create", shop.refund())
    assert response.status_code == 200, response.get_json()
    refund = session.scalars(select(Refund)).one()
    assert (refund.amount_cents, refund.external_id) == (1350, "509562969")
    note = session.scalars(select(Invoice).where(Invoice.kind == InvoiceKind.CREDIT_NOTE)).one()
    assert (note.number, note.total_cents) == ("CN-1001-1", 1350)
    assert shop.post(client, "refunds/create", shop.refund()).status_code == 200
    assert count(session, Refund) == 1  # the same refund under a new webhook id: no copy

    sign_in_as_buyer(session, client, login)
    billing = client.get("/billing").get_data(as_text=True)
    assert "CN-1001-1" in billing and "13.50" in billing


def test_a_refund_the_lines_do_not_explain_is_one_adjustment(client, session):
    shop.post(client, "orders/create", shop.order())
    payload = shop.refund(transactions=[{"kind": "refund", "status": "success",
                                         "amount": "10.00"}])
    assert shop.post(client, "refunds/create", payload).status_code == 200
    note = session.scalars(select(Invoice).where(Invoice.kind == InvoiceKind.CREDIT_NOTE)).one()
    assert note.total_cents == 1000


def test_a_refund_beyond_what_was_paid_is_refused(client, session):
    shop.post(client, "orders/create", shop.order())
    payload = shop.refund(refund_line_items=[], transactions=[
        {"kind": "refund", "status": "success", "amount": "500.00"}])
    response = shop.post(client, "refunds/create", payload)
    assert response.status_code == 422
    assert response.get_json()["field"] == "amount"
    assert count(session, Refund) == 0
