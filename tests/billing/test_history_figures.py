"""The billing page's figures under filters, store credit, and methods on file (issue 10)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.billing.models import LedgerEntry, Refund, RefundStatus
from portal.billing.refunds import issue_refund
from portal.db import utcnow
from tests.factories import make_customer, make_product
from tests.factories.billing import make_card, make_paid_order


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _history(session: Session):  # type: ignore[no-untyped-def]
    """A shopper who paid $50.00 twice, then got $20.00 back to the card for the first order
    and $10.00 as store credit (+ $1.00 bonus) for the second."""
    me = make_customer(session)
    product = make_product(session, price_cents=5000, tax_rate_bp=0)
    first, _ = make_paid_order(session, me, products=[product], lines=1,
                               placed_at=utcnow() - timedelta(days=20))
    second, _ = make_paid_order(session, me, products=[product], lines=1,
                                placed_at=utcnow() - timedelta(days=10))
    issue_refund(session, order=first, reason="damaged", now=utcnow() - timedelta(days=5),
                 amount_cents=2000)
    issue_refund(session, order=second, reason="returned", now=utcnow() - timedelta(days=2),
                 amount_cents=1000, to_store_credit=True, bonus_cents=100)
    session.commit()
    return me


def test_refunds_filter_keeps_the_real_net_spent_and_the_years_totals(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    login(client, _history(session))
    page = _text(client.get("/billing?type=refund"))
    nets = re.findall(r'data-label="Net spent">([^<]+)<', page)
    # Newest first: after the store credit 100.00 - 20.00 - 11.00 = 69.00, before it 80.00;
    # the year's totals still count what was paid.
    assert nets[:2] == ["$69.00", "$80.00"]
    assert "\u2212" not in page and "-$" not in page
    paid = re.findall(r'<td class="amount" data-label="Paid">([^<]+)</td>', page)
    assert paid[-1] == "$100.00"
    assert "whatever its type" in page


def test_csv_balance_is_the_running_net_spent_even_for_a_late_start(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    login(client, _history(session))
    start = (utcnow() - timedelta(days=7)).date().isoformat()
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/billing/history.csv?start={start}").get_data(as_text=True)
        .lstrip("\ufeff"))))
    assert [row["Balance"] for row in rows] == ["69.00", "80.00"]


def test_store_credit_filter_includes_credit_issued_for_a_return(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    login(client, _history(session))
    page = _text(client.get("/billing?type=credit"))
    assert "Store credit for CN-" in page
    assert "Refund to Visa" not in page and "Payment by" not in page


def test_store_credit_balance_is_shown_under_billing(
    session: Session, client: FlaskClient, login, app
) -> None:  # type: ignore[no-untyped-def]
    me = _history(session)
    login(client, me)
    page = _text(client.get("/billing"))
    section = re.search(r'<section aria-labelledby="credit-heading".*?</section>', page, re.S)
    assert section is not None and "$11.00" in section.group(0)
    # Someone without store credit gets no such section.
    stranger = app.test_client()
    login(stranger, make_customer(session))
    assert 'id="credit-heading"' not in _text(stranger.get("/billing"))


def test_an_expired_card_is_not_the_default(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    make_card(session, me, last4="1111", exp_month=1, exp_year=2020)
    login(client, me)
    page = _text(client.get("/billing"))
    item = re.search(r"<li>\s*<span class=\"method-name\">Visa •••• 1111</span>.*?</li>", page,
                     re.S)
    assert item is not None
    assert "Expired" in item.group(0) and "Default" not in item.group(0)


def test_a_refund_completed_later_enters_the_ledger_then(
    session: Session, client: FlaskClient, login
) -> None:  # type: ignore[no-untyped-def]
    me = make_customer(session)
    product = make_product(session, price_cents=5000, tax_rate_bp=0)
    order, _ = make_paid_order(session, me, products=[product], lines=1)
    outcome = issue_refund(session, order=order, reason="late", now=utcnow(), amount_cents=500)
    outcome.refund.status = RefundStatus.PENDING
    session.commit()
    balances = session.scalars(select(LedgerEntry.balance_cents)
                               .where(LedgerEntry.customer_id == me.id)).all()
    assert balances == [5000]
    refund = session.scalars(select(Refund).where(Refund.order_id == order.id)).one()
    refund.status = RefundStatus.COMPLETED
    session.commit()
    balances = session.scalars(select(LedgerEntry.balance_cents)
                               .where(LedgerEntry.customer_id == me.id)
                               .order_by(LedgerEntry.occurred_at)).all()
    assert balances == [5000, 4500]
