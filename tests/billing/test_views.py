from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.billing.documents import PaymentSplit
from portal.billing.models import PaymentKind
from portal.billing.refunds import issue_refund
from portal.db import utcnow
from tests.factories import make_customer, make_product
from tests.factories.billing import make_card, make_credit, make_paid_order

HTMX = {"HX-Request": "true"}


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_billing_needs_a_login(client: FlaskClient) -> None:
    for path in ("/billing", "/billing/history.csv", "/billing/invoices/INV-X",
                 "/billing/invoices/INV-X.pdf"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_history_lists_only_my_entries_with_a_running_balance(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    other = make_customer(session)
    order, invoice = make_paid_order(session, me, placed_at=utcnow() - timedelta(days=10))
    theirs, their_invoice = make_paid_order(session, other)
    issue_refund(session, order=order, reason="Goodwill", now=utcnow() - timedelta(days=2),
                 amount_cents=500)
    make_credit(session, me, amount_cents=2500, description="Gift card from Grandma",
                at=utcnow() - timedelta(days=1))
    session.commit()
    login(client, me)
    page = _text(client.get("/billing"))
    assert invoice.number in page and "CN-" + order.number + "-1" in page
    assert theirs.number not in page and their_invoice.number not in page
    assert "Gift card from Grandma" in page
    net = invoice.total_cents - 500 - 2500
    assert f"${net / 100:,.2f}" in page  # newest row's balance: everything so far


def test_history_filters_by_type_and_date(session: Session, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    old, _ = make_paid_order(session, me, placed_at=utcnow() - timedelta(days=400))
    new, _ = make_paid_order(session, me, placed_at=utcnow() - timedelta(days=5))
    issue_refund(session, order=new, reason="Late parcel", now=utcnow(), amount_cents=300)
    session.commit()
    login(client, me)
    refunds = _text(client.get("/billing?type=refund"))
    assert "Late parcel" in refunds and "Payment by" not in refunds
    start = (utcnow() - timedelta(days=30)).date().isoformat()
    recent = _text(client.get(f"/billing?start={start}"))
    assert new.number in recent and old.number not in recent
    # The export link keeps the filters.
    assert f"/billing/history.csv?start={start}" in recent


@pytest.mark.parametrize(("query", "message"), [
    ("start=2025-05-01&end=2024-01-01", "The end date is before the start date."),
    ("start=01/05/2025", "Enter a date as YYYY-MM-DD."),
    ("end=2025-13-45", "Enter a date as YYYY-MM-DD."),
    ("start=2999-01-01", "The start date is in the future."),
    ("end=9999-12-31", "Choose an end date before the year 3000."),
    ("type=everything", "Not a valid choice."),
])
def test_bad_filters_get_a_message_beside_the_field(
    session: Session, client: FlaskClient, login, query: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    login(client, make_customer(session))
    for path in ("/billing", "/billing/history.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422
        body = _text(response)
        assert message in body
        assert 'aria-invalid="true"' in body
    fragment = client.get(f"/billing?{query}", headers=HTMX)
    assert fragment.status_code == 422
    assert "<html" not in _text(fragment) and message in _text(fragment)
    # What was typed is kept.
    name, typed = query.split("&")[0].split("=")
    if name != "type":
        assert f'name="{name}" placeholder="YYYY-MM-DD" type="date" value="{typed}"' in body


def test_htmx_pagination_returns_the_fragment_and_keeps_filters(
    session: Session, client: FlaskClient, login, app
) -> None:  # type: ignore[no-untyped-def]
    app.config["PAGE_SIZE"] = 2
    me = make_customer(session)
    product = make_product(session)
    for days in range(5):
        make_paid_order(session, me, products=[product],
                        placed_at=utcnow() - timedelta(days=days + 1))
    login(client, me)
    full = _text(client.get("/billing?type=charge"))
    assert "Page 1 of 3" in full
    # The next page is reached by a cursor (the last entry shown), the filters kept.
    link = re.search(r'href="(/billing\?[^"]*)" rel="next" hx-get="([^"]*)"', full)
    assert link is not None and link.group(1) == link.group(2)
    next_url = html.unescape(link.group(1))
    query = parse_qs(urlsplit(next_url).query)
    assert query["type"] == ["charge"] and query["page"] == ["2"]
    assert query["after"][0].isdigit()
    fragment = client.get(next_url, headers=HTMX)
    assert fragment.status_code == 200
    assert "HX-Request" in fragment.headers["Vary"]
    body = _text(fragment)
    assert body.lstrip().startswith('<div id="billing-history"')
    assert "Page 2 of 3" in body and "<html" not in body
    back = re.search(r'href="(/billing\?[^"]*)" rel="prev"', body)
    assert back is not None and "before=" in back.group(1) and "type=charge" in back.group(1)
    assert _text(client.get("/billing?page=banana")).count("Page 1 of 3") == 1
    # A cursor that is not a number, or names someone else's entry, gives the first page.
    for cursor in ("banana", "99999999999", "-1", "١٢"):
        assert "Page 1 of 3" in _text(client.get(f"/billing?after={cursor}&type=charge"))


def test_history_costs_the_same_queries_for_small_and_large_histories(
    session: Session, client: FlaskClient, login, query_count
) -> None:  # type: ignore[no-untyped-def]
    def count_for(orders: int) -> int:
        shopper = make_customer(session)
        make_card(session, shopper)
        product = make_product(session)
        for index in range(orders):
            order, _ = make_paid_order(session, shopper, products=[product],
                                       placed_at=utcnow() - timedelta(days=index + 1))
            if index % 2:
                issue_refund(session, order=order, reason="r", now=utcnow(), amount_cents=100,
                             to_store_credit=index % 4 == 1)
        session.commit()
        fresh = client.application.test_client()
        login(fresh, shopper)
        with query_count() as counter:
            assert fresh.get("/billing").status_code == 200
        return counter.count

    assert count_for(1) == count_for(30)


def test_payment_methods_are_masked(session: Session, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    make_card(session, me, brand="Mastercard", last4="5454", exp_month=1, exp_year=2020)
    login(client, me)
    page = _text(client.get("/billing"))
    assert "Mastercard •••• 5454" in page
    assert "expires 01/2020" in page and "Expired" in page
    assert not re.search(r"\d{12,}", page)


def test_gift_card_split_payment_shows_as_two_charges(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    product = make_product(session, price_cents=10000, tax_rate_bp=0)
    _order, _invoice = make_paid_order(session, me, products=[product], splits=[
        PaymentSplit(kind=PaymentKind.GIFT_CARD, amount_cents=2000),
        PaymentSplit(kind=PaymentKind.PAYPAL),
    ])
    login(client, me)
    page = _text(client.get("/billing?type=charge"))
    assert "Payment by PayPal" in page and "Gift card used for order" in page
    assert "$100.00" in page  # the running total after both parts


def test_each_currency_has_its_own_ledger(session: Session, client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    _, dollars = make_paid_order(session, me, currency="USD")
    _, euros = make_paid_order(session, me, currency="EUR")
    login(client, me)
    page = _text(client.get("/billing"))
    assert 'aria-label="Billing entries in EUR"' in page
    assert 'aria-label="Billing entries in USD"' in page
    assert f"€{euros.total_cents / 100:,.2f}" in page  # Babel, en_US: €51.31
    usd_table = page.split('aria-label="Billing entries in USD"')[1]
    assert "€" not in usd_table.split("</table>")[0]
    assert f"${dollars.total_cents / 100:,.2f}" in usd_table
