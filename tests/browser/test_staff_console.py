"""A support agent's day in the console, on a phone and a desktop: find a request through a
saved view, read the shopper's timeline, insert a saved reply and a help article, reply,
resolve; the shopper rates it; the metrics page shows first response, CSAT and backlog move."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.auth.models import Role
from portal.db import utcnow
from portal.support.models import Macro, RequestStatus, SatisfactionRating
from tests.factories import make_customer, make_order
from tests.factories.support import make_request

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """The live server answers on 127.0.0.1, which the trusted-host check must accept."""
    app_config["TRUSTED_HOSTS"] = [*app_config.get("TRUSTED_HOSTS", []), "127.0.0.1"]
    return app_config


def _figure(page, table: str, row: str, column: int) -> str:
    cells = page.locator(f"#table-{table} tbody tr", has=page.locator("th", has_text=row))
    return cells.first.locator("th, td").nth(column).inner_text().strip()


def _metrics(page, live_server: str) -> dict[str, str]:
    page.goto(f"{live_server}/staff/metrics")
    page.locator("#table-backlog").wait_for()
    backlog = page.locator("#table-backlog tbody tr").last.locator("td").inner_text().strip()
    return {"first_responses": _figure(page, "response_times", "First response", 3),
            "csat": page.locator("#metric-csat").inner_text(), "backlog": backlog}


def test_agent_answers_and_resolves_a_request(page, browser, viewport, live_server, session,
                                              sign_in, shot, accessibility_violations):
    staff = make_customer(session, email="staff@example.com", name="Sam Staff", role=Role.STAFF)
    shopper = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    order = make_order(session, shopper)
    earlier = make_request(session, shopper, subject="Gift wrapping?",
                           status=RequestStatus.RESOLVED, created_at=utcnow() - timedelta(days=3))
    session.add(SatisfactionRating(request_id=earlier.id, score=2, comment="Slow"))
    request = make_request(session, shopper, order=order, subject="Lamp arrived broken",
                           body="The shade is cracked.", category="order")
    session.add(Macro(title="Sorry it broke",
                      body="Hello {{ first_name }}, sorry about order {{ order_number }}."))
    session.commit()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(
        f"{page.url}: {message.location}: {message.text[:60]}"))

    page.goto(f"{live_server}/login?next=/staff/metrics")
    sign_in(page, staff.email)
    page.wait_for_url("**/staff/metrics")
    before = _metrics(page, live_server)
    assert page.locator("canvas").count() >= 3  # charts drawn from the tables, CSP intact
    shot(page, "metrics-before")
    assert accessibility_violations(page) == []

    page.goto(f"{live_server}/staff/requests")
    page.get_by_role("navigation", name="Saved views").get_by_role("link", name="New").click()
    page.wait_for_url("**/staff/requests?view=new")
    page.get_by_role("link", name=request.number).click()
    page.wait_for_url(f"**/staff/requests/{request.number}?view=new")
    timeline = page.locator(".history-panel")
    assert timeline.get_by_role("link", name=re.compile(f"Order {order.number}")).count() >= 1
    assert timeline.get_by_text("rated 2/5").is_visible()
    shot(page, "request")
    assert accessibility_violations(page) == []

    page.get_by_label("Saved reply").select_option(label="Sorry it broke")
    page.get_by_role("button", name="Insert saved reply").click()
    message = page.locator("#staff-reply-form textarea[name=body]")
    expect(message).to_have_value(re.compile("Hello Ada"))
    page.get_by_label("Find a help article").fill("damaged item")
    page.get_by_role("button", name="Find articles").click()
    page.locator(".article-hits button").first.click()
    expect(message).to_have_value(re.compile("/help/"))
    text = message.input_value()
    assert f"sorry about order {order.number}." in text and "/help/" in text
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_url(f"**/staff/requests/{request.number}")
    page.get_by_text("Reply sent to the shopper.").wait_for()

    page.get_by_label("Status").select_option("resolved")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Request updated.").wait_for()

    shopper_context = browser.new_context(viewport=viewport)
    shopper_page = shopper_context.new_page()
    shopper_page.goto(f"{live_server}/login?next=/requests/{request.number}")
    sign_in(shopper_page, shopper.email)
    shopper_page.wait_for_url(f"**/requests/{request.number}")
    shopper_page.get_by_label(re.compile("5 · Excellent")).check()
    shopper_page.get_by_role("button", name="Send rating").click()
    shopper_page.get_by_text("Thank you for rating our help.").wait_for()
    shopper_context.close()

    after = _metrics(page, live_server)
    assert int(after["first_responses"]) == int(before["first_responses"]) + 1
    assert int(after["backlog"]) == int(before["backlog"]) - 1
    assert "50% rated 4 or 5 of 2 ratings" in after["csat"]
    assert "0% rated 4 or 5 of 1 rating" in before["csat"]
    shot(page, "metrics-after")
    assert errors == []
