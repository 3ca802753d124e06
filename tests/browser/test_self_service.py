"""Self-service before contact, on a phone and a desktop: a late parcel answered without
writing, a damaged item reported with a photo that staff see with the suggested fix, and
an answer by email landing in the thread."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import Role
from portal.db import utcnow
from portal.help_sessions.models import HelpSession
from portal.support.models import Message, SupportRequest
from tests.factories import make_customer, make_order
from tests.factories.parcels import make_shipment
from tests.factories.returns import make_delivered_order
from tests.factories.support import make_request
from tests.support.files import photo

pytestmark = pytest.mark.browser


def test_late_parcel_is_answered_without_writing(page, live_server, session, sign_in, shot,
                                                 accessibility_violations) -> None:
    customer = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    order = make_order(session, customer)
    make_shipment(session, order, estimated_on=(utcnow() - timedelta(days=3)).date())
    page.goto(f"{live_server}/orders/{order.number}")
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"**/orders/{order.number}")
    page.get_by_role("link", name="Get help with this order").first.click()
    page.wait_for_url(f"**/orders/{order.number}/help")
    assert page.get_by_role("heading", name="Your parcel is running late").is_visible()
    shot(page, "order-help")
    assert accessibility_violations(page) == []
    first_answer = page.locator("article.answer").first
    assert "/help/delayed-shipment" in first_answer.get_by_role("link").get_attribute("href")
    first_answer.get_by_role("button", name="This answered my question").click()
    page.wait_for_url("**/help/delayed-shipment?answered=1")
    page.get_by_text("Glad that answered it").wait_for()
    session.expire_all()
    help_session = session.scalars(select(HelpSession)).one()
    assert help_session.deflected_at is not None and help_session.order_id == order.id
    assert session.scalar(select(SupportRequest)) is None


def test_damaged_item_reported_with_a_photo_reaches_staff_with_the_fix(
        browser, viewport, page, live_server, session, sign_in, shot,
        accessibility_violations) -> None:
    customer = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    make_customer(session, email="staff@example.com", name="Sam Staff", role=Role.STAFF)
    order = make_delivered_order(session, customer)
    page.goto(f"{live_server}/orders/{order.number}/help")
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"**/orders/{order.number}/help")
    page.get_by_role("link", name="Report a damaged item").click()
    page.wait_for_url("**/report/damaged")
    page.locator("input[name=lines]").first.check()
    page.get_by_label("What happened?").fill("The lamp shade arrived cracked in two.")
    page.get_by_label("Photos", exact=False).set_input_files(
        {"name": "lamp.jpg", "mimeType": "image/jpeg", "buffer": photo()})
    page.get_by_label("Send a replacement").check()
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/requests/REQ-*")
    page.locator(".attachments img").wait_for()
    shot(page, "reported")

    console = browser.new_context(viewport=viewport).new_page()
    number = session.scalars(select(SupportRequest.number)).one()
    console.goto(f"{live_server}/login?next=/staff/requests/{number}")
    sign_in(console, "staff@example.com")
    console.get_by_text("Suggested fix").wait_for()
    assert number in console.url
    assert console.locator("dd", has_text="Send a replacement").is_visible()
    image = console.locator(".attachments img").first
    image.wait_for()
    assert console.evaluate("img => img.naturalWidth", image.element_handle()) > 0
    shot(console, "staff-sees-photo")
    console.context.close()


def test_an_answer_by_email_appears_in_the_thread(app, page, live_server, session, sign_in,
                                                 login, outbox) -> None:
    shopper = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    staff = make_customer(session, email="staff@example.com", name="Sam Staff",
                          role=Role.STAFF)
    support_request = make_request(session, shopper, subject="Lamp broken")
    console = app.test_client()
    login(console, staff)
    console.post(f"/staff/requests/{support_request.number}/messages",
                 data={"body": "Could you send us a photo?", "visibility": "public"})
    reply_to = outbox()[-1]["Reply-To"]
    answer = (f"From: Ada Lovelace <{shopper.email}>\r\nTo: {reply_to}\r\n"
              "Subject: Re: Lamp broken\r\n\r\nThe box was crushed on one corner.\r\n\r\n"
              "On Tue, Dec 1, 2026 at 9:00 AM Northwind <support@example.com> wrote:\r\n"
              "> Could you send us a photo?\r\n")
    response = app.test_client().post("/api/inbound-mail", data=answer.encode(),
                                      content_type="message/rfc822")
    assert response.status_code == 200

    page.goto(f"{live_server}/requests/{support_request.number}")
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"**/requests/{support_request.number}")
    latest = page.locator("#latest")
    assert latest.get_by_text("The box was crushed on one corner.").is_visible()
    assert "Could you send us a photo?" not in latest.inner_text()
    assert session.scalars(select(Message).order_by(Message.id.desc())).first().body == (
        "The box was crushed on one corner.")
