"""Writing to support: articles are suggested while the subject is typed, then the request
is sent and followed; staff see it in the queue. Phone and desktop viewports."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.support.models import SupportRequest
from tests.factories import make_customer, make_order
from tests.factories.support import make_request

pytestmark = pytest.mark.browser


def test_contact_suggests_articles_then_sends_the_request(
    page, live_server, session, sign_in, shot, accessibility_violations
):
    customer = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    order = make_order(session, customer)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server}/contact?order={order.number}")
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"**/contact?order={order.number}")
    assert page.get_by_label("Which order?").input_value() == order.number
    assert page.get_by_label("What is it about?").input_value() == "order"

    page.get_by_label("Subject").press_sequentially("where is my parcel tracking", delay=20)
    suggestions = page.locator("#suggestions li a")
    suggestions.first.wait_for()
    assert 1 <= suggestions.count() <= 3
    shot(page, "suggestions")
    assert accessibility_violations(page) == []

    page.get_by_label("What is it about?").select_option("delivery")
    page.get_by_label("Message").fill("Tracking has not moved for a week.")
    page.get_by_role("button", name="Send to our team").click()
    page.wait_for_url("**/requests/REQ-*")
    number = session.scalars(select(SupportRequest.number)).one()
    assert number in page.url
    page.get_by_text(f"Your request {number} is with our team").wait_for()
    assert page.get_by_text("Tracking has not moved for a week.").is_visible()
    shot(page, "sent")
    assert accessibility_violations(page) == []
    assert errors == []


def test_bad_input_is_explained_beside_the_field(page, live_server, session, sign_in):
    make_customer(session, email="ada@example.com")
    page.goto(f"{live_server}/contact")
    sign_in(page, "ada@example.com")
    page.wait_for_url("**/contact")
    page.get_by_label("Subject").fill("Parcel never arrived")
    page.get_by_role("button", name="Send to our team").click()
    page.get_by_text("Choose what your question is about.").wait_for()
    assert page.get_by_text("Describe the problem so we can help.").is_visible()
    assert page.get_by_label("Subject").input_value() == "Parcel never arrived"
    assert session.scalars(select(SupportRequest)).first() is None


def test_staff_queue_and_review(page, live_server, session, sign_in, shot,
                                accessibility_violations):
    shopper = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    make_customer(session, email="staff@example.com", name="Sam Staff", role=Role.STAFF)
    request = make_request(session, shopper, subject="Lamp arrived broken")
    page.goto(f"{live_server}/login?next=/staff/requests")
    sign_in(page, "staff@example.com")
    page.wait_for_url("**/staff/requests")
    page.get_by_role("link", name=request.number).click()
    page.wait_for_url(f"**/staff/requests/{request.number}")
    assert page.get_by_role("heading", name="Lamp arrived broken").is_visible()
    assert accessibility_violations(page) == []
    page.get_by_label("Message").fill("Sorry about that, a new lamp is on its way.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Reply sent to the shopper.").wait_for()
    assert page.locator("#latest").get_by_text("a new lamp is on its way").is_visible()
    shot(page, "staff-review")
