"""'Get help with this order': state, allowed actions with reasons, answers, open requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.config import PROJECT_ROOT
from portal.db import utcnow
from portal.help_sessions.models import HelpSession
from portal.orders.models import ShipmentStatus
from tests.factories import make_customer, make_order
from tests.factories.parcels import make_invoice, make_shipment
from tests.factories.returns import make_delivered_order
from tests.factories.support import make_request


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """The real help center: the page picks its articles by slug."""
    return {**app_config, "CONTENT_DIR": str(PROJECT_ROOT / "content")}


def test_a_preparing_order_can_be_cancelled_but_not_tracked_or_returned(client, session,
                                                                        login) -> None:
    customer = make_customer(session, name="Ada Lovelace")
    order = make_order(session, customer)
    login(client, customer)
    response = client.get(f"/orders/{order.number}/help")
    html = response.text
    assert response.status_code == 200
    assert "Ada, here is where your order stands" in html and "Being prepared" in html
    assert f'href="/orders/{order.number}#actions-heading">Cancel the order' in html
    assert "Nothing has left our warehouse yet" in html
    assert "Not delivered yet: you can return it once it arrives." in html
    assert "No invoice has been issued for this order yet." in html
    assert f"/orders/{order.number}/report/damaged" not in html
    assert html.index("What you can do now") < html.index("Still need help?")


def test_a_late_parcel_gets_the_delay_answer_first(client, session, login) -> None:
    customer = make_customer(session)
    order = make_order(session, customer)
    make_shipment(session, order, estimated_on=(utcnow() - timedelta(days=3)).date())
    login(client, customer)
    html = client.get(f"/orders/{order.number}/help").text
    assert "Your parcel is running late" in html
    answers = html[html.index("answers-heading"):]
    assert answers.index("/help/delayed-shipment") < answers.index("/help/track-my-order")
    assert "Already on its way: you can return it once it arrives." in html


def test_a_delivered_order_offers_returns_reports_and_the_invoice(client, session,
                                                                  login) -> None:
    customer = make_customer(session)
    order = make_delivered_order(session, customer)
    invoice = make_invoice(session, order)
    login(client, customer)
    html = client.get(f"/orders/{order.number}/help").text
    for kind in ("damaged", "wrong_item", "missing_item", "not_received"):
        assert f"/orders/{order.number}/report/{kind}" in html
    assert f"/returns/new/{order.number}" in html
    assert f"/billing/invoices/{invoice.number}.pdf" in html
    assert "/help/start-a-return" in html
    assert "It has arrived: you can return it instead." in html


def test_an_open_request_on_the_order_comes_first(client, session, login) -> None:
    customer = make_customer(session)
    order = make_order(session, customer)
    support_request = make_request(session, customer, order=order, subject="Lamp late")
    login(client, customer)
    html = client.get(f"/orders/{order.number}/help").text
    assert "Add to this request" in html
    assert html.index(support_request.number) < html.index("What you can do now")


def test_the_page_starts_a_help_session_for_the_order(client, session, login) -> None:
    customer = make_customer(session)
    order = make_order(session, customer)
    login(client, customer)
    client.get(f"/orders/{order.number}/help")
    assert session.scalars(select(HelpSession)).one().order_id == order.id


def test_another_shoppers_order_is_a_404(client, session, login) -> None:
    order = make_order(session, make_customer(session))
    login(client, make_customer(session))
    assert client.get(f"/orders/{order.number}/help").status_code == 404
    assert client.get(f"/orders/{order.number}/report/damaged").status_code == 404


def test_a_parcel_already_reported_missing_says_so(client, session, login) -> None:
    customer = make_customer(session)
    order = make_order(session, customer)
    parcel = make_shipment(session, order, status=ShipmentStatus.DELIVERED)
    parcel.not_received_reported_at = utcnow()
    session.commit()
    login(client, customer)
    html = client.get(f"/orders/{order.number}/help").text
    assert "Already reported: we are looking into it." in html


def test_contact_preselects_the_latest_order_in_trouble_and_suggests_its_answer(
        client, session, login) -> None:
    customer = make_customer(session, name="Ada Lovelace")
    late = make_order(session, customer, placed_at=utcnow() - timedelta(days=9))
    make_shipment(session, late, estimated_on=(utcnow() - timedelta(days=3)).date())
    make_order(session, customer)  # newer, nothing wrong
    open_one = make_request(session, customer, subject="Invoice address wrong")
    login(client, customer)
    html = client.get("/contact").text
    assert f'<option selected value="{late.number}">' in html
    assert "Ada, tell us what happened" in html
    assert "Expect our first answer by" in html
    assert html.index(open_one.number) < html.index('id="contact-form"')
    suggestions = client.get(f"/contact/suggestions?subject=where+is+my+lamp&order={late.number}",
                             headers={"HX-Request": "true"}).text
    assert suggestions.index("/help/delayed-shipment") < suggestions.index("</li>")
