"""The ledger kept as it is written: every money write adds its history line and balances.

A payment that is captured (card, PayPal), a refund that is completed (card, PayPal) and
every gift-card or store-credit movement becomes one `LedgerEntry`, in the same transaction,
through a flush hook on every ORM session: callers (refunds, checkout, the store connector,
tests) write their payments and refunds as usual and the ledger follows. Bulk loads that
bypass the ORM (the demo seeder, the migration) call `rebuild_ledger` once at the end.

Balances are running sums in (occurred_at, id) order per shopper and currency. A new entry
takes the balance of the entry before it plus its own amount, and the few entries dated
after it (a back-dated write) move by its amount, so a write costs a handful of indexed
statements and a page of history reads stored figures. A shopper's rows are written under
a row lock on the customer on PostgreSQL (SQLite writes one transaction at a time anyway).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy import String as SqlString
from sqlalchemy.orm import Session, aliased

from portal.auth.models import Customer
from portal.billing.documents import STORED_VALUE_KINDS
from portal.billing.models import (
    CreditEntry,
    CreditKind,
    EntryType,
    Invoice,
    InvoiceKind,
    LedgerEntry,
    Payment,
    PaymentKind,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from portal.orders.models import Order

OUTSIDE_KINDS = tuple(kind for kind in PaymentKind if kind not in STORED_VALUE_KINDS)
SOURCES = (Payment, Refund, CreditEntry)
COLUMNS = ("customer_id", "currency", "occurred_at", "entry_type", "amount_cents",
           "payment_id", "refund_id", "credit_entry_id", "order_number", "document_number",
           "method", "brand", "last4", "description")


def _text(value: Any) -> Any:
    return cast(value, SqlString)


def _payments() -> Any:
    invoice = aliased(Invoice)
    return (
        select(Payment.customer_id, Payment.currency, Payment.created_at,
               literal(EntryType.CHARGE.value), Payment.amount_cents, Payment.id,
               null(), null(), Order.number, invoice.number, _text(Payment.kind),
               Payment.brand, Payment.last4, _text(null()))
        .join(Order, Order.id == Payment.order_id)
        .outerjoin(invoice, and_(invoice.order_id == Payment.order_id,
                                 invoice.kind == InvoiceKind.INVOICE))
        .where(Payment.status == PaymentStatus.CAPTURED, Payment.kind.in_(OUTSIDE_KINDS))
    )


def _refunds() -> Any:
    payment = aliased(Payment)
    note = aliased(Invoice)
    return (
        select(Refund.customer_id, Refund.currency, Refund.created_at,
               literal(EntryType.REFUND.value), -Refund.amount_cents, null(), Refund.id,
               null(), Order.number, note.number, _text(Refund.kind), payment.brand,
               payment.last4, Refund.reason)
        .join(Order, Order.id == Refund.order_id)
        .outerjoin(note, note.id == Refund.credit_note_id)
        .outerjoin(payment, payment.id == Refund.payment_id)
        .where(Refund.status == RefundStatus.COMPLETED, Refund.kind.in_(OUTSIDE_KINDS))
    )


def _credit_entries() -> Any:
    order = aliased(Order)
    refund = aliased(Refund)
    note = aliased(Invoice)
    invoice = aliased(Invoice)
    spent_from = aliased(Payment)
    # A spend names no balance of its own: the order's gift-card or store-credit payment does.
    spent_kind = (select(_text(spent_from.kind))
                  .where(spent_from.order_id == CreditEntry.order_id,
                         spent_from.kind.in_(STORED_VALUE_KINDS),
                         spent_from.amount_cents == -CreditEntry.amount_cents)
                  .order_by(spent_from.id).limit(1).scalar_subquery())
    account = case(
        (CreditEntry.kind == CreditKind.GIFT_CARD_LOAD, PaymentKind.GIFT_CARD.value),
        (CreditEntry.kind == CreditKind.SPENT,
         func.coalesce(spent_kind, PaymentKind.STORE_CREDIT.value)),
        else_=PaymentKind.STORE_CREDIT.value)
    entry_type = case((CreditEntry.refund_id.is_not(None), EntryType.REFUND.value),
                      (CreditEntry.kind == CreditKind.SPENT, EntryType.CHARGE.value),
                      else_=EntryType.CREDIT.value)
    return (
        select(CreditEntry.customer_id, CreditEntry.currency, CreditEntry.created_at,
               entry_type, -CreditEntry.amount_cents, null(), null(), CreditEntry.id,
               order.number, func.coalesce(note.number, invoice.number), account,
               _text(null()), _text(null()), CreditEntry.description)
        .outerjoin(order, order.id == CreditEntry.order_id)
        .outerjoin(refund, refund.id == CreditEntry.refund_id)
        .outerjoin(note, note.id == refund.credit_note_id)
        .outerjoin(invoice, and_(CreditEntry.refund_id.is_(None),
                                 invoice.order_id == CreditEntry.order_id,
                                 invoice.kind == InvoiceKind.INVOICE))
    )


def _insert(connection: Connection, source: Any) -> None:
    table = LedgerEntry.__table__
    connection.execute(insert(table).from_select([table.c[name] for name in COLUMNS], source))


def _store_credit_delta() -> Any:
    """How an entry moves the store-credit balance (ledger amounts are net spent, so negated)."""
    return case((and_(LedgerEntry.credit_entry_id.is_not(None),
                      LedgerEntry.method == PaymentKind.STORE_CREDIT.value),
                 -LedgerEntry.amount_cents), else_=0)


def rebuild_ledger(connection: Connection, *, customer_ids: Iterable[int] | None = None) -> None:
    """Writes the ledger afresh from payments, refunds and credit movements (all shoppers, or
    those given): for bulk loads, migrations and the rare change to an existing record."""
    ids = None if customer_ids is None else sorted(set(customer_ids))
    if ids == []:
        return
    wipe = delete(LedgerEntry)
    sources = [_payments(), _refunds(), _credit_entries()]
    if ids is not None:
        wipe = wipe.where(LedgerEntry.customer_id.in_(ids))
        sources = [source.where(model.customer_id.in_(ids))
                   for source, model in zip(sources, SOURCES, strict=True)]
    connection.execute(wipe)
    for source in sources:
        _insert(connection, source)
    window = {"partition_by": (LedgerEntry.customer_id, LedgerEntry.currency),
              "order_by": (LedgerEntry.occurred_at, LedgerEntry.id)}
    running = select(
        LedgerEntry.id.label("id"),
        func.sum(LedgerEntry.amount_cents).over(**window).label("balance"),
        func.sum(_store_credit_delta()).over(**window).label("store_credit"),
    )
    if ids is not None:
        running = running.where(LedgerEntry.customer_id.in_(ids))
    running = running.subquery()
    connection.execute(update(LedgerEntry).where(LedgerEntry.id == running.c.id)
                       .values(balance_cents=running.c.balance,
                               store_credit_cents=running.c.store_credit))


def record_entries(connection: Connection, *, payment_ids: Iterable[int] = (),
                   refund_ids: Iterable[int] = (), credit_entry_ids: Iterable[int] = ()) -> None:
    """Adds the ledger lines of newly written records (those that belong in the history)
    and carries the running balances through them."""
    wanted = [(model, sorted(set(ids))) for model, ids in
              zip(SOURCES, (payment_ids, refund_ids, credit_entry_ids), strict=True)]
    sources = [_payments(), _refunds(), _credit_entries()]
    links = (LedgerEntry.payment_id, LedgerEntry.refund_id, LedgerEntry.credit_entry_id)
    added = []
    for source, (model, ids), link in zip(sources, wanted, links, strict=True):
        if ids:
            _insert(connection, source.where(model.id.in_(ids)))
            added.append(link.in_(ids))
    if not added:
        return
    new_entries = connection.execute(
        select(LedgerEntry.id, LedgerEntry.customer_id, LedgerEntry.currency,
               LedgerEntry.occurred_at, LedgerEntry.amount_cents,
               _store_credit_delta().label("store_credit"))
        .where(or_(*added)).order_by(LedgerEntry.occurred_at, LedgerEntry.id)).all()
    _lock_customers(connection, {entry.customer_id for entry in new_entries})
    for entry in new_entries:
        _carry(connection, entry)


def _lock_customers(connection: Connection, customer_ids: set[int]) -> None:
    if customer_ids and connection.dialect.name == "postgresql":
        connection.execute(select(Customer.id).where(Customer.id.in_(sorted(customer_ids)))
                           .order_by(Customer.id).with_for_update())


def _carry(connection: Connection, entry: Any) -> None:
    """The entry's balances from the one before it; the entries after it move by its amount."""
    same_account = and_(LedgerEntry.customer_id == entry.customer_id,
                        LedgerEntry.currency == entry.currency)
    before = or_(LedgerEntry.occurred_at < entry.occurred_at,
                 and_(LedgerEntry.occurred_at == entry.occurred_at, LedgerEntry.id < entry.id))
    after = or_(LedgerEntry.occurred_at > entry.occurred_at,
                and_(LedgerEntry.occurred_at == entry.occurred_at, LedgerEntry.id > entry.id))
    previous = connection.execute(
        select(LedgerEntry.balance_cents, LedgerEntry.store_credit_cents)
        .where(same_account, before)
        .order_by(LedgerEntry.occurred_at.desc(), LedgerEntry.id.desc()).limit(1)).first()
    balance, store_credit = previous if previous is not None else (0, 0)
    connection.execute(update(LedgerEntry).where(LedgerEntry.id == entry.id).values(
        balance_cents=balance + entry.amount_cents,
        store_credit_cents=store_credit + entry.store_credit))
    connection.execute(update(LedgerEntry).where(same_account, after).values(
        balance_cents=LedgerEntry.balance_cents + entry.amount_cents,
        store_credit_cents=LedgerEntry.store_credit_cents + entry.store_credit))


def _changed(session: Session, instance: object) -> bool:
    return isinstance(instance, SOURCES) and session.is_modified(instance)


@event.listens_for(Session, "after_flush")
def _follow_money_writes(session: Session, _context: object) -> None:
    """New money records get their ledger lines; a changed or deleted one (a refund that
    completes, a record removed) has its shopper's ledger written afresh."""
    rewritten = {instance.customer_id for instance in session.deleted
                 if isinstance(instance, SOURCES)}
    rewritten |= {instance.customer_id for instance in session.dirty
                  if _changed(session, instance)}
    new: dict[type, list[int]] = {model: [] for model in SOURCES}
    for instance in session.new:
        if isinstance(instance, SOURCES) and instance.customer_id not in rewritten:
            new[type(instance)].append(instance.id)
    if not rewritten and not any(new.values()):
        return
    connection = session.connection()
    if rewritten:
        _lock_customers(connection, rewritten)
        rebuild_ledger(connection, customer_ids=rewritten)
    record_entries(connection, payment_ids=new[Payment], refund_ids=new[Refund],
                   credit_entry_ids=new[CreditEntry])
