"""The billing ledger: every movement of a shopper's money, one chronological list per currency.

Each movement is counted once. Card and PayPal money comes from payments and refunds;
gift-card and store-credit money from the balance's own movements (CreditEntry), so a
gift-card payment is its SPENT entry and a refund to store credit is its ISSUED entry.
Amounts are signed as "net spent": what the shopper paid is positive, what came back (refunds,
credit received) is negative, and the running balance is the sum of the entries up to a row.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.orm import Session, aliased

from portal.billing.documents import STORED_VALUE_KINDS
from portal.billing.models import CreditEntry, Invoice, Payment, Refund
from portal.db import UTCDateTime
from portal.enums import CreditKind, InvoiceKind, PaymentKind, PaymentStatus, RefundStatus
from portal.orders.models import Order
from portal.pagination import Page

OUTSIDE_KINDS = tuple(kind for kind in PaymentKind if kind not in STORED_VALUE_KINDS)


class EntryType(enum.StrEnum):
    CHARGE = "charge"
    REFUND = "refund"
    CREDIT = "credit"


@dataclass(frozen=True)
class LedgerFilter:
    """Entries from `start` (inclusive) to `end` (exclusive), UTC; of one type if given."""

    start: datetime | None = None
    end: datetime | None = None
    entry_type: EntryType | None = None


@dataclass(frozen=True)
class LedgerEntry:
    source: str
    source_id: int
    occurred_at: datetime
    entry_type: EntryType
    amount_cents: int
    currency: str
    order_number: str | None
    document_number: str | None
    method: str | None
    brand: str | None
    last4: str | None
    description: str | None
    balance_cents: int

    @property
    def paid_cents(self) -> int:
        return max(self.amount_cents, 0)

    @property
    def received_cents(self) -> int:
        return max(-self.amount_cents, 0)


@dataclass(frozen=True)
class YearTotal:
    currency: str
    year: int
    paid_cents: int
    received_cents: int

    @property
    def net_cents(self) -> int:
        return self.paid_cents - self.received_cents


def _window(column: Any, shape: Shape) -> list[Any]:
    conditions = []
    if shape.has_start:
        conditions.append(column >= bindparam("start", type_=UTCDateTime()))
    if shape.has_end:
        conditions.append(column < bindparam("end", type_=UTCDateTime()))
    return conditions


@dataclass(frozen=True)
class Shape:
    """Which filters a ledger query has; the values go in as bound parameters."""

    has_start: bool
    has_end: bool
    has_type: bool


def _shape_and_params(customer_id: int, ledger: LedgerFilter) -> tuple[Shape, dict[str, Any]]:
    shape = Shape(ledger.start is not None, ledger.end is not None,
                  ledger.entry_type is not None)
    params: dict[str, Any] = {"customer_id": customer_id}
    if ledger.start is not None:
        params["start"] = ledger.start
    if ledger.end is not None:
        params["end"] = ledger.end
    if ledger.entry_type is not None:
        params["entry_type"] = ledger.entry_type.value
    return shape, params


@lru_cache(maxsize=16)
def _entries(shape: Shape) -> Any:
    """The union of the three sources, the customer and date range applied in each.

    Built once per shape of filters (ORM aliases are costly to build on every request)."""
    customer_id = bindparam("customer_id", type_=Integer())
    order_invoice = aliased(Invoice)
    payments = (
        select(
            literal("payment").label("source"), Payment.id.label("source_id"),
            Payment.created_at.label("occurred_at"),
            literal(EntryType.CHARGE.value).label("entry_type"),
            Payment.amount_cents.label("amount_cents"), Payment.currency.label("currency"),
            Order.number.label("order_number"), order_invoice.number.label("document_number"),
            cast(Payment.kind, String).label("method"), Payment.brand.label("brand"),
            Payment.last4.label("last4"), cast(null(), String).label("description"),
        )
        .join(Order, Order.id == Payment.order_id)
        .outerjoin(order_invoice, and_(order_invoice.order_id == Payment.order_id,
                                       order_invoice.kind == InvoiceKind.INVOICE))
        .where(Payment.customer_id == customer_id, Payment.status == PaymentStatus.CAPTURED,
               Payment.kind.in_(OUTSIDE_KINDS), *_window(Payment.created_at, shape))
    )
    refund_payment = aliased(Payment)
    note = aliased(Invoice)
    refunds = (
        select(
            literal("refund"), Refund.id, Refund.created_at, literal(EntryType.REFUND.value),
            -Refund.amount_cents, Refund.currency, Order.number, note.number,
            cast(Refund.kind, String), refund_payment.brand, refund_payment.last4,
            Refund.reason,
        )
        .join(Order, Order.id == Refund.order_id)
        .outerjoin(note, note.id == Refund.credit_note_id)
        .outerjoin(refund_payment, refund_payment.id == Refund.payment_id)
        .where(Refund.customer_id == customer_id, Refund.status == RefundStatus.COMPLETED,
               Refund.kind.in_(OUTSIDE_KINDS), *_window(Refund.created_at, shape))
    )
    credit_order = aliased(Order)
    credit_refund = aliased(Refund)
    credit_note = aliased(Invoice)
    spent_invoice = aliased(Invoice)
    credits = (
        select(
            literal("credit"), CreditEntry.id, CreditEntry.created_at,
            case((CreditEntry.refund_id.is_not(None), EntryType.REFUND.value),
                 (CreditEntry.kind == CreditKind.SPENT, EntryType.CHARGE.value),
                 else_=EntryType.CREDIT.value),
            -CreditEntry.amount_cents, CreditEntry.currency, credit_order.number,
            func.coalesce(credit_note.number, spent_invoice.number),
            cast(CreditEntry.kind, String), cast(null(), String), cast(null(), String),
            CreditEntry.description,
        )
        .outerjoin(credit_order, credit_order.id == CreditEntry.order_id)
        .outerjoin(credit_refund, credit_refund.id == CreditEntry.refund_id)
        .outerjoin(credit_note, credit_note.id == credit_refund.credit_note_id)
        .outerjoin(spent_invoice, and_(CreditEntry.refund_id.is_(None),
                                       spent_invoice.order_id == CreditEntry.order_id,
                                       spent_invoice.kind == InvoiceKind.INVOICE))
        .where(CreditEntry.customer_id == customer_id, *_window(CreditEntry.created_at, shape))
    )
    entries = payments.union_all(refunds, credits).subquery("entries")
    filtered = select(entries)
    if shape.has_type:
        filtered = filtered.where(entries.c.entry_type == bindparam("entry_type", type_=String()))
    return filtered.subquery("ledger")


def _with_balance(rows: Any) -> Select[Any]:
    balance = func.sum(rows.c.amount_cents).over(
        partition_by=rows.c.currency,
        order_by=(rows.c.occurred_at, rows.c.source, rows.c.source_id), rows=(None, 0),
    )
    return select(rows, balance.label("balance_cents")).order_by(
        rows.c.currency, rows.c.occurred_at.desc(), rows.c.source.desc(), rows.c.source_id.desc()
    )


def _entry(row: Any) -> LedgerEntry:
    return LedgerEntry(
        source=row.source, source_id=row.source_id, occurred_at=row.occurred_at,
        entry_type=EntryType(row.entry_type), amount_cents=int(row.amount_cents),
        currency=row.currency, order_number=row.order_number,
        document_number=row.document_number, method=row.method, brand=row.brand,
        last4=row.last4, description=row.description, balance_cents=int(row.balance_cents),
    )


@dataclass(frozen=True)
class LedgerPage(Page[LedgerEntry]):
    """One page of entries, and the totals per year of the whole filtered range."""

    year_totals: list[YearTotal] = field(default_factory=list)

    @property
    def entries(self) -> list[LedgerEntry]:
        return self.items


def ledger_page(
    session: Session, *, customer_id: int, ledger: LedgerFilter, number: int, per_page: int,
    zone: ZoneInfo,
) -> LedgerPage:
    """One page of the shopper's ledger (newest first) and the totals per year: 3 queries."""
    shape, params = _shape_and_params(customer_id, ledger)
    rows = _entries(shape)
    total, first, last = session.execute(
        select(func.count(), func.min(rows.c.occurred_at), func.max(rows.c.occurred_at)), params
    ).one()
    number = min(number, Page([], 1, per_page, total).total_pages)  # past the end: the last
    page = session.execute(
        _with_balance(rows).limit(per_page).offset((number - 1) * per_page), params)
    years = _year_totals(session, rows, params, first, last, zone) if total else []
    return LedgerPage(items=[_entry(row) for row in page], number=number, per_page=per_page,
                      total=total, year_totals=years)


