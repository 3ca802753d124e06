"""What seed-demo writes: the same store for the same seed, and money that adds up."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from portal.auth.models import Customer
from portal.billing.documents import build_invoice, invoice_number
from portal.billing.models import (
    CreditEntry,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from portal.db import Base
from portal.orders.models import Order, Shipment, TrackingEvent
from portal.orders.pricing import totals_for
from portal.returns.models import ReturnRequest
from portal.support.models import Message, SupportRequest

SNAPSHOT_MODELS = (Customer, Order, Shipment, TrackingEvent, Invoice, Payment, Refund,
                   CreditEntry, ReturnRequest, SupportRequest, Message)


def _snapshot(session: Session) -> dict[str, list[tuple[object, ...]]]:
    result = {}
    for model in SNAPSHOT_MODELS:
        columns = list(model.__table__.columns)
        rows = session.execute(select(*columns).order_by(model.id)).all()
        result[model.__tablename__] = [tuple(row) for row in rows]
    return result


def _empty(session: Session) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))
    session.commit()


def test_the_same_seed_gives_the_same_store(session: Session, seed) -> None:
    seed(seed=7)
    first = _snapshot(session)
    _empty(session)
    seed(seed=7)
    assert _snapshot(session) == first
    _empty(session)
    seed(seed=8)
    other = _snapshot(session)
    assert other["orders"] != first["orders"]
    assert other["customers"] != first["customers"]


def test_order_totals_are_derived_from_their_lines(session: Session, seed) -> None:
    seed()
    orders = session.scalars(select(Order).options(selectinload(Order.lines))).all()
    assert len(orders) >= 120
    for order in orders:
        totals = totals_for(order.lines, shipping_cents=order.shipping_cents)
        assert (order.subtotal_cents, order.discount_cents, order.tax_cents,
                order.total_cents) == (totals.subtotal_cents, totals.discount_cents,
                                       totals.tax_cents, totals.total_cents), order.number


def test_invoices_match_what_the_billing_domain_builds(session: Session, seed) -> None:
    seed()
    orders = session.scalars(
        select(Order).options(selectinload(Order.lines)).order_by(Order.id).limit(60)).all()
    invoices = {invoice.order_id: invoice for invoice in session.scalars(
        select(Invoice).where(Invoice.kind == InvoiceKind.INVOICE)
        .options(selectinload(Invoice.lines)))}
    customers = {customer.id: customer for customer in session.scalars(select(Customer))}
    for order in orders:
        seeded = invoices[order.id]
        built = build_invoice(order, customer=customers[order.customer_id],
                              number=invoice_number(order), now=order.placed_at)
        assert seeded.number == built.number
        assert seeded.total_cents == built.total_cents == order.total_cents
        assert seeded.tax_cents == built.tax_cents
        assert [(line.quantity, line.unit_price_cents, line.discount_cents, line.tax_cents)
                for line in seeded.lines] == [
            (line.quantity, line.unit_price_cents, line.discount_cents, line.tax_cents)
            for line in built.lines]
        session.expunge_all()  # build_invoice attached new objects to loaded ones


def test_refunds_match_their_credit_notes_and_never_exceed_payments(
    session: Session, seed
) -> None:
    seed()
    paid: dict[int, int] = defaultdict(int)
    for payment in session.scalars(select(Payment).where(
            Payment.status == PaymentStatus.CAPTURED)):
        paid[payment.order_id] += payment.amount_cents
    totals = {order.id: order.total_cents for order in session.scalars(select(Order))}
    assert paid == totals  # every order is paid in full by its captured payments
    refunded: dict[int, int] = defaultdict(int)
    by_note: dict[int, int] = defaultdict(int)
    for refund in session.scalars(select(Refund).where(Refund.status != RefundStatus.FAILED)):
        refunded[refund.order_id] += refund.amount_cents
        by_note[refund.credit_note_id] += refund.amount_cents
    assert refunded, "the demo store has refunds"
    for order_id, amount in refunded.items():
        assert amount <= paid[order_id]
    notes = session.scalars(select(Invoice).where(Invoice.kind == InvoiceKind.CREDIT_NOTE)).all()
    assert {note.id: note.total_cents for note in notes} == dict(by_note)
    assert all(note.credited_invoice_id is not None for note in notes)


def test_store_credit_balances_never_go_negative(session: Session, seed) -> None:
    seed()
    entries = session.execute(select(CreditEntry.customer_id, CreditEntry.created_at,
                                     CreditEntry.amount_cents)
                              .order_by(CreditEntry.customer_id, CreditEntry.created_at)).all()
    assert entries
    balance: dict[int, int] = defaultdict(int)
    for customer_id, _at, amount in entries:
        balance[customer_id] += amount
        assert balance[customer_id] >= 0


def test_every_number_is_unique_and_events_follow_their_shipment(session: Session, seed) -> None:
    seed()
    for model in (Order, Invoice, ReturnRequest, SupportRequest):
        total, distinct = session.execute(
            select(func.count(), func.count(func.distinct(model.number if hasattr(
                model, "number") else model.rma_number)))).one()
        assert total == distinct
    shipments = session.scalars(select(Shipment).options(selectinload(Shipment.events))).all()
    for shipment in shipments:
        assert shipment.events, shipment.tracking_number
        assert shipment.events[0].occurred_at == shipment.shipped_at
        assert shipment.status == shipment.events[-1].status
