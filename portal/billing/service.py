"""Reading billing for one shopper: documents with their status, methods on file, the ledger."""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.billing.ledger import (
    EntryType,
    LedgerEntry,
    LedgerFilter,
    LedgerPage,
    ledger_entries,
    ledger_page,
    store_credit_balances,
)
from portal.billing.models import (
    Invoice,
    InvoiceKind,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from portal.domain import DomainError, NotFound


class BadRange(DomainError):
    """A date range the ledger cannot show."""


class DocumentStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CREDIT_NOTE = "credit_note"


@dataclass(frozen=True)
class TaxRate:
    rate_bp: int
    net_cents: int
    tax_cents: int

    @property
    def percent(self) -> str:
        return f"{self.rate_bp / 100:g}%"


@dataclass(frozen=True)
class DocumentView:
    """An invoice or credit note with everything its page and PDF show, computed once."""

    document: Invoice
    status: DocumentStatus
    tax_rates: list[TaxRate]
    payments: list[Payment]
    refunds: list[Refund]
    credited_cents: int

    @property
    def is_credit_note(self) -> bool:
        return self.document.kind is InvoiceKind.CREDIT_NOTE

    @property
    def title(self) -> str:
        return "Credit note" if self.is_credit_note else "Invoice"


def get_document(session: Session, *, customer_id: int, number: str) -> DocumentView:
    """The shopper's own invoice or credit note (anyone else's is NotFound): 4 queries."""
    document = session.scalar(
        select(Invoice).where(Invoice.customer_id == customer_id, Invoice.number == number)
        .options(selectinload(Invoice.lines), joinedload(Invoice.order),
                 joinedload(Invoice.credited_invoice), selectinload(Invoice.credit_notes))
    )
    if document is None:
        raise NotFound("No such invoice.")
    payments = list(session.scalars(
        select(Payment).where(Payment.order_id == document.order_id,
                              Payment.customer_id == customer_id).order_by(Payment.id)))
    refund_filter = (Refund.credit_note_id == document.id if document.kind is
                     InvoiceKind.CREDIT_NOTE else Refund.order_id == document.order_id)
    refunds = list(session.scalars(
        select(Refund).where(refund_filter, Refund.customer_id == customer_id,
                             Refund.status != RefundStatus.FAILED)
        .options(joinedload(Refund.payment)).order_by(Refund.id)))
    credited = sum(note.total_cents for note in document.credit_notes)
    return DocumentView(document=document, status=_status(document, payments, credited),
                        tax_rates=tax_rates(document), payments=payments, refunds=refunds,
                        credited_cents=credited)


def _status(document: Invoice, payments: list[Payment], credited: int) -> DocumentStatus:
    if document.kind is InvoiceKind.CREDIT_NOTE:
        return DocumentStatus.CREDIT_NOTE
    if credited and credited >= document.total_cents:
        return DocumentStatus.REFUNDED
    if credited:
        return DocumentStatus.PARTIALLY_REFUNDED
    paid = sum(p.amount_cents for p in payments if p.status is PaymentStatus.CAPTURED)
    return DocumentStatus.PAID if paid >= document.total_cents else DocumentStatus.UNPAID


def tax_rates(document: Invoice) -> list[TaxRate]:
    """Tax broken down by rate: the taxed net and the tax of the lines at each rate."""
    nets: dict[int, int] = defaultdict(int)
    taxes: dict[int, int] = defaultdict(int)
    for line in document.lines:
        if line.tax_rate_bp or line.tax_cents:
            nets[line.tax_rate_bp] += line.net_cents
            taxes[line.tax_rate_bp] += line.tax_cents
    return [TaxRate(rate, nets[rate], taxes[rate]) for rate in sorted(nets)]


@dataclass(frozen=True)
class MethodOnFile:
    """A method on file as the billing page shows it."""

    label: str
    expires: str | None  # "MM/YYYY"
    is_expired: bool
    is_default: bool  # only while it can still be charged: an expired card is no default


def list_payment_methods(session: Session, *, customer_id: int,
                         today: date) -> list[MethodOnFile]:
    """The shopper's methods on file: the usable default first, expired ones last."""
    methods = session.scalars(select(PaymentMethod)
                              .where(PaymentMethod.customer_id == customer_id)
                              .order_by(PaymentMethod.id))
    shown = []
    for method in methods:
        expired = is_expired(method, today=today)
        expires = (f"{method.exp_month:02d}/{method.exp_year}"
                   if method.exp_month and method.exp_year else None)
        shown.append(MethodOnFile(label=mask_method(method), expires=expires,
                                  is_expired=expired, is_default=method.is_default and not expired))
    return sorted(shown, key=lambda method: (not method.is_default, method.is_expired))


CARD_BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express",
               "discover": "Discover"}


