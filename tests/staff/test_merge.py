"""Duplicates (same shopper, same order, both open) are shown on the request and merged."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit import AuditEvent
from portal.support.models import Message, RequestStatus
from tests.factories import make_customer, make_order
from tests.factories.support import add_message, make_request


def test_duplicates_are_found_and_merged(client, session, login, staff, shopper) -> None:
    order = make_order(session, shopper)
    first = make_request(session, shopper, order=order, subject="Lamp broken")
    second = make_request(session, shopper, order=order, subject="Lamp broken again")
    add_message(session, second, shopper, "Here is a photo of the shade.")
    other_order = make_request(session, shopper, order=make_order(session, shopper))
    done = make_request(session, shopper, order=order, status=RequestStatus.RESOLVED)
    stranger = make_customer(session)
    theirs = make_request(session, stranger, order=make_order(session, stranger))
    login(client, staff)

    page = client.get(f"/staff/requests/{second.number}").text
    assert f"Merge this request into {first.number}" in page
    for unrelated in (other_order, done):
        assert f"into {unrelated.number}" not in page
    response = client.post(f"/staff/requests/{second.number}/merge",
                           data={"into": first.number})
    assert response.headers["Location"].endswith(f"/staff/requests/{first.number}")
    session.expire_all()
    assert session.get(type(second), second.id).status == RequestStatus.CLOSED
    moved = session.scalars(select(Message.body).where(Message.request_id == first.id)).all()
    assert "Here is a photo of the shade." in moved
    assert f"Merged {second.number} into this request." in moved
    assert session.scalars(select(AuditEvent.action)).all() == ["support.merged"]

    refused = client.post(f"/staff/requests/{other_order.number}/merge",
                          data={"into": theirs.number}, follow_redirects=True)
    assert "Only an open request of the same shopper" in refused.text
    assert client.post("/staff/requests/REQ-NOSUCH/merge",
                       data={"into": first.number}).status_code == 404
    nowhere = client.post(f"/staff/requests/{first.number}/merge", data={"into": "REQ-NOSUCH"},
                          follow_redirects=True)
    assert "No such request." in nowhere.text
