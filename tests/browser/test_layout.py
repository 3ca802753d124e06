"""The shopper's pages as a person sees them: nothing hides off-screen on a phone, statuses
are readable without scrolling sideways, and an htmx region says when it is loading."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.returns.models import ReturnStatus
from portal.support.models import RequestStatus
from tests.factories import make_customer, make_product
from tests.factories.billing import pay_order
from tests.factories.returns import make_delivered_order, make_return
from tests.factories.support import add_message, make_request


def _shopper_with_history(session):
    shopper = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    products = [make_product(session, name="Merino sweater, charcoal", price_cents=5900),
                make_product(session, name="Linen shirt", price_cents=3900)]
    order = make_delivered_order(session, shopper, products=products)
    pay_order(session, order)
    ret = make_return(session, order, status=ReturnStatus.APPROVED)
    request = make_request(session, shopper, order=order, status=RequestStatus.AWAITING_CUSTOMER)
    sam = make_customer(session, email="sam@example.com", name="Sam Rivera")
    add_message(session, request, sam, "Could you send a photo of the label?")
    return order, ret, request


def test_pages_fit_the_screen_and_pass_axe(
    page, live_server, session, sign_in, shot, viewport, accessibility_violations
):  # type: ignore[no-untyped-def]
    order, ret, request = _shopper_with_history(session)
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"{live_server}/")
    pages = {
        "home": "/", "orders": "/orders", "order": f"/orders/{order.number}",
        "returns": "/returns", "return": f"/returns/{ret.rma_number}", "requests": "/requests",
        "request": f"/requests/{request.number}", "billing": "/billing", "account": "/account",
    }
    for name, path in pages.items():
        page.goto(f"{live_server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} is {width}px wide"
        assert accessibility_violations(page) == [], path
        shot(page, name)

    # The status of each return and request is on screen without scrolling sideways.
    for path, status in (("/returns", "Approved"), ("/requests", "Waiting for your reply")):
        page.goto(f"{live_server}{path}")
        badge = page.locator("td .badge", has_text=status).first
        expect(badge).to_be_visible()
        box = badge.bounding_box()
        assert box and box["x"] + box["width"] <= viewport["width"], path


def test_htmx_region_is_busy_while_it_loads(
    page, live_server, session, sign_in
):  # type: ignore[no-untyped-def]
    _shopper_with_history(session)
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/orders")
    # Record the region's state when htmx sends the request (after static/js/portal.js ran).
    page.evaluate(
        "document.addEventListener('htmx:beforeSend', (event) => {"
        " window.busyWhileSending = event.detail.target.getAttribute('aria-busy'); })"
    )
    page.get_by_label("Status").select_option("delivered")
    page.wait_for_url(re.compile(r".*/orders\?.*status=delivered"))
    expect(page.locator("#order-list")).not_to_have_attribute("aria-busy", "true")
    assert page.evaluate("window.busyWhileSending") == "true"
