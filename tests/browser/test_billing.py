"""A shopper reads their billing history, pages through it, opens an invoice and its PDF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.billing.refunds import issue_refund
from portal.db import utcnow
from tests.factories import make_customer, make_product
from tests.factories.billing import make_card, make_credit, make_paid_order


@pytest.fixture
def shopper(app, session):  # type: ignore[no-untyped-def]
    app.config["PAGE_SIZE"] = 3
    customer = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    make_card(session, customer)
    product = make_product(session, name="Linen shirt", price_cents=4200)
    orders = [make_paid_order(session, customer, products=[product],
                              placed_at=utcnow() - timedelta(days=20 - day))
              for day in range(4)]
    issue_refund(session, order=orders[-1][0], reason="Late delivery", now=utcnow(),
                 amount_cents=500)
    make_credit(session, customer, amount_cents=2500, description="Gift card from Grace",
                at=utcnow() - timedelta(days=30))
    session.commit()
    return customer, orders


@pytest.mark.browser
def test_billing_history_pages_filters_and_documents(
    page, live_server, shopper, sign_in, shot, accessibility_violations
):  # type: ignore[no-untyped-def]
    _, orders = shopper
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/billing")
    assert page.get_by_role("heading", name="Billing history").is_visible()
    assert page.get_by_text("Visa •••• 4242").first.is_visible()
    assert page.get_by_text("Page 1 of 2").is_visible()
    assert accessibility_violations(page) == []
    shot(page, "history")

    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"/billing\?page=2&"))  # the page and its keyset cursor
    page.get_by_text("Page 2 of 2").wait_for()
    assert page.get_by_text("Gift card from Grace").is_visible()

    page.get_by_label("From", exact=True).fill("2025-06-01")
    page.get_by_label("To", exact=True).fill("2025-01-01")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("The end date is before the start date.").wait_for()
    assert page.get_by_label("From", exact=True).input_value() == "2025-06-01"
    shot(page, "bad-range")

    page.goto(f"{live_server}/billing?type=refund")
    assert page.get_by_text("Late delivery").is_visible()
    credit_note = f"CN-{orders[-1][0].number}-1"
    page.get_by_role("link", name=credit_note).click()
    page.wait_for_url(f"{live_server}/billing/invoices/{credit_note}")
    invoice_number = orders[-1][1].number
    page.get_by_role("link", name=invoice_number).click()
    page.wait_for_url(f"{live_server}/billing/invoices/{invoice_number}")
    assert page.get_by_text("Partially refunded").is_visible()
    assert accessibility_violations(page) == []
    shot(page, "invoice")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    assert download.value.suggested_filename == f"{invoice_number}.pdf"
