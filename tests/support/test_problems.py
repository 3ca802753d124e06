"""Problem reports: one request with order, category, priority, photos and the chosen fix."""

from __future__ import annotations

import io

from sqlalchemy import select

from portal.auth.models import Role
from portal.orders.models import Shipment
from portal.returns.models import ReturnReason, ReturnRequest
from portal.support.models import Attachment, RequestPriority, SupportRequest
from tests.factories import make_customer, make_order
from tests.factories.returns import make_delivered_order
from tests.factories.support import count_rows
from tests.support.files import photo

KEY = "fedcba9876543210fedcba9876543210"


def _report(order, **fields) -> dict[str, object]:
    line = order.lines[0]
    return {"lines": [str(line.id)], "description": "The lamp shade is cracked in two.",
            "fix": "replacement", "idempotency_key": KEY, **fields}


def _delivered(session):
    customer = make_customer(session)
    order = make_delivered_order(session, customer)
    return customer, session.scalars(
        select(type(order)).where(type(order).id == order.id)).one()


def test_damaged_report_with_a_photo_becomes_a_request_staff_can_read(app, client, session,
                                                                       login) -> None:
    customer, order = _delivered(session)
    login(client, customer)
    form = _report(order, attachments=[(io.BytesIO(photo()), "lamp.jpg")])
    response = client.post(f"/orders/{order.number}/report/damaged", data=form,
                           content_type="multipart/form-data")
    assert response.status_code == 302
    opened = session.scalars(select(SupportRequest)).one()
    assert (opened.order_id, opened.category, opened.priority) == (
        order.id, "order", RequestPriority.HIGH)
    assert (opened.problem_kind, opened.suggested_fix) == ("damaged", "replacement")
    assert count_rows(session, Attachment) == 1

    staff = make_customer(session, role=Role.STAFF)
    console = app.test_client()
    login(console, staff)
    page = console.get(f"/staff/requests/{opened.number}").text
    assert "Send a replacement" in page and "/attachments/" in page


def test_a_double_submitted_report_is_one_request(client, session, login) -> None:
    customer, order = _delivered(session)
    login(client, customer)
    for _ in range(2):
        client.post(f"/orders/{order.number}/report/damaged", data=_report(order, fix="return"))
    assert count_rows(session, SupportRequest) == 1
    assert count_rows(session, ReturnRequest) == 1


def test_the_free_return_fix_starts_a_return_without_fees(client, session, login) -> None:
    customer, order = _delivered(session)
    login(client, customer)
    client.post(f"/orders/{order.number}/report/wrong_item", data=_report(order, fix="return"))
    started = session.scalars(select(ReturnRequest)).one()
    session.refresh(started, ["lines"])
    assert started.lines[0].reason is ReturnReason.WRONG_ITEM
    assert started.refund_estimate_cents == order.lines[0].net_cents + order.lines[0].tax_cents
    body = session.scalars(select(SupportRequest)).one()
    assert body.suggested_fix == "return"


def test_not_received_flags_the_parcel(client, session, login) -> None:
    customer, order = _delivered(session)
    parcel = session.scalars(select(Shipment).where(Shipment.order_id == order.id)).one()
    login(client, customer)
    response = client.post(f"/orders/{order.number}/report/not_received", data={
        "shipment": str(parcel.id), "description": "Not at the door nor with neighbours.",
        "fix": "refund", "idempotency_key": KEY})
    assert response.status_code == 302
    session.refresh(parcel)
    assert parcel.not_received_reported_at is not None
    assert session.scalars(select(SupportRequest)).one().category == "delivery"


def test_reports_wait_until_something_is_delivered(client, session, login) -> None:
    customer = make_customer(session)
    order = make_order(session, customer)
    login(client, customer)
    response = client.post(f"/orders/{order.number}/report/damaged", data=_report(order))
    assert response.status_code == 422
    assert "once the carrier says a parcel was delivered" in response.text
    assert count_rows(session, SupportRequest) == 0


def test_bad_input_keeps_what_was_typed(client, session, login) -> None:
    customer, order = _delivered(session)
    login(client, customer)
    response = client.post(f"/orders/{order.number}/report/damaged", data=_report(
        order, lines=[], attachments=[(io.BytesIO(b"not an image"), "lamp.jpg")]),
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The lamp shade is cracked in two." in response.text
    assert count_rows(session, SupportRequest) == 0


def test_an_unknown_kind_is_a_404_and_csrf_is_required(app, client, session, login) -> None:
    customer, order = _delivered(session)
    login(client, customer)
    assert client.get(f"/orders/{order.number}/report/exploded").status_code == 404
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/orders/{order.number}/report/damaged", data=_report(order))
    assert response.status_code in (400, 422)
    assert count_rows(session, SupportRequest) == 0
