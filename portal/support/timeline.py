"""The shopper beside a request: one timeline of orders, parcels, invoices, refunds, returns,
earlier requests with their ratings, and the help searches and articles they read in the
days before they wrote. Each source is bounded, so the panel costs the same few queries for a
shopper with ten orders or ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.billing.models import Invoice, InvoiceKind, Refund
from portal.formatting import humanize
from portal.help_sessions.models import HelpEventKind, HelpSession, HelpSessionEvent
from portal.orders.carriers import carrier_name
from portal.orders.models import Order
from portal.returns.models import ReturnRequest
from portal.support.models import SatisfactionRating, SupportRequest

PER_SOURCE = 10
HELP_DAYS_BEFORE = 3


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # order, parcel, invoice, credit note, refund, return, request, search, article
    text: str
    endpoint: str | None = None  # a staff page to link to, built by the template
    args: dict[str, str] = field(default_factory=dict)
    amount: tuple[int, str] | None = None  # (cents, currency)


def shopper_timeline(session: Session, *, support_request: SupportRequest,
                     limit: int = PER_SOURCE) -> list[Entry]:
    """Newest first. Help activity is the shopper's searches and article views in the
    HELP_DAYS_BEFORE days before this request was opened."""
    customer_id = support_request.customer_id
    entries: list[Entry] = []
    orders = session.scalars(
        select(Order).where(Order.customer_id == customer_id)
        .options(selectinload(Order.shipments))
        .order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit)).all()
    for order in orders:
        entries.append(Entry(order.placed_at, "order",
                             f"Order {order.number} · {humanize(order.status.value)}",
                             "staff.order_detail", {"order_number": order.number},
                             (order.total_cents, order.currency)))
        for parcel in order.shipments:
            entries.append(Entry(
                parcel.shipped_at or order.placed_at, "parcel",
                f"{carrier_name(parcel.carrier)} {parcel.tracking_number} for {order.number}: "
                f"{humanize(parcel.status.value)}",
                "staff.order_detail", {"order_number": order.number}))
    documents = session.execute(
        select(Invoice, Order.number).join(Order, Order.id == Invoice.order_id)
        .where(Invoice.customer_id == customer_id)
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc()).limit(limit)).all()
    for document, number in documents:
        kind = "credit note" if document.kind == InvoiceKind.CREDIT_NOTE else "invoice"
        entries.append(Entry(document.issued_at, kind,
                             f"{humanize(kind)} {document.number} for {number}",
                             "staff.order_detail", {"order_number": number},
                             (document.total_cents, document.currency)))
    refunds = session.execute(
        select(Refund, Order.number).join(Order, Order.id == Refund.order_id)
        .where(Refund.customer_id == customer_id)
        .order_by(Refund.created_at.desc(), Refund.id.desc()).limit(limit)).all()
    for refund, number in refunds:
        entries.append(Entry(refund.created_at, "refund",
                             f"Refund for {number} · {humanize(refund.status.value)}",
                             "staff.order_detail", {"order_number": number},
                             (refund.amount_cents, refund.currency)))
    returns = session.execute(
        select(ReturnRequest, Order.number).join(Order, Order.id == ReturnRequest.order_id)
        .where(ReturnRequest.customer_id == customer_id)
        .order_by(ReturnRequest.created_at.desc(), ReturnRequest.id.desc()).limit(limit)).all()
    for ret, number in returns:
        entries.append(Entry(ret.created_at, "return",
                             f"Return {ret.rma_number} for {number} · "
                             f"{humanize(ret.status.value)}",
                             "staff.return_detail", {"rma_number": ret.rma_number}))
    earlier = session.execute(
        select(SupportRequest, SatisfactionRating.score, SatisfactionRating.comment)
        .outerjoin(SatisfactionRating, SatisfactionRating.request_id == SupportRequest.id)
        .where(SupportRequest.customer_id == customer_id,
               SupportRequest.id != support_request.id)
        .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc()).limit(limit)).all()
    for other, score, comment in earlier:
        rated = f" · rated {score}/5" + (f": “{comment}”" if comment else "") if score else ""
        entries.append(Entry(other.created_at, "request",
                             f"Request {other.number}: {other.subject} · "
                             f"{humanize(other.status.value)}{rated}",
                             "staff.request_detail", {"number": other.number}))
    entries += _help_activity(session, support_request, limit=limit)
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def _help_activity(session: Session, support_request: SupportRequest, *,
                   limit: int) -> list[Entry]:
    opened = support_request.created_at
    events = session.scalars(
        select(HelpSessionEvent).join(HelpSession)
        .where(HelpSession.customer_id == support_request.customer_id,
               HelpSessionEvent.kind.in_([HelpEventKind.SEARCH, HelpEventKind.ARTICLE_VIEW]),
               HelpSessionEvent.created_at >= opened - timedelta(days=HELP_DAYS_BEFORE),
               HelpSessionEvent.created_at <= opened)
        .order_by(HelpSessionEvent.created_at.desc(), HelpSessionEvent.id.desc())
        .limit(limit * 2)).all()
    return [
        Entry(event.created_at, "search", f"Searched help for “{event.query}”")
        if event.kind == HelpEventKind.SEARCH else
        Entry(event.created_at, "article", f"Read the article “{event.slug}”",
              "help.article", {"slug": event.slug or ""})
        for event in events
    ]