def ledger_entries(session: Session, *, customer_id: int, ledger: LedgerFilter,
                   limit: int = 100_000) -> list[LedgerEntry]:
    """Every entry in the range, newest first (for the export)."""
    shape, params = _shape_and_params(customer_id, ledger)
    statement = _with_balance(_entries(shape)).limit(limit)
    return [_entry(row) for row in session.execute(statement, params)]


def _year_totals(session: Session, rows: Any, params: dict[str, Any], first: Any, last: Any,
                 zone: ZoneInfo) -> list[YearTotal]:
    # Years in the shopper's zone, as UTC boundaries: portable SQL, no per-database EXTRACT.
    first_year = _as_utc(first).astimezone(zone).year
    last_year = _as_utc(last).astimezone(zone).year
    whens = [(rows.c.occurred_at < datetime(year + 1, 1, 1, tzinfo=zone), year)
             for year in range(first_year, last_year)]
    year = case(*whens, else_=last_year) if whens else literal(last_year)
    paid = func.sum(case((rows.c.amount_cents > 0, rows.c.amount_cents), else_=0))
    received = func.sum(case((rows.c.amount_cents < 0, -rows.c.amount_cents), else_=0))
    statement = (select(rows.c.currency, year.label("year"), paid, received)
                 .group_by(rows.c.currency, year).order_by(rows.c.currency, year.desc()))
    return [YearTotal(currency=currency, year=int(y), paid_cents=int(p or 0),
                      received_cents=int(r or 0))
            for currency, y, p, r in session.execute(statement, params)]


def _as_utc(value: Any) -> datetime:
    """min()/max() over a union lose the column type on some databases: parse if needed."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)

