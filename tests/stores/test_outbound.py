"""Shopper actions on a shop's orders reach the shop: signed JSON to a store's endpoint, or
Shopify's Admin API, through the real HTTP client against a local server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.api.carrier_events import verify
from portal.auth.models import Customer
from portal.billing.models import Refund
from portal.db import utcnow
from portal.orders.models import Order
from portal.stores.delivery import MAX_ATTEMPTS, deliver_due
from portal.stores.models import OutboundEvent
from tests.factories import _DEMO_HASH, make_customer
from tests.factories.returns import make_return
from tests.stores import shopify_payloads as shop
from tests.stores.shop_server import serve
from tests.stores.store_events import event, order_data, post

OUT_SECRET = "outbound-test-secret"


@pytest.fixture
def shop_server():
    yield from serve()


@pytest.fixture
def app_config(app_config, shop_server):
    return {**app_config, "STORE_OUTBOUND_URL": f"{shop_server.url}/portal-events",
            "STORE_OUTBOUND_SECRET": OUT_SECRET,
            "SHOPIFY_ADMIN_URL": f"{shop_server.url}/admin/api/2025-01",
            "SHOPIFY_ADMIN_TOKEN": "shpat_test"}


def buyer_signs_in(session, client, login):
    session.expire_all()
    buyer = session.scalars(select(Customer)).one()
    buyer.password_hash = _DEMO_HASH
    session.commit()
    login(client, buyer)


def events(session):
    session.expire_all()
    return list(session.scalars(select(OutboundEvent).order_by(OutboundEvent.id)))


NEW_ADDRESS = {"name": "Lin Yu", "line1": "Torstr. 1", "city": "Berlin", "postal_code": "10119",
               "country": "DE"}


def test_an_address_change_is_delivered_signed_to_the_store(client, session, login,
                                                            shop_server):
    post(client, event("e1", "order.upserted", order_data()))
    buyer_signs_in(session, client, login)
    response = client.post("/orders/W-77/address", data=NEW_ADDRESS)
    assert response.status_code == 302
    [sent] = events(session)
    assert (sent.kind, sent.target, sent.attempts) == ("order.address_changed", "store", 1)
    assert sent.sent_at is not None
    [received] = shop_server.requests
    assert received.path == "/portal-events"
    verify(secret=OUT_SECRET, timestamp=received.headers["X-Portal-Timestamp"],
           signature=received.headers["X-Portal-Signature"], body=received.body, now=utcnow(),
           max_skew_seconds=60)
    body = received.json()
    assert body["type"] == "order.address_changed"
    assert body["id"] == received.headers["X-Portal-Event-Id"]
    assert body["data"]["order_external_id"] == "ord-77"
    assert body["data"]["shipping_address"]["line1"] == "Torstr. 1"


def test_a_failed_delivery_is_retried_with_backoff(client, session, login, shop_server):
    shop_server.answer(500, {"error": "try later"})
    post(client, event("e1", "order.upserted", order_data()))
    buyer_signs_in(session, client, login)
    client.post("/orders/W-77/address", data=NEW_ADDRESS)
    [failed] = events(session)
    assert failed.sent_at is None and failed.attempts == 1
    assert "HTTP 500" in failed.last_error
    assert deliver_due(session, config=client.application.config, now=utcnow()) == 0
    later = failed.next_attempt_at + timedelta(seconds=1)
    assert deliver_due(session, config=client.application.config, now=later) == 1
    [sent] = events(session)
    assert sent.sent_at is not None and sent.attempts == 2
    assert len(shop_server.requests) == 2


def test_an_event_is_kept_when_the_shop_is_unreachable(app, client, session, login,
                                                       shop_server):
    post(client, event("e1", "order.upserted", order_data()))
    live = app.config["STORE_OUTBOUND_URL"]
    app.config["STORE_OUTBOUND_URL"] = "http://127.0.0.1:9/closed"
    buyer_signs_in(session, client, login)
    client.post("/orders/W-77/address", data=NEW_ADDRESS)
    [waiting] = events(session)
    assert waiting.sent_at is None and "ConnectError" in waiting.last_error
    app.config["STORE_OUTBOUND_URL"] = live
    with app.app_context():
        deliver_due(session, config=app.config, now=waiting.next_attempt_at)
    assert events(session)[0].sent_at is not None


def test_plain_http_to_another_machine_is_refused(app, client, session, login):
    app.config["STORE_OUTBOUND_URL"] = "http://shop.example.com/hook"
    post(client, event("e1", "order.upserted", order_data()))
    buyer_signs_in(session, client, login)
    client.post("/orders/W-77/address", data=NEW_ADDRESS)
    assert "is not an HTTPS address" in events(session)[0].last_error


def test_failing_deliveries_are_shown_to_staff_with_a_retry(client, session, login,
                                                            shop_server):
    for _ in range(3):
        shop_server.answer(503, {"error": "down for maintenance"})
    post(client, event("e1", "order.upserted", order_data()))
    buyer_signs_in(session, client, login)
    client.post("/orders/W-77/address", data=NEW_ADDRESS)
    client.post("/logout")
    staff = make_customer(session, email="staff@example.com", role="staff")
    login(client, staff)
    page = client.get("/staff/deliveries").get_data(as_text=True)
    assert "down for maintenance" in page and "W-77" in page
    [failing] = events(session)
    client.post(f"/staff/deliveries/{failing.id}/retry")  # 503 again
    assert events(session)[0].attempts == 1 and events(session)[0].sent_at is None
    client.post(f"/staff/deliveries/{failing.id}/retry")  # 503, the last in the script
    client.post(f"/staff/deliveries/{failing.id}/retry")  # delivered
    assert events(session)[0].sent_at is not None
    assert "down for maintenance" not in client.get("/staff/deliveries").get_data(as_text=True)
    assert client.post("/staff/deliveries/999999/retry").status_code == 404


def test_a_delivery_stops_after_the_last_attempt(client, session, login, shop_server):
    shop_server.script.extend([(500, {})] * MAX_ATTEMPTS)
    post(client, event("e1", "order.upserted", order_data()))
    buyer_signs_in(session, client, login)
    client.post("/orders/W-77/address", data=NEW_ADDRESS)
    for day in range(1, MAX_ATTEMPTS + 3):
        deliver_due(session, config=client.application.config,
                    now=utcnow() + timedelta(days=day))
    assert events(session)[0].attempts == MAX_ATTEMPTS
    assert len(shop_server.requests) == MAX_ATTEMPTS


def test_a_shopify_cancellation_cancels_and_refunds_through_the_admin_api(
        client, session, login, shop_server):
    shop.post(client, "orders/create", shop.order())
    shop_server.answer(200, {"order": {"id": 450789469001}})  # cancel.json
    shop_server.answer(200, {"refund": {"transactions": [  # refunds/calculate.json
        {"parent_id": 801038806, "amount": "69.66", "maximum_refundable": "69.66",
         "kind": "suggested_refund", "gateway": "shopify_payments"}]}})
    shop_server.answer(201, {"refund": {"id": 929361463}})  # refunds.json
    buyer_signs_in(session, client, login)
    assert client.post("/orders/1001/cancel", data={"idempotency_key": "k1"}).status_code == 302
    kinds = [(e.kind, e.sent_at is not None) for e in events(session)]
    assert sorted(kinds) == [("order.cancelled", True), ("refund.created", True)]
    paths = [(r.method, r.path) for r in shop_server.requests]
    assert ("POST", "/admin/api/2025-01/orders/450789469001/cancel.json") in paths
    calculate, create = (r for r in shop_server.requests if "refunds" in r.path)
    assert calculate.path.endswith("/refunds/calculate.json")
    assert create.headers["X-Shopify-Access-Token"] == "shpat_test"
    created = create.json()["refund"]
    assert created["transactions"] == [{"parent_id": 801038806, "amount": "69.66",
                                        "kind": "refund", "gateway": "shopify_payments"}]
    refund = session.scalars(select(Refund)).one()
    assert (refund.source, refund.external_id) == ("shopify", "929361463")

    echoed = shop.refund(id=929361463, refund_line_items=[], transactions=[
        {"kind": "refund", "status": "success", "amount": "69.66"}])
    assert shop.post(client, "refunds/create", echoed).status_code == 200
    assert session.scalar(select(func.count()).select_from(Refund)) == 1


def test_changes_the_shop_sent_are_not_sent_back(client, session, shop_server):
    shop.post(client, "orders/create", shop.order())
    shop.post(client, "orders/cancelled", shop.order(cancelled_at="2026-11-28T11:00:00-05:00"))
    shop.post(client, "refunds/create", shop.refund())
    assert events(session) == [] and shop_server.requests == []


def test_an_approved_return_is_sent_to_the_store(client, session, login, shop_server):
    post(client, event("e1", "order.upserted", order_data()))
    order = session.scalars(select(Order)).one()
    request = make_return(session, order)
    staff = make_customer(session, email="staff@example.com", role="staff")
    login(client, staff)
    client.post(f"/staff/returns/{request.rma_number}/approve")
    [sent] = [e for e in events(session) if e.kind == "return.approved"]
    assert sent.sent_at is not None
    body = shop_server.requests[-1].json()
    assert body["data"]["rma_number"] == request.rma_number
    assert body["data"]["lines"] == [{"line_external_id": "l1", "quantity": 1}]


def test_deliveries_are_for_staff_only_and_retry_needs_its_token(app, client, session, login):
    post(client, event("e1", "order.upserted", order_data()))
    buyer_signs_in(session, client, login)
    assert client.get("/staff/deliveries").status_code == 404
    assert client.post("/staff/deliveries/1/retry").status_code == 404
    client.post("/logout")
    login(client, make_customer(session, email="staff@example.com", role="staff"))
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/staff/deliveries/1/retry").status_code == 400
