"""The staff order page and its actions; the shopper's timeline beside a request."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.audit import AuditEvent
from portal.billing.models import Refund
from portal.db import utcnow
from portal.help_sessions.models import HelpEventKind, HelpSession, HelpSessionEvent
from portal.orders.models import Order, OrderStatus, ShipmentStatus
from portal.returns.models import ReturnRequest
from portal.support.models import SatisfactionRating
from tests.factories.billing import make_paid_order
from tests.factories.parcels import make_shipment
from tests.factories.support import count_rows, make_request

KEY = "0123456789abcdef0123456789abcdef"


def _actions(session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_order_page_for_staff_only(client, session, login, staff, shopper) -> None:
    order, _invoice = make_paid_order(session, shopper)
    login(client, staff)
    html = client.get(f"/staff/orders/{order.number}").text
    assert order.number in html and shopper.email in html and "Still refundable" in html
    assert client.get("/staff/orders/NW-NOPE").status_code == 404
    found = client.get("/staff/orders", query_string={"q": order.number.lower()})
    assert found.headers["Location"].endswith(f"/staff/orders/{order.number}")
    assert "No order numbered" in client.get("/staff/orders?q=zz%25", follow_redirects=True).text
    client.post("/logout")
    login(client, shopper)
    assert client.get(f"/staff/orders/{order.number}").status_code == 404
    assert client.post(f"/staff/orders/{order.number}/cancel",
                       data={"cancel_form-confirm": "y", "cancel_form-key": KEY}).status_code == 404


def test_cancel_needs_confirmation_and_acts_once(client, session, login, staff, shopper) -> None:
    order, _invoice = make_paid_order(session, shopper)
    login(client, staff)
    response = client.post(f"/staff/orders/{order.number}/cancel",
                           data={"cancel_form-key": KEY})
    assert response.status_code == 422 and "Tick to confirm." in response.text
    for _ in range(2):
        response = client.post(f"/staff/orders/{order.number}/cancel",
                               data={"cancel_form-confirm": "y", "cancel_form-key": KEY})
        assert response.status_code == 303
    session.expire_all()
    assert session.get(Order, order.id).status == OrderStatus.CANCELLED
    assert count_rows(session, Refund) == 1
    assert _actions(session) == ["order.cancelled"]


def test_refund_an_amount_within_billing_rules(client, session, login, staff, shopper) -> None:
    order, _invoice = make_paid_order(session, shopper)
    login(client, staff)
    data = {"refund_form-confirm": "y", "refund_form-key": KEY, "refund_form-amount": "5.00",
            "refund_form-reason": "Late parcel", "refund_form-line": ""}
    for _ in range(2):  # a resent form refunds once
        assert client.post(f"/staff/orders/{order.number}/refund", data=data).status_code == 303
    assert [r.amount_cents for r in session.scalars(select(Refund))] == [500]
    assert _actions(session) == ["order.refunded"]
    too_much = dict(data, **{"refund_form-key": "f" * 32, "refund_form-amount": "99999"})
    response = client.post(f"/staff/orders/{order.number}/refund", data=too_much,
                           follow_redirects=True)
    assert response.status_code == 200 and count_rows(session, Refund) == 1
    bad = dict(data, **{"refund_form-amount": "-3", "refund_form-reason": ""})
    response = client.post(f"/staff/orders/{order.number}/refund", data=bad)
    assert response.status_code == 422 and "Say why." in response.text
    assert 'value="-3"' in response.text  # what was typed is kept


def test_resend_invoice_and_start_a_return(client, session, login, staff, shopper,
                                           outbox) -> None:
    order, invoice = make_paid_order(session, shopper, lines=1)
    make_shipment(session, order, status=ShipmentStatus.DELIVERED,
                  delivered_at=utcnow() - timedelta(days=1))
    login(client, staff)
    response = client.post(f"/staff/orders/{order.number}/invoice",
                           data={"invoice_form-confirm": "y", "invoice_form-key": KEY})
    assert response.status_code == 303
    assert invoice.number in outbox()[-1].get("Subject")
    line_id = order.lines[0].id
    response = client.post(f"/staff/orders/{order.number}/return", data={
        "return_form-confirm": "y", "return_form-key": KEY, "return_form-line": str(line_id),
        "return_form-quantity": "1", "return_form-reason": "damaged"}, follow_redirects=True)
    assert response.status_code == 200
    created = session.scalars(select(ReturnRequest)).one()
    assert created.customer_id == shopper.id and created.rma_number in response.text
    assert _actions(session) == ["order.invoice_resent", "return.started_for_shopper"]
    response = client.post(f"/staff/orders/{order.number}/return", data={
        "return_form-confirm": "y", "return_form-key": KEY, "return_form-line": "999999",
        "return_form-quantity": "1", "return_form-reason": "damaged"})
    assert response.status_code == 422


def test_timeline_beside_the_request(client, session, login, staff, shopper) -> None:
    order, invoice = make_paid_order(session, shopper)
    earlier = make_request(session, shopper, subject="Old question",
                           created_at=utcnow() - timedelta(days=20))
    session.add(SatisfactionRating(request_id=earlier.id, score=5, comment="Lovely"))
    request = make_request(session, shopper, order=order, created_at=utcnow() - timedelta(hours=1))
    help_session = HelpSession(visitor_key="v", customer_id=shopper.id,
                               started_at=utcnow() - timedelta(days=1),
                               last_seen_at=utcnow() - timedelta(days=1))
    session.add(help_session)
    session.flush()
    session.add_all([
        HelpSessionEvent(help_session_id=help_session.id, kind=HelpEventKind.SEARCH,
                         query="lamp arrived broken", created_at=utcnow() - timedelta(days=1)),
        HelpSessionEvent(help_session_id=help_session.id, kind=HelpEventKind.SEARCH,
                         query="too old to show", created_at=utcnow() - timedelta(days=9)),
    ])
    session.commit()
    login(client, staff)
    html = client.get(f"/staff/requests/{request.number}").text
    panel = html.split('id="history-title"')[1]
    assert f'href="/staff/orders/{order.number}"' in panel
    assert invoice.number in panel
    assert "rated 5/5: “Lovely”" in panel
    assert "lamp arrived broken" in panel and "too old to show" not in panel
