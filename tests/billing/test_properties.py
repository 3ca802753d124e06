"""Properties that hold for generated orders, refunds and histories (Hypothesis)."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.auth.models import Customer
from portal.billing.bookkeeping import rebuild_ledger
from portal.billing.documents import build_invoice
from portal.billing.ledger import EntryType, LedgerFilter, ledger_entries, ledger_page
from portal.billing.models import (
    CreditKind,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from portal.billing.refunds import CreditLine, FeeLine, RefundError, issue_refund
from portal.orders.models import Order, OrderLine
from portal.orders.pricing import line_tax_cents, totals_for
from tests.factories import make_customer, make_product
from tests.factories.billing import make_credit, make_paid_order

DB_SETTINGS = settings(max_examples=12, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture,
                                              HealthCheck.too_slow])
RATES = st.sampled_from([0, 500, 700, 825, 1900, 2000])


@st.composite
def order_lines(draw: st.DrawFn) -> OrderLine:
    quantity = draw(st.integers(1, 25))
    price = draw(st.integers(0, 250_000))
    discount = draw(st.integers(0, quantity * price))
    rate = draw(RATES)
    return OrderLine(sku="SKU", product_name="Thing", quantity=quantity, unit_price_cents=price,
                     discount_cents=discount, tax_rate_bp=rate,
                     tax_cents=line_tax_cents(quantity=quantity, unit_price_cents=price,
                                              discount_cents=discount, tax_rate_bp=rate))


@settings(deadline=None)  # speed is for the benchmarks; a busy CI machine must not fail this
@given(lines=st.lists(order_lines(), min_size=1, max_size=40),
       shipping=st.integers(0, 5_000))
def test_invoice_total_is_lines_plus_shipping_less_discounts_plus_tax(
    lines: list[OrderLine], shipping: int
) -> None:
    totals = totals_for(lines, shipping_cents=shipping)
    order = Order(number="NW1", currency="USD", lines=lines, shipping_address={},
                  billing_address={}, **vars(totals))
    invoice = build_invoice(order, customer=Customer(name="A", email="a@example.com"),
                            number="INV-NW1", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert invoice.total_cents == (invoice.subtotal_cents + invoice.shipping_cents
                                   - invoice.discount_cents + invoice.tax_cents)
    assert invoice.subtotal_cents == sum(line.quantity * line.unit_price_cents
                                         for line in invoice.lines)
    assert invoice.tax_cents == sum(line.tax_cents for line in invoice.lines)
    assert invoice.total_cents == order.total_cents


refund_requests = st.lists(st.one_of(
    st.tuples(st.just("amount"), st.integers(1, 30_000), st.booleans()),
    st.tuples(st.just("lines"), st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3)),
                                          min_size=1, max_size=3), st.booleans()),
    st.tuples(st.just("shipping"), st.integers(1, 700), st.booleans()),
), min_size=1, max_size=8)


@DB_SETTINGS
@given(requests=refund_requests, quantity=st.integers(1, 3))
def test_refunds_never_exceed_what_was_paid(
    session: Session, requests: list, quantity: int  # type: ignore[type-arg]
) -> None:
    customer = make_customer(session)
    order, invoice = make_paid_order(session, customer, lines=3, quantity=quantity)
    lines = session.scalars(select(Order).where(Order.id == order.id)
                            .options(selectinload(Order.lines))).one().lines
    for kind, value, store_credit in requests:
        arguments: dict[str, object] = {"to_store_credit": store_credit}
        if kind == "amount":
            arguments["amount_cents"] = value
        elif kind == "lines":
            arguments["lines"] = [CreditLine(lines[index].id, units) for index, units in value]
            arguments["fees"] = [FeeLine("Return shipping", 195)]
        else:
            arguments["shipping_cents"] = value
        try:
            issue_refund(session, order=order, reason="test", now=datetime.now(UTC),
                         **arguments)  # type: ignore[arg-type]
        except RefundError:
            session.rollback()
        else:
            session.commit()
    paid = session.scalar(select(func.sum(Payment.amount_cents)).where(
        Payment.order_id == order.id, Payment.status == PaymentStatus.CAPTURED))
    refunded = session.scalar(select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
        Refund.order_id == order.id, Refund.status != RefundStatus.FAILED))
    credited = session.scalar(select(func.coalesce(func.sum(Invoice.total_cents), 0)).where(
        Invoice.order_id == order.id, Invoice.kind == InvoiceKind.CREDIT_NOTE))
    assert paid == invoice.total_cents
    assert 0 <= refunded <= paid
    assert credited == refunded  # every refunded cent is documented by a credit note


history_events = st.lists(st.tuples(
    st.sampled_from(["order", "refund", "credit", "spend"]),
    st.integers(1, 700),  # days ago
    st.sampled_from(["USD", "EUR"]),
    st.integers(1, 9_000),
), min_size=1, max_size=12)


@DB_SETTINGS
@given(events=history_events, entry_type=st.sampled_from([None, *EntryType]),
       per_page=st.integers(1, 7))
def test_running_balance_is_the_sum_of_the_entries(
    session: Session, events: list, entry_type: EntryType | None, per_page: int  # type: ignore[type-arg]
) -> None:
    customer = make_customer(session)
    product = make_product(session, price_cents=1999)
    orders: list[Order] = []
    now = datetime.now(UTC)
    for kind, days, currency, amount in events:
        at = now - timedelta(days=days)
        if kind == "order" or not orders:
            orders.append(make_paid_order(session, customer, products=[product], placed_at=at,
                                          currency=currency)[0])
        elif kind == "refund":
            try:
                issue_refund(session, order=orders[-1], reason="r", now=at, amount_cents=amount,
                             to_store_credit=amount % 2 == 0,
                             bonus_cents=50 if amount % 2 == 0 else 0)
                session.commit()
            except RefundError:
                session.rollback()
        else:
            make_credit(session, customer, currency=currency, at=at,
                        kind=CreditKind.GIFT_CARD_LOAD if kind == "credit" else CreditKind.SPENT,
                        amount_cents=amount if kind == "credit" else -amount)
    everything = ledger_entries(session, customer_id=customer.id, ledger=LedgerFilter())
    by_currency: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for entry in everything:
        by_currency[entry.currency].append(entry)
    for currency_entries in by_currency.values():
        running = 0
        for entry in reversed(currency_entries):  # oldest first
            running += entry.amount_cents
            assert entry.balance_cents == running
    # Written one record at a time (back-dated ones included), the balances are what a
    # rebuild from scratch gives.
    rebuild_ledger(session.connection(), customer_ids=[customer.id])
    rebuilt = ledger_entries(session, customer_id=customer.id, ledger=LedgerFilter())
    assert [(e.occurred_at, e.amount_cents, e.balance_cents) for e in rebuilt] == [
        (e.occurred_at, e.amount_cents, e.balance_cents) for e in everything]
    # A filtered ledger keeps each entry's running balance of the whole history.
    ledger = LedgerFilter(entry_type=entry_type)
    entries = ledger_entries(session, customer_id=customer.id, ledger=ledger)
    balances = {(e.occurred_at, e.amount_cents): e.balance_cents for e in rebuilt}
    assert all(balances[(e.occurred_at, e.amount_cents)] == e.balance_cents for e in entries)
    # Pages put together are the same ledger, forwards and back, and the year totals add up
    # to the whole history whatever the type filter.
    zone = ZoneInfo("America/New_York")
    page = ledger_page(session, customer_id=customer.id, ledger=ledger, per_page=per_page,
                       zone=zone)
    pages = [page]
    while page.has_next:
        page = ledger_page(session, customer_id=customer.id, ledger=ledger, per_page=per_page,
                           zone=zone, after=page.older, number=page.number + 1)
        pages.append(page)
    assert [entry for one in pages for entry in one.entries] == entries
    assert page.total == len(entries)
    while page.has_previous:
        back = ledger_page(session, customer_id=customer.id, ledger=ledger, per_page=per_page,
                           zone=zone, before=page.newer, number=page.number - 1)
        assert back.entries == pages[back.number - 1].entries
        page = back
    for currency, currency_entries in by_currency.items():
        net = sum(total.net_cents for total in page.year_totals if total.currency == currency)
        assert net == currency_entries[0].balance_cents


@DB_SETTINGS
@given(items=st.lists(st.tuples(st.integers(1, 400_000), RATES, st.integers(1, 9)),
                      min_size=1, max_size=45))
def test_pdf_shows_the_same_total_as_the_page(app, login, items: list) -> None:  # type: ignore[no-untyped-def,type-arg]
    # A session outside any app context, so each request gets (and closes) its own.
    session = app.extensions["portal_sessionmaker"]()
    try:
        customer = make_customer(session)
        products = [make_product(session, price_cents=price, tax_rate_bp=rate)
                    for price, rate, _ in items]
        _, invoice = make_paid_order(session, customer, products=products,
                                     quantity=items[0][2])
    finally:
        session.close()
    client = app.test_client()
    login(client, customer)
    page = client.get(f"/billing/invoices/{invoice.number}").get_data(as_text=True)
    total = re.search(r"data-total>([^<]+)<", page).group(1).strip()  # type: ignore[union-attr]
    reader = PdfReader(io.BytesIO(client.get(f"/billing/invoices/{invoice.number}.pdf").data))
    text = "\n".join(pdf_page.extract_text() for pdf_page in reader.pages)
    assert re.search(rf"Total\s*{re.escape(total)}", text)
