from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.billing.documents import PaymentSplit
from portal.billing.models import CreditEntry, CreditKind, Invoice, InvoiceKind, PaymentKind, Refund
from portal.billing.refunds import (
    CreditLine,
    FeeLine,
    RefundError,
    issue_refund,
    refundable_cents,
    refundable_lines,
)
from portal.db import utcnow
from portal.orders.models import Order
from tests.factories import make_customer, make_order, make_product
from tests.factories.billing import make_paid_order


def _lines(session: Session, order: Order) -> list:
    return list(session.scalars(select(Order).where(Order.id == order.id)
                                .options(selectinload(Order.lines))).one().lines)


def test_full_refund_of_lines_and_shipping_equals_the_invoice(session: Session) -> None:
    customer = make_customer(session)
    products = [make_product(session, price_cents=999, tax_rate_bp=825)]
    order, invoice = make_paid_order(session, customer, products=products, quantity=3)
    assert order.shipping_cents > 0
    outcome = issue_refund(session, order=order, reason="Cancelled", now=utcnow(),
                           lines=refundable_lines(session, order=order),
                           shipping_cents=order.shipping_cents)
    session.commit()
    note = outcome.credit_note
    assert note.kind is InvoiceKind.CREDIT_NOTE
    assert note.credited_invoice_id == invoice.id
    assert note.number == f"CN-{order.number}-1"
    assert note.total_cents == invoice.total_cents == outcome.amount_cents
    assert refundable_cents(session, order=order) == 0
    with pytest.raises(RefundError):
        issue_refund(session, order=order, reason="Again", now=utcnow(), amount_cents=1)


def test_partial_credits_add_up_to_the_line(session: Session) -> None:
    customer = make_customer(session)
    product = make_product(session, price_cents=1001, tax_rate_bp=1900)
    order, invoice = make_paid_order(session, customer, products=[product], quantity=3)
    line = _lines(session, order)[0]
    notes = [issue_refund(session, order=order, reason="Return", now=utcnow(),
                          lines=[CreditLine(line.id, 1)]).credit_note for _ in range(3)]
    session.commit()
    assert sum(note.tax_cents for note in notes) == line.tax_cents
    assert sum(note.total_cents for note in notes) == invoice.total_cents - order.shipping_cents
    assert [note.number[-1] for note in notes] == ["1", "2", "3"]
    with pytest.raises(RefundError, match="Only 0"):
        issue_refund(session, order=order, reason="Return", now=utcnow(),
                     lines=[CreditLine(line.id, 1)])


def test_fees_are_deducted_and_shown_as_lines(session: Session) -> None:
    customer = make_customer(session)
    order, _ = make_paid_order(session, customer, lines=1)
    line = _lines(session, order)[0]
    outcome = issue_refund(session, order=order, reason="Return", now=utcnow(),
                           lines=[CreditLine(line.id, 1)],
                           fees=[FeeLine("Return shipping", 495)])
    session.commit()
    assert outcome.amount_cents == line.net_cents + line.tax_cents - 495
    assert any(note_line.unit_price_cents == -495 for note_line in outcome.credit_note.lines)


def test_refund_cannot_exceed_what_was_paid(session: Session) -> None:
    customer = make_customer(session)
    order, invoice = make_paid_order(session, customer)
    with pytest.raises(RefundError, match="more than what is left"):
        issue_refund(session, order=order, reason="Too much", now=utcnow(),
                     amount_cents=invoice.total_cents + 1)
    issue_refund(session, order=order, reason="Goodwill", now=utcnow(), amount_cents=500)
    session.commit()
    assert refundable_cents(session, order=order) == invoice.total_cents - 500


def test_unpaid_order_cannot_be_refunded_but_gets_its_invoice(session: Session) -> None:
    customer = make_customer(session)
    order = make_order(session, customer)
    with pytest.raises(RefundError):
        issue_refund(session, order=order, reason="x", now=utcnow(), amount_cents=100)
    session.rollback()


