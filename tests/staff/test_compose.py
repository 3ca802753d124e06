"""Writing a reply: saved replies (macros) with variables, and help-article links."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.audit import AuditEvent
from portal.orders.models import Shipment, ShipmentStatus
from portal.returns.models import ReturnRequest, ReturnResolution
from portal.support.models import Macro, Message
from tests.factories import make_order
from tests.factories.support import count_rows, make_request

HTMX = {"HX-Request": "true"}
MACRO = ("Hello {{ first_name }}, order {{ order_number }} is {{ order_status }}. "
         "Track it: {{ tracking_link }} Return: {{ rma_number }}")


def test_staff_create_and_edit_saved_replies(client, session, login, staff) -> None:
    login(client, staff)
    response = client.post("/staff/macros", data={"title": "Where is it", "body": MACRO})
    assert response.status_code == 303
    macro = session.scalars(select(Macro)).one()
    response = client.post("/staff/macros", data={"title": "Bad", "body": "Hi {{ password }}"})
    assert response.status_code == 422 and "Unknown variable {{ password }}" in response.text
    assert 'value="Bad"' in response.text  # what was typed is kept
    response = client.post("/staff/macros", data={"title": "Where is it", "body": "Other"})
    assert response.status_code == 422 and "Another saved reply has this title." in response.text
    response = client.post(f"/staff/macros/{macro.id}", data={"title": "Where is my parcel",
                                                              "body": MACRO})
    assert response.status_code == 303
    assert count_rows(session, Macro) == 1
    assert [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [
        "macro.created", "macro.updated"]
    assert "Where is my parcel" in client.get("/staff/macros").text
    assert client.get("/staff/macros/999999").status_code == 404
    assert client.post("/staff/macros", data={"title": "", "body": ""}).status_code == 422


def test_inserting_a_macro_fills_in_the_request(client, session, login, staff, shopper) -> None:
    order = make_order(session, shopper, lines=1)
    session.add(Shipment(order_id=order.id, carrier="ups", tracking_number="1Z999",
                         status=ShipmentStatus.IN_TRANSIT))
    session.add(ReturnRequest(rma_number="RMA-777777", order_id=order.id, customer_id=shopper.id,
                              resolution=ReturnResolution.REFUND, idempotency_key="k"))
    macro = Macro(title="Where", body=MACRO)
    session.add(macro)
    session.commit()
    with_order = make_request(session, shopper, order=order)
    without = make_request(session, shopper)
    login(client, staff)

    response = client.post(f"/staff/requests/{with_order.number}/compose", headers=HTMX,
                           data={"body": "Thanks for waiting.", "visibility": "internal",
                                 "macro": str(macro.id), "insert_macro": "1"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<form id="staff-reply-form"')
    body = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.text, re.S).group(1)
    assert body.strip() == (
        "Thanks for waiting.\n\nHello Ada, order " + order.number + " is processing. "
        "Track it: https://www.ups.com/track?tracknum=1Z999 Return: RMA-777777")
    assert re.search(r'checked[^>]*value="internal"|value="internal"[^>]*checked', response.text)
    response = client.post(f"/staff/requests/{without.number}/compose",
                           data={"body": "", "macro": str(macro.id), "insert_macro": "1"})
    assert "order [none on this request]" in response.text
    assert count_rows(session, Message) == 2  # composing sends nothing


def test_finding_and_inserting_a_help_article(client, session, login, staff, shopper) -> None:
    request = make_request(session, shopper)
    login(client, staff)
    found = client.post(f"/staff/requests/{request.number}/compose", headers=HTMX,
                        data={"body": "See:", "article_q": "start a return", "find_article": "1"})
    slugs = re.findall(r'name="insert_article" value="([^"]+)"', found.text)
    assert slugs
    inserted = client.post(f"/staff/requests/{request.number}/compose", headers=HTMX,
                           data={"body": "See:", "article_q": "start a return",
                                 "insert_article": slugs[0]})
    assert f"/help/{slugs[0]}" in inserted.text.split("<textarea")[1]
    nothing = client.post(f"/staff/requests/{request.number}/compose",
                          data={"article_q": "qqqzzzxxy", "find_article": "1"})
    assert "No article matches" in nothing.text
    forged = client.post(f"/staff/requests/{request.number}/compose",
                         data={"body": "x", "article_q": "return", "insert_article": "../admin"})
    assert "../admin" not in forged.text.split("<textarea")[1].split("</textarea>")[0]


def test_compose_is_for_staff_only_and_needs_csrf(client, session, login, shopper) -> None:
    request = make_request(session, shopper)
    login(client, shopper)
    assert client.post(f"/staff/requests/{request.number}/compose",
                       data={"body": "x"}).status_code == 404
    assert client.post("/staff/macros", data={"title": "x", "body": "y"}).status_code == 404
    assert count_rows(session, Macro) == 0
