"""Reading the billing ledger: pages of stored entries, totals per year, balances.

The ledger is written as money moves (portal/billing/bookkeeping.py): each entry holds its
amount signed as "net spent" (what the shopper paid is positive, what came back negative)
and the running net spent and store-credit balance of its currency. A page therefore reads
its own rows only, newest first, and is reached by a cursor (the entry next to it) rather
than an offset, so page 80 of a long history costs what page 1 does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, bindparam, case, func, select, tuple_
from sqlalchemy.orm import Session, aliased

from portal.billing import models
from portal.billing.models import EntryType
from portal.db import UTCDateTime

__all__ = ["EntryType", "LedgerEntry", "LedgerFilter", "LedgerPage", "YearTotal",
           "ledger_entries", "ledger_page", "store_credit_balances"]

Row = models.LedgerEntry
#: Newest first; currency first so each currency's entries stay together.
ORDER = (Row.currency, Row.occurred_at, Row.id)


@dataclass(frozen=True)
class LedgerFilter:
    """Entries from `start` (inclusive) to `end` (exclusive), UTC; of one type if given.

    The CREDIT type means every gift-card and store-credit movement, whatever it was for:
    credit spent on an order and store credit issued for a return are in it too."""

    start: datetime | None = None
    end: datetime | None = None
    entry_type: EntryType | None = None


@dataclass(frozen=True)
class LedgerEntry:
    id: int
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
    source: str

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


@dataclass(frozen=True)
class LedgerPage:
    """One page of entries; the cursors of the pages beside it; the totals per year of
    every entry in the chosen dates (whatever the type filter: a year's paid, refunded and
    net figures only make sense together)."""

    entries: list[LedgerEntry]
    number: int
    per_page: int
    total: int
    year_totals: list[YearTotal]
    newer: int | None = None  # cursor for the previous page, when there is one
    older: int | None = None  # cursor for the next page, when there is one

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.newer is not None

    @property
    def has_next(self) -> bool:
        return self.older is not None


_COLUMNS = (Row.id, Row.occurred_at, Row.entry_type, Row.amount_cents, Row.currency,
            Row.order_number, Row.document_number, Row.method, Row.brand, Row.last4,
            Row.description, Row.balance_cents, Row.payment_id, Row.refund_id)


def _entry(row: Any) -> LedgerEntry:
    source = "payment" if row.payment_id else "refund" if row.refund_id else "credit"
    return LedgerEntry(
        id=row.id, occurred_at=row.occurred_at, entry_type=row.entry_type,
        amount_cents=row.amount_cents, currency=row.currency, order_number=row.order_number,
        document_number=row.document_number, method=row.method, brand=row.brand,
        last4=row.last4, description=row.description, balance_cents=row.balance_cents,
        source=source)


def _in_dates(ledger: LedgerFilter) -> list[Any]:
    conditions = []
    if ledger.start is not None:
        conditions.append(Row.occurred_at >= ledger.start)
    if ledger.end is not None:
        conditions.append(Row.occurred_at < ledger.end)
    return conditions


def _of_type(entry_type: EntryType | None) -> Any:
    if entry_type is None:
        return None
    if entry_type is EntryType.CREDIT:
        return Row.credit_entry_id.is_not(None)
    return Row.entry_type == entry_type


def _selected(customer_id: int, ledger: LedgerFilter) -> list[Any]:
    conditions = [Row.customer_id == customer_id, *_in_dates(ledger)]
    type_condition = _of_type(ledger.entry_type)
    return conditions if type_condition is None else [*conditions, type_condition]


def _position(session: Session, customer_id: int, entry_id: int | None) -> Any:
    """(currency, occurred_at, id) of the shopper's entry a cursor names; None if not theirs."""
    if entry_id is None:
        return None
    return session.execute(select(*ORDER).where(Row.id == entry_id,
                                                Row.customer_id == customer_id)).first()


def _beyond(position: Any, *, older: bool) -> Any:
    key = tuple_(*ORDER)
    values = tuple_(bindparam("cursor_currency", position[0], type_=String()),
                    bindparam("cursor_at", position[1], type_=UTCDateTime()),
                    bindparam("cursor_id", position[2], type_=Integer()))
    return key < values if older else key > values


