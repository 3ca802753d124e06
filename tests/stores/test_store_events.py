"""The generic store API: signed JSON events, applied once each, described by OpenAPI."""

from __future__ import annotations

import time

from openapi_spec_validator import validate
from sqlalchemy import func, select

from portal.billing.models import Invoice, InvoiceKind, Payment, Refund
from portal.orders.models import Order, OrderStatus, Shipment, ShipmentStatus
from portal.stores.models import StoreEvent
from tests.stores.store_events import event, order_data, post


def count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_an_order_its_payment_parcel_refund_and_cancellation(client, session, outbox):
    response = post(client, event("e1", "order.upserted", order_data()))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "applied", "order_number": "W-77", "reason": None}
    order = session.scalars(select(Order)).one()
    assert (order.total_cents, order.tax_cents, order.discount_cents, order.currency) == (
        3855, 560, 200, "EUR")
    assert post(client, event("e2", "payment.recorded", {
        "external_id": "pay-1", "order_external_id": "ord-77", "amount": 3855,
        "kind": "card", "brand": "visa", "last4": "4242",
        "created_at": "2026-11-30T09:01:00Z"})).status_code == 200
    assert post(client, event("e3", "shipment.recorded", {
        "external_id": "par-1", "order_external_id": "ord-77", "carrier": "FedEx",
        "tracking_number": "794612345678", "status": "in_transit",
        "shipped_at": "2026-12-01T08:00:00Z",
        "lines": [{"line_external_id": "l1", "quantity": 3}]})).status_code == 200
    shipment = session.scalars(select(Shipment)).one()
    assert (shipment.carrier, shipment.status) == ("fedex", ShipmentStatus.IN_TRANSIT)
    assert post(client, event("e4", "refund.recorded", {
        "external_id": "ref-1", "order_external_id": "ord-77", "amount": 495,
        "reason": "Late delivery: shipping back", "shipping": 495,
        "created_at": "2026-12-02T08:00:00Z"})).status_code == 200
    note = session.scalars(select(Invoice).where(Invoice.kind == InvoiceKind.CREDIT_NOTE)).one()
    assert note.total_cents == 495
    assert [m["Subject"] for m in outbox()] == [
        "Order W-77 confirmed", "Your parcel for order W-77 has shipped"]


def test_a_redelivered_event_id_changes_nothing(client, session, outbox):
    post(client, event("same", "order.upserted", order_data()))
    again = post(client, event("same", "order.upserted", order_data(number="W-78")))
    assert again.get_json()["status"] == "duplicate"
    assert count(session, Order) == count(session, Invoice) == 1
    assert len(outbox()) == 1


def test_bad_signatures_are_401_and_change_nothing(client, session):
    body = event("e1", "order.upserted", order_data())
    assert post(client, body, secret="wrong").status_code == 401
    assert post(client, body, timestamp=int(time.time()) - 3600).status_code == 401
    assert post(client, body, signature="00" * 32).status_code == 401
    assert count(session, Order) == count(session, StoreEvent) == 0


def test_malformed_events_are_400_naming_the_field(client, session):
    cases = [
        (b"nope", "body"),
        ({"type": "order.upserted", "data": {}}, "id"),
        (event("e1", "order.exploded", {}), "type"),
        (event("e1", "order.upserted", order_data(lines=[])), "data.lines"),
        (event("e1", "order.upserted", order_data(placed_at="2026-11-30T09:00:00")),
         "data.placed_at"),
        (event("e1", "order.upserted", order_data(currency="ZZZ")), "data.currency"),
        (event("e1", "payment.recorded", {"external_id": "p", "order_external_id": "o",
                                          "amount": -5, "created_at": "2026-11-30T09:00:00Z"}),
         "data.amount"),
    ]
    for body, field in cases:
        response = post(client, body)
        assert response.status_code == 400, (field, response.get_json())
        assert response.get_json()["field"] == field
    assert count(session, Order) == count(session, StoreEvent) == 0


def test_events_about_an_order_not_yet_received_are_409(client, session):
    response = post(client, event("e9", "order.cancelled", {
        "order_external_id": "nope", "cancelled_at": "2026-12-01T00:00:00Z"}))
    assert response.status_code == 409
    assert count(session, StoreEvent) == 0


def test_an_order_update_before_its_create_and_a_cancel(client, session):
    post(client, event("u1", "order.upserted", order_data()))
    post(client, event("u2", "order.upserted", order_data(
        shipping_address={"name": "Lin Yu", "line1": "Torstr. 1", "city": "Berlin",
                          "postal_code": "10119", "country": "DE"})))
    order = session.scalars(select(Order)).one()
    assert order.shipping_address["line1"] == "Torstr. 1"
    post(client, event("c1", "order.cancelled", {"order_external_id": "ord-77",
                                                 "cancelled_at": "2026-12-01T00:00:00Z"}))
    session.expire_all()
    assert session.scalars(select(Order)).one().status is OrderStatus.CANCELLED


def test_an_order_number_already_taken_is_422(client, session):
    post(client, event("n1", "order.upserted", order_data()))
    response = post(client, event("n2", "order.upserted", order_data(external_id="other")))
    assert response.status_code == 422
    assert response.get_json()["field"] == "number"


def test_a_payment_above_the_total_is_422(client, session):
    post(client, event("p0", "order.upserted", order_data()))
    response = post(client, event("p1", "payment.recorded", {
        "external_id": "pay-1", "order_external_id": "ord-77", "amount": 9999,
        "created_at": "2026-11-30T09:01:00Z"}))
    assert response.status_code == 422
    assert count(session, Payment) == count(session, Refund) == 0


def test_the_store_api_is_off_without_a_secret(app, client):
    app.config["STORE_EVENTS_SECRET"] = None
    assert post(client, event("e1", "order.upserted", order_data())).status_code == 404


def test_the_openapi_document_is_valid_and_describes_every_event(client):
    document = client.get("/api/openapi.json").get_json()
    validate(document)
    body = document["paths"]["/api/store/events"]["post"]["requestBody"]
    types = [option["properties"]["type"]["const"]
             for option in body["content"]["application/json"]["schema"]["oneOf"]]
    assert types == ["customer.upserted", "order.upserted", "payment.recorded",
                     "shipment.recorded", "refund.recorded", "order.cancelled"]
    assert "OrderIn" in document["components"]["schemas"]