def test_split_payment_refunds_the_card_first_then_the_gift_card(session: Session) -> None:
    customer = make_customer(session)
    product = make_product(session, price_cents=10000, tax_rate_bp=0)
    order, invoice = make_paid_order(session, customer, products=[product], splits=[
        PaymentSplit(kind=PaymentKind.GIFT_CARD, amount_cents=3000),
        PaymentSplit(kind=PaymentKind.CARD, brand="Visa", last4="4242"),
    ])
    outcome = issue_refund(session, order=order, reason="Cancel", now=utcnow(),
                           amount_cents=invoice.total_cents)
    session.commit()
    assert [(refund.kind, refund.amount_cents) for refund in outcome.refunds] == [
        (PaymentKind.CARD, invoice.total_cents - 3000), (PaymentKind.GIFT_CARD, 3000)]
    assert [(entry.kind, entry.amount_cents) for entry in outcome.credit_entries] == [
        (CreditKind.GIFT_CARD_LOAD, 3000)]


def test_store_credit_with_bonus(session: Session) -> None:
    customer = make_customer(session)
    order, _ = make_paid_order(session, customer)
    outcome = issue_refund(session, order=order, reason="Return", now=utcnow(),
                           amount_cents=2000, to_store_credit=True, bonus_cents=200)
    session.commit()
    assert outcome.refund.kind is PaymentKind.STORE_CREDIT
    assert outcome.refund.payment_id is None
    [entry] = outcome.credit_entries
    assert (entry.kind, entry.amount_cents, entry.refund_id) == (
        CreditKind.STORE_CREDIT_ISSUED, 2200, outcome.refund.id)


def test_same_key_gives_one_refund(session: Session) -> None:
    customer = make_customer(session)
    order, _ = make_paid_order(session, customer)
    first = issue_refund(session, order=order, reason="x", now=utcnow(), amount_cents=300,
                         idempotency_key="key-1")
    session.commit()
    again = issue_refund(session, order=order, reason="x", now=utcnow(), amount_cents=300,
                         idempotency_key="key-1")
    session.commit()
    assert again.created is False
    assert again.credit_note.id == first.credit_note.id
    assert session.scalar(select(func.count()).select_from(Refund)) == 1
    assert session.scalar(select(func.count()).select_from(Invoice).where(
        Invoice.kind == InvoiceKind.CREDIT_NOTE)) == 1
    other, _ = make_paid_order(session, customer)
    with pytest.raises(RefundError, match="another order"):
        issue_refund(session, order=other, reason="x", now=utcnow(), amount_cents=300,
                     idempotency_key="key-1")


def test_bad_requests_are_refused(session: Session) -> None:
    customer = make_customer(session)
    order, _ = make_paid_order(session, customer, lines=1)
    other, _ = make_paid_order(session, customer, lines=1)
    foreign = _lines(session, other)[0]
    line = _lines(session, order)[0]
    cases = [
        {"lines": [CreditLine(foreign.id, 1)]},
        {"lines": [CreditLine(line.id, 0)]},
        {"lines": [CreditLine(line.id, 1)], "fees": [FeeLine("Fee", 10**7)]},
        {"lines": [CreditLine(line.id, 1)], "amount_cents": 1},
        {"amount_cents": 0},
        {"amount_cents": 100, "bonus_cents": 10},
        {"shipping_cents": order.shipping_cents + 1},
    ]
    for kwargs in cases:
        with pytest.raises(RefundError):
            issue_refund(session, order=order, reason="x", now=utcnow(), **kwargs)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(CreditEntry)) == 0


def test_a_lost_race_on_the_same_key_returns_the_winner(session: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from portal.billing import refunds

    customer = make_customer(session)
    order, _ = make_paid_order(session, customer)
    winner = issue_refund(session, order=order, reason="x", now=utcnow(), amount_cents=300,
                          idempotency_key="race")
    session.commit()
    real_replay = refunds._replay
    calls = []

    def late_replay(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        # The first look finds nothing, as if the winner had not committed yet.
        return None if len(calls) == 1 else real_replay(*args, **kwargs)

    monkeypatch.setattr(refunds, "_replay", late_replay)
    loser = issue_refund(session, order=order, reason="x", now=utcnow(), amount_cents=300,
                         idempotency_key="race")
    session.commit()
    assert loser.created is False and loser.credit_note.id == winner.credit_note.id
    assert session.scalar(select(func.count()).select_from(Refund)) == 1