def ledger_page(
    session: Session, *, customer_id: int, ledger: LedgerFilter, per_page: int, zone: ZoneInfo,
    number: int = 1, after: int | None = None, before: int | None = None,
) -> LedgerPage:
    """A page of the shopper's ledger, newest first: the one older than entry `after`, the
    one newer than entry `before`, or else page `number` (a cursor from someone else's
    ledger gives the first page). 2 queries, 3 with a cursor."""
    years, total = _year_totals(session, customer_id, ledger, zone)
    position = _position(session, customer_id, after if after is not None else before)
    older_first = position is not None and after is None
    statement = select(*_COLUMNS).where(*_selected(customer_id, ledger))
    if position is not None:
        statement = statement.where(_beyond(position, older=not older_first))
    statement = statement.order_by(*(ORDER if older_first else [c.desc() for c in ORDER]))
    if position is None:
        # Page numbers typed without a cursor (links carry cursors); past the end: the last.
        number = min(max(number, 1), max(1, -(-total // per_page)))
        statement = statement.offset((number - 1) * per_page)
    rows = list(session.execute(statement.limit(per_page + 1)))
    more = len(rows) > per_page
    entries = [_entry(row) for row in rows[:per_page]]
    if older_first:
        entries.reverse()
    has_newer = more if older_first else (position is not None or number > 1)
    has_older = True if older_first else more
    return LedgerPage(
        entries=entries, number=max(number, 1), per_page=per_page, total=total,
        year_totals=years, newer=entries[0].id if entries and has_newer else None,
        older=entries[-1].id if entries and has_older else None)


def ledger_entries(session: Session, *, customer_id: int, ledger: LedgerFilter,
                   limit: int = 100_000) -> list[LedgerEntry]:
    """Every entry in the range, newest first (for the export)."""
    statement = (select(*_COLUMNS).where(*_selected(customer_id, ledger))
                 .order_by(*[column.desc() for column in ORDER]).limit(limit))
    return [_entry(row) for row in session.execute(statement)]


def _year_totals(session: Session, customer_id: int, ledger: LedgerFilter,
                 zone: ZoneInfo) -> tuple[list[YearTotal], int]:
    """Paid and received per currency and local year over the chosen dates (all types), and
    how many entries the type filter keeps: one aggregate over the shopper's index range."""
    now_year = datetime.now(UTC).astimezone(zone).year
    # Years in the shopper's zone, as UTC boundaries: portable SQL, no per-database EXTRACT.
    # Newest first, so a recent entry is placed after a comparison or two.
    whens = [(Row.occurred_at >= datetime(year, 1, 1, tzinfo=zone), year)
             for year in range(now_year + 1, 1970, -1)]
    year = case(*whens, else_=1970)
    type_condition = _of_type(ledger.entry_type)
    kept = func.count() if type_condition is None else func.sum(
        case((type_condition, 1), else_=0))
    paid = func.sum(case((Row.amount_cents > 0, Row.amount_cents), else_=0))
    received = func.sum(case((Row.amount_cents < 0, -Row.amount_cents), else_=0))
    statement = (select(Row.currency, year.label("year"), paid, received, kept)
                 .where(Row.customer_id == customer_id, *_in_dates(ledger))
                 .group_by(Row.currency, year).order_by(Row.currency, year.desc()))
    totals, count = [], 0
    for currency, y, p, r, k in session.execute(statement):
        totals.append(YearTotal(currency=currency, year=int(y), paid_cents=int(p or 0),
                                received_cents=int(r or 0)))
        count += int(k or 0)
    return totals, count


def store_credit_balances(session: Session, *, customer_id: int) -> dict[str, int]:
    """The shopper's store-credit balance per currency where they have some: the figure
    stored with their latest entry in each currency (one query, no summing)."""
    currencies = (select(Row.currency).where(Row.customer_id == customer_id).distinct()
                  .subquery("currencies"))
    entry = aliased(Row)
    latest = (select(entry.store_credit_cents)
              .where(entry.customer_id == customer_id, entry.currency == currencies.c.currency)
              .order_by(entry.currency.desc(), entry.occurred_at.desc(), entry.id.desc())
              .limit(1).scalar_subquery())
    return {currency: int(cents) for currency, cents in
            session.execute(select(currencies.c.currency, latest)) if cents}