def mask_method(method: PaymentMethod | Payment) -> str:
    """'Visa •••• 4242' or 'PayPal (j•••@example.com)': never more than the last four."""
    if method.kind is PaymentKind.PAYPAL:
        email = getattr(method, "email", None)
        if email and "@" in email:
            name, domain = email.split("@", 1)
            return f"PayPal ({name[:1]}•••@{domain})"
        return "PayPal"
    if method.kind is PaymentKind.CARD:
        brand = CARD_BRANDS.get((method.brand or "").lower(), method.brand or "Card")
        return f"{brand} •••• {method.last4}" if method.last4 else brand
    return method.kind.value.replace("_", " ").capitalize()


def is_expired(method: PaymentMethod, *, today: date) -> bool:
    if not (method.exp_month and method.exp_year):
        return False
    return (method.exp_year, method.exp_month) < (today.year, today.month)


def ledger_filter(*, start: date | None, end: date | None, entry_type: str | None,
                  zone: ZoneInfo, today: date) -> LedgerFilter:
    """Local calendar dates (both inclusive) to UTC bounds; a range that ends before it
    starts, or starts in the future, is refused."""
    if start and end and end < start:
        raise BadRange("The end date is before the start date.", field="end")
    if start and start > today:
        raise BadRange("The start date is in the future.", field="start")
    if start and start.year < 1970:
        raise BadRange("Choose a start date after 1970.", field="start")
    if end and end.year > 2999:
        raise BadRange("Choose an end date before the year 3000.", field="end")
    kind = EntryType(entry_type) if entry_type in set(EntryType) else None
    return LedgerFilter(
        start=_local_midnight(start, zone) if start else None,
        end=_local_midnight(end + timedelta(days=1), zone) if end else None,
        entry_type=kind,
    )


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def billing_history(session: Session, *, customer_id: int, ledger: LedgerFilter, page: int,
                    per_page: int, zone: ZoneInfo, after: int | None = None,
                    before: int | None = None) -> LedgerPage:
    """The ledger page a shopper asked for (scoped to them in SQL)."""
    return ledger_page(session, customer_id=customer_id, ledger=ledger, number=page,
                       per_page=per_page, zone=zone, after=after, before=before)


def store_credit(session: Session, *, customer_id: int) -> dict[str, int]:
    """The shopper's store-credit balance per currency (the help center sends them here)."""
    return store_credit_balances(session, customer_id=customer_id)


def export_entries(session: Session, *, customer_id: int,
                   ledger: LedgerFilter) -> list[LedgerEntry]:
    """Every ledger entry in the chosen range, for the CSV export."""
    return ledger_entries(session, customer_id=customer_id, ledger=ledger)


def describe_entry(entry: LedgerEntry) -> str:
    """What a ledger line was, in words, with the method masked."""
    if entry.source == "payment":
        return f"Payment by {_mask(entry.method, entry.brand, entry.last4)}"
    if entry.source == "refund":
        text = f"Refund to {_mask(entry.method, entry.brand, entry.last4)}"
        return f"{text}: {entry.description}" if entry.description else text
    return entry.description or humanize_kind(entry.method)


def _mask(method: str | None, brand: str | None, last4: str | None) -> str:
    if method == PaymentKind.PAYPAL:
        return "PayPal"
    if method == PaymentKind.CARD:
        return f"{brand or 'card'} •••• {last4}" if last4 else (brand or "card")
    return humanize_kind(method)


def humanize_kind(value: str | None) -> str:
    return (value or "").replace("_", " ")


def safe_filename(name: str) -> str:
    """Only letters, digits, dot, dash and underscore: nothing a header or a disk chokes on."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80] or "document"


@dataclass(frozen=True)
class OrderMoney:
    """What an order was charged, refunded and documented, as its page shows it."""

    payments: list[Payment]
    refunds: list[Refund]
    invoices: list[Invoice]

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments if p.status is PaymentStatus.CAPTURED)

    @property
    def refunded_cents(self) -> int:
        return sum(r.amount_cents for r in self.refunds if r.status is not RefundStatus.FAILED)

    @property
    def refundable_cents(self) -> int:
        return max(0, self.paid_cents - self.refunded_cents)


def order_money(session: Session, *, customer_id: int, order_id: int) -> OrderMoney:
    """The order's payments, refunds and documents, oldest first (three queries)."""
    def rows(model: type[Payment] | type[Refund]) -> list:  # type: ignore[type-arg]
        return list(session.scalars(
            select(model).where(model.order_id == order_id, model.customer_id == customer_id)
            .order_by(model.created_at)))

    invoices = session.scalars(
        select(Invoice).where(Invoice.order_id == order_id, Invoice.customer_id == customer_id)
        .order_by(Invoice.issued_at))
    return OrderMoney(payments=rows(Payment), refunds=rows(Refund), invoices=list(invoices))


def invoice_numbers(session: Session, *, customer_id: int, order_ids: list[int]) -> dict[int, str]:
    """The invoice number of each order (credit notes excluded), for order lists."""
    rows = session.execute(
        select(Invoice.order_id, Invoice.number)
        .where(Invoice.customer_id == customer_id, Invoice.order_id.in_(order_ids),
               Invoice.kind == InvoiceKind.INVOICE)
        .order_by(Invoice.issued_at.desc())
    )
    return {row.order_id: row.number for row in rows}
