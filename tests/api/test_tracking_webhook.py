"""The carrier webhook: signed JSON in, parcel state and shopper emails out."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.api import views
from portal.api.carrier_events import sign
from portal.db import new_session
from portal.mail import OutboxMessage
from portal.orders.models import Order, OrderStatus, Shipment, ShipmentStatus, TrackingEvent
from tests.factories import make_customer, make_order
from tests.factories.parcels import make_shipment

SECRET = "ups-test-secret"


def post(client, body, *, carrier="ups", secret=SECRET, timestamp=None, signature=None,
         headers=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    all_headers = {
        "Content-Type": "application/json",
        "X-Portal-Timestamp": stamp,
        "X-Portal-Signature": signature or sign(secret, stamp, raw),
    }
    all_headers.update(headers or {})
    return client.post(f"/api/tracking/{carrier}", data=raw, headers=all_headers)


def event(n, status, at, **extra):
    return {"id": f"evt-{n}", "tracking_number": "1ZTEST0001", "status": status,
            "occurred_at": at, "description": f"Event {n}", **extra}


def test_events_update_the_parcel_and_email_the_shopper(client, session, parcel, outbox):
    response = post(client, {"events": [
        event(1, "P", "2026-11-20T08:00:00Z", location="Louisville, KY"),
        event(2, "O", "2026-11-21T07:30:00+01:00", estimated_delivery="2026-11-21"),
    ]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"accepted": 2, "duplicates": 0}
    session.expire_all()
    shipment = session.get(Shipment, parcel.id)
    assert shipment.status is ShipmentStatus.OUT_FOR_DELIVERY
    assert shipment.shipped_at.isoformat().startswith("2026-11-20T08:00")
    assert str(shipment.estimated_delivery_on) == "2026-11-21"
    mails = outbox()
    assert len(mails) == 1
    assert mails[0]["To"] == "ada@example.com"
    assert "out for delivery" in mails[0]["Subject"]
    assert f"/shipments/{parcel.id}" in mails[0].get_payload()


def test_delivered_event_completes_the_order(client, session, parcel, outbox):
    post(client, event(1, "D", "2026-11-21T15:00:00Z"))
    session.expire_all()
    shipment = session.get(Shipment, parcel.id)
    assert shipment.status is ShipmentStatus.DELIVERED
    assert shipment.delivered_at is not None
    assert session.get(Order, shipment.order_id).status is OrderStatus.DELIVERED
    assert "has been delivered" in outbox()[-1]["Subject"]


def test_same_event_twice_is_stored_once(client, session, parcel, outbox):
    body = event(1, "X", "2026-11-21T15:00:00Z")
    assert post(client, body).get_json() == {"accepted": 1, "duplicates": 0}
    assert post(client, body).get_json() == {"accepted": 0, "duplicates": 1}
    count = session.scalar(select(func.count()).select_from(TrackingEvent)
                           .where(TrackingEvent.shipment_id == parcel.id))
    assert count == 1
    assert len(outbox()) == 1  # the exception email went once


def test_late_arriving_old_event_does_not_move_status_back(client, session, parcel, outbox):
    post(client, event(2, "D", "2026-11-21T15:00:00Z"))
    post(client, event(1, "I", "2026-11-20T09:00:00Z"))
    session.expire_all()
    shipment = session.get(Shipment, parcel.id)
    assert shipment.status is ShipmentStatus.DELIVERED
    assert len(outbox()) == 1


def test_carrier_words_are_normalised_per_carrier(client, session):
    customer = make_customer(session)
    order = make_order(session, customer)
    parcel = make_shipment(session, order, carrier="usps", tracking_number="9400100000",
                           status=ShipmentStatus.INFO_RECEIVED)
    body = {"id": "u1", "tracking_number": "9400100000", "status": "Notice Left",
            "occurred_at": "2026-11-21T15:00:00Z"}
    response = post(client, body, carrier="usps", secret="usps-test-secret")
    assert response.status_code == 200
    session.expire_all()
    assert session.get(Shipment, parcel.id).status is ShipmentStatus.FAILED_ATTEMPT


def test_bad_signature_is_401(client, parcel):
    response = post(client, event(1, "D", "2026-11-21T15:00:00Z"), signature="0" * 64)
    assert response.status_code == 401
    assert response.get_json()["error"] == "signature does not match"


def test_signature_from_another_carriers_secret_is_401(client, parcel):
    response = post(client, event(1, "D", "2026-11-21T15:00:00Z"), secret="fedex-test-secret")
    assert response.status_code == 401


def test_missing_headers_are_401(client, parcel):
    response = client.post("/api/tracking/ups", json=event(1, "D", "2026-11-21T15:00:00Z"))
    assert response.status_code == 401
    assert "missing" in response.get_json()["error"]


@pytest.mark.parametrize("age", [-3600, 3600, 301])
def test_stale_or_future_timestamp_is_refused(client, session, parcel, age):
    response = post(client, event(1, "D", "2026-11-21T15:00:00Z"),
                    timestamp=int(time.time()) - age)
    assert response.status_code == 401
    assert "replay" in response.get_json()["error"]
    assert session.scalar(select(func.count()).select_from(TrackingEvent)) == 0


def test_body_changed_after_signing_is_401(client, parcel):
    raw = json.dumps(event(1, "D", "2026-11-21T15:00:00Z")).encode()
    stamp = str(int(time.time()))
    response = client.post("/api/tracking/ups", data=raw.replace(b"D", b"X", 1), headers={
        "X-Portal-Timestamp": stamp, "X-Portal-Signature": "sha256=" + sign(SECRET, stamp, raw),
        "Content-Type": "application/json"})
    assert response.status_code == 401


def test_sha256_prefix_accepted(client, parcel):
    raw = json.dumps(event(1, "D", "2026-11-21T15:00:00Z")).encode()
    stamp = str(int(time.time()))
    response = post(client, raw, timestamp=stamp,
                    signature="sha256=" + sign(SECRET, stamp, raw))
    assert response.status_code == 200


def test_malformed_json_is_400(client, parcel):
    response = post(client, b"{not json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "the body is not valid JSON"


@pytest.mark.parametrize(("body", "field"), [
    ({"tracking_number": "1ZTEST0001", "status": "D", "occurred_at": "2026-11-21T15:00:00Z"},
     "id"),
    (event(1, "D", "yesterday"), "occurred_at"),
    (event(1, "D", "2026-11-21T15:00:00"), "occurred_at"),
    (event(1, "TELEPORTED", "2026-11-21T15:00:00Z"), "status"),
    (event(1, "D", "2026-11-21T15:00:00Z", estimated_delivery="soon"), "estimated_delivery"),
    (event(1, "D", "2026-11-21T15:00:00Z", description="Left at\u0000door"), "description"),
    ({"events": []}, "events"),
    ({"events": "x"}, "events"),
])
def test_invalid_events_are_400_naming_the_field(client, parcel, body, field):
    response = post(client, body)
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def test_json_that_is_not_an_object_is_400(client, parcel):
    assert post(client, [1, 2]).status_code == 400


def test_unknown_tracking_number_is_404_and_stores_nothing(client, session, parcel):
    response = post(client, {"events": [
        event(1, "I", "2026-11-21T15:00:00Z"),
        {**event(2, "I", "2026-11-21T15:00:00Z"), "tracking_number": "NOPE"},
    ]})
    assert response.status_code == 404
    assert "NOPE" in response.get_json()["error"]
    assert session.scalar(select(func.count()).select_from(TrackingEvent)) == 0


def test_unknown_carrier_is_404_json(client):
    response = client.post("/api/tracking/pigeon", json={})
    assert response.status_code == 404
    assert response.is_json


def test_webhook_needs_no_csrf_token(app, client, parcel):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/track", data={"number": "X", "email": "a@b.c"}).status_code == 400
    assert post(client, event(1, "I", "2026-11-21T15:00:00Z")).status_code == 200


def test_get_is_not_allowed(client):
    response = client.get("/api/tracking/ups")
    assert response.status_code == 405
    assert response.is_json


@pytest.mark.commits  # the rival delivery commits on a connection of its own
def test_a_delivery_that_loses_the_race_counts_the_events_as_duplicates(
    client, session, parcel, monkeypatch
):
    real = views.apply_events
    lost = []

    def racing(request_session, **kwargs):
        if not lost:  # a concurrent delivery of the same events commits first
            lost.append(True)
            with new_session() as other:
                real(other, **kwargs)
                other.commit()
            raise IntegrityError("INSERT INTO tracking_events", {}, Exception("duplicate"))
        return real(request_session, **kwargs)

    monkeypatch.setattr(views, "apply_events", racing)
    response = post(client, event(1, "X", "2026-11-21T15:00:00Z"))
    assert response.status_code == 200
    assert response.get_json() == {"accepted": 0, "duplicates": 1}
    count = session.scalar(select(func.count()).select_from(TrackingEvent)
                           .where(TrackingEvent.shipment_id == parcel.id))
    assert count == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1  # one email
