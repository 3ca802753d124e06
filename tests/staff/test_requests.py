"""Staff side of support requests: queue, review beside the history, replies, triage."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit import AuditEvent
from portal.billing.models import PaymentKind, Refund
from portal.db import utcnow
from portal.orders.models import Shipment, ShipmentStatus
from portal.returns.models import ReturnRequest, ReturnResolution
from portal.support.models import Message, RequestPriority, RequestStatus, SupportRequest
from tests.factories import make_customer, make_order, next_totp_code
from tests.factories.support import add_message, make_request

HTMX = {"HX-Request": "true"}


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_shoppers_and_visitors_cannot_reach_the_console(client, session, login, shopper) -> None:
    request = make_request(session, shopper)
    assert client.get("/staff/requests").status_code == 404
    login(client, shopper)
    assert client.get("/staff/requests").status_code == 404
    assert client.get(f"/staff/requests/{request.number}").status_code == 404
    assert client.post(f"/staff/requests/{request.number}/messages",
                       data={"body": "hi", "visibility": "public"}).status_code == 404
    assert client.post(f"/staff/requests/{request.number}/triage",
                       data={"status": "closed", "priority": "low"}).status_code == 404
    assert _count(session, Message) == 1
    session.refresh(request)
    assert request.status == RequestStatus.OPEN


def test_queue_orders_by_priority_then_age_and_filters(client, session, login, staff,
                                                       shopper) -> None:
    old_normal = make_request(session, shopper, subject="Old normal",
                              created_at=utcnow() - timedelta(days=3))
    urgent = make_request(session, shopper, subject="Urgent one",
                          priority=RequestPriority.URGENT)
    mine = make_request(session, shopper, subject="Assigned to me", assignee=staff,
                        priority=RequestPriority.HIGH)
    done = make_request(session, shopper, subject="Already resolved",
                        status=RequestStatus.RESOLVED)
    login(client, staff)

    html = client.get("/staff/requests").text
    positions = [html.index(r.number) for r in (urgent, mine, old_normal)]
    assert positions == sorted(positions)
    assert done.number not in html
    assert 'hx-trigger="every 30s"' in html

    assert done.number in client.get("/staff/requests?status=resolved").text
    only_mine = client.get("/staff/requests?assignee=me").text
    assert mine.number in only_mine and urgent.number not in only_mine
    unassigned = client.get("/staff/requests?assignee=none").text
    assert mine.number not in unassigned and urgent.number in unassigned
    urgent_only = client.get("/staff/requests?priority=urgent").text
    assert urgent.number in urgent_only and old_normal.number not in urgent_only
    weird = client.get("/staff/requests?status=bogus&priority=9&assignee=x&page=-3")
    assert weird.status_code == 200 and urgent.number in weird.text
    huge = client.get(f"/staff/requests?assignee={2**40}")  # beyond PostgreSQL's integer
    assert huge.status_code == 200 and urgent.number in huge.text


def test_queue_refresh_is_a_fragment_that_keeps_filters(client, session, login, staff,
                                                        shopper) -> None:
    make_request(session, shopper, priority=RequestPriority.HIGH)
    login(client, staff)
    response = client.get("/staff/requests?priority=high", headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<section id=\"queue\"")
    assert re.search(r'hx-get="/staff/requests\?[^"]*priority=high', response.text)
    assert "HX-Request" in response.headers["Vary"]


def test_queue_query_count_does_not_grow(client, session, login, staff, query_count) -> None:
    login(client, staff)

    def fill(n: int) -> None:
        for _ in range(n):
            customer = make_customer(session)
            make_request(session, customer, order=make_order(session, customer, lines=1),
                         assignee=staff)

    fill(1)
    with query_count() as small:
        assert client.get("/staff/requests").status_code == 200
    fill(12)
    with query_count() as large:
        assert client.get("/staff/requests").status_code == 200
    assert large.count == small.count


def _history(session: Session, shopper, size: int) -> None:
    for _ in range(size):
        order = make_order(session, shopper, lines=1)
        session.add(Shipment(order_id=order.id, carrier="ups",
                             tracking_number=f"1Z{order.id:08d}",
                             status=ShipmentStatus.IN_TRANSIT))
        session.add(ReturnRequest(rma_number=f"RMA-{order.id:06d}", order_id=order.id,
                                  customer_id=shopper.id, resolution=ReturnResolution.REFUND,
                                  idempotency_key=f"key-{order.id}"))
        session.add(Refund(order_id=order.id, customer_id=shopper.id, kind=PaymentKind.CARD,
                           amount_cents=1234, currency="USD", reason="Damaged"))
        session.commit()
        make_request(session, shopper, subject=f"Earlier question {order.number}")


def test_review_shows_history_beside_the_request(client, session, login, staff,
                                                 shopper) -> None:
    _history(session, shopper, 2)
    order = make_order(session, shopper)
    request = make_request(session, shopper, order=order, subject="Broken lamp")
    add_message(session, request, staff, "Checked the warehouse photos", is_internal=True)
    login(client, staff)
    html = client.get(f"/staff/requests/{request.number}").text
    assert "Broken lamp" in html and order.number in html
    assert "Checked the warehouse photos" in html and "Internal note" in html
    assert "RMA-" in html and "$12.34" in html and "In transit" in html
    assert "Earlier question" in html
    assert client.get("/staff/requests/REQ-NOPE00").status_code == 404


def test_review_query_count_does_not_grow_with_history(client, session, login, staff, shopper,
                                                       query_count) -> None:
    _history(session, shopper, 1)
    request = make_request(session, shopper)
    login(client, staff)
    with query_count() as small:
        client.get(f"/staff/requests/{request.number}")
    _history(session, shopper, 14)
    for n in range(5):
        add_message(session, request, staff, f"note {n}", is_internal=bool(n % 2))
    with query_count() as large:
        html = client.get(f"/staff/requests/{request.number}").text
    assert large.count == small.count
    assert html.count("Earlier question") == 10  # bounded to the ten most recent


def test_public_reply_emails_shopper_and_sets_first_response(client, session, login, staff,
                                                             shopper, outbox) -> None:
    request = make_request(session, shopper)
    login(client, staff)
    response = client.post(f"/staff/requests/{request.number}/messages",
                           data={"body": "A new one is on its way.", "visibility": "public"})
    assert response.status_code == 302
    session.refresh(request)
    assert request.first_response_at is not None
    assert request.status == RequestStatus.AWAITING_CUSTOMER
    mails = outbox()
    assert mails[-1]["To"] == shopper.email and request.number in mails[-1]["Subject"]
    plain = next(p for p in mails[-1].walk() if p.get_content_type() == "text/plain")
    assert "A new one is on its way." in plain.get_payload(decode=True).decode()
    event = session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.object_id) == (
        "support.replied", staff.id, request.number)

    first_response = request.first_response_at
    client.post(f"/staff/requests/{request.number}/messages",
                data={"body": "Tracking number follows.", "visibility": "public"})
    session.refresh(request)
    assert request.first_response_at == first_response


def test_internal_note_is_not_mailed_nor_shown_to_the_shopper(client, session, login, staff,
                                                              shopper, outbox) -> None:
    request = make_request(session, shopper)
    login(client, staff)
    client.post(f"/staff/requests/{request.number}/messages",
                data={"body": "Possible fraud, check payment", "visibility": "internal"})
    session.refresh(request)
    assert request.first_response_at is None and request.status == RequestStatus.OPEN
    assert outbox() == []
    assert session.scalars(select(AuditEvent.action)).one() == "support.note_added"

    client.post("/logout")
    login(client, shopper)
    assert "Possible fraud" not in client.get(f"/requests/{request.number}").text


def test_double_sent_reply_is_one_message(client, session, login, staff, shopper) -> None:
    request = make_request(session, shopper)
    login(client, staff)
    for _ in range(2):
        client.post(f"/staff/requests/{request.number}/messages",
                    data={"body": "Same words", "visibility": "public"})
    assert _count(session, Message) == 2  # the shopper's first message and one reply


def test_empty_reply_is_422_and_keeps_choice(client, session, login, staff, shopper) -> None:
    request = make_request(session, shopper)
    login(client, staff)
    response = client.post(f"/staff/requests/{request.number}/messages",
                           data={"body": "", "visibility": "internal"}, headers=HTMX)
    assert response.status_code == 422
    assert "Write the message first." in response.text
    assert re.search(r'checked[^>]*value="internal"|value="internal"[^>]*checked', response.text)
    assert _count(session, Message) == 1


def test_triage_changes_are_audited(client, session, login, staff, shopper) -> None:
    request = make_request(session, shopper)
    login(client, staff)
    response = client.post(f"/staff/requests/{request.number}/triage",
                           data={"status": "resolved", "priority": "high", "category": "delivery",
                                 "assignee": str(staff.id)})
    assert response.status_code == 302
    session.refresh(request)
    assert (request.status, request.priority, request.assignee_id) == (
        RequestStatus.RESOLVED, RequestPriority.HIGH, staff.id)
    assert request.resolved_at is not None
    actions = set(session.scalars(select(AuditEvent.action)))
    assert actions == {"support.status_changed", "support.priority_changed", "support.assigned"}

    client.post(f"/staff/requests/{request.number}/triage",
                data={"status": "resolved", "priority": "high", "category": "delivery",
                      "assignee": str(staff.id)})
    assert _count(session, AuditEvent) == 3  # nothing changed, nothing logged


def test_triage_refuses_a_shopper_as_assignee_and_bad_values(client, session, login, staff,
                                                             shopper) -> None:
    request = make_request(session, shopper)
    login(client, staff)
    response = client.post(f"/staff/requests/{request.number}/triage",
                           data={"status": "open", "priority": "normal", "category": "delivery",
                                 "assignee": str(shopper.id)})
    assert response.status_code == 422 and 'id="assignee-error"' in response.text
    response = client.post(f"/staff/requests/{request.number}/triage",
                           data={"status": "exploded", "priority": "normal", "category": "delivery",
                                 "assignee": ""},
                           headers=HTMX)
    assert response.status_code == 422 and response.text.lstrip().startswith("<form")
    session.refresh(request)
    assert request.assignee_id is None and request.status == RequestStatus.OPEN
    assert _count(session, AuditEvent) == 0


@pytest.mark.usefixtures("csrf_on")
def test_staff_posts_need_csrf(client, session, staff, shopper) -> None:
    request = make_request(session, shopper)
    token = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', client.get("/login").text)
    client.post("/login", data={"email": staff.email, "password": "portal-demo",
                                "csrf_token": token.group(1)})
    client.post("/login/two-factor", data={"code": next_totp_code(session, staff),
                                           "csrf_token": token.group(1)})
    assert client.get("/staff/requests").status_code == 200
    assert client.post(f"/staff/requests/{request.number}/messages",
                       data={"body": "x", "visibility": "public"}).status_code == 400
    assert client.post(f"/staff/requests/{request.number}/triage",
                       data={"status": "closed", "priority": "low"}).status_code == 400
    assert client.post("/staff/requests/bulk",
                       data={"numbers": [request.number], "status": "closed"}).status_code == 400
    assert _count(session, SupportRequest) == 1 and _count(session, Message) == 1
