"""What "download my data" puts in the archive: every table row about the shopper, as JSON
and as CSV, and each invoice and credit note as the PDF the billing pages give.

Rows are read with plain column values (no object graph), so the archive shows what is
stored, named as stored. Staff's internal notes on requests are the store's working notes
and stay out; everything the shopper and staff wrote to each other is in.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import Session

from portal.auth.models import Address, Customer
from portal.billing.models import Invoice, InvoiceLine, Payment, Refund
from portal.billing.pdf import render_document_pdf
from portal.billing.service import get_document, safe_filename
from portal.formatting import humanize, local_date, money
from portal.orders.models import Order, OrderLine, Shipment
from portal.returns.models import ReturnLine, ReturnRequest
from portal.store import StorePolicy
from portal.support.models import Message, SupportRequest

_PROFILE_COLUMNS = ("email", "name", "time_zone", "locale", "company_name", "tax_id",
                    "created_at", "password_changed_at", "last_login_at")


def _sections(customer_id: int) -> list[tuple[str, Select[Any]]]:
    """(file name, query) for each table, every one scoped to this shopper in SQL."""
    orders = select(Order.id).where(Order.customer_id == customer_id)
    returns = select(ReturnRequest.id).where(ReturnRequest.customer_id == customer_id)
    requests = select(SupportRequest.id).where(SupportRequest.customer_id == customer_id)
    invoices = select(Invoice.id).where(Invoice.customer_id == customer_id)
    return [
        ("addresses", select(Address).where(Address.customer_id == customer_id)),
        ("orders", select(Order).where(Order.customer_id == customer_id)),
        ("order_lines", select(OrderLine).where(OrderLine.order_id.in_(orders))),
        ("shipments", select(Shipment).where(Shipment.order_id.in_(orders))),
        ("invoices", select(Invoice).where(Invoice.customer_id == customer_id)),
        ("invoice_lines", select(InvoiceLine).where(InvoiceLine.invoice_id.in_(invoices))),
        ("payments", select(Payment).where(Payment.customer_id == customer_id)),
        ("refunds", select(Refund).where(Refund.customer_id == customer_id)),
        ("returns", select(ReturnRequest).where(ReturnRequest.customer_id == customer_id)),
        ("return_lines", select(ReturnLine).where(ReturnLine.return_request_id.in_(returns))),
        ("requests", select(SupportRequest).where(SupportRequest.customer_id == customer_id)),
        ("messages", select(Message).where(Message.request_id.in_(requests),
                                           Message.is_internal.is_(False))),
    ]


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _row(record: object) -> dict[str, object]:
    columns = inspect(record).mapper.column_attrs
    return {column.key: _plain(getattr(record, column.key)) for column in columns}


def _csv(rows: list[dict[str, object]]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({key: json.dumps(value) if isinstance(value, dict | list) else value
                         for key, value in row.items()})
    return out.getvalue()


def write_archive(
    session: Session, *, customer_id: int, policy: StorePolicy,
    progress: Callable[[int], None],
) -> bytes:
    """The zip archive's bytes; `progress(percent)` is called as parts are done."""
    customer = session.get(Customer, customer_id)
    assert customer is not None
    buffer = io.BytesIO()
    data: dict[str, object] = {"profile": {name: _plain(getattr(customer, name))
                                           for name in _PROFILE_COLUMNS}}
    sections = _sections(customer_id)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, query) in enumerate(sections, start=1):
            rows = [_row(record) for record in session.scalars(query)]
            data[name] = rows
            archive.writestr(f"csv/{name}.csv", _csv(rows))
            progress(40 * index // len(sections))
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        numbers = [row["number"] for row in data["invoices"]]  # type: ignore[union-attr]
        for index, (number, pdf) in enumerate(_documents(session, customer_id, numbers,
                                                          policy), start=1):
            archive.writestr(f"invoices/{safe_filename(number)}.pdf", pdf)
            progress(40 + 55 * index // max(len(numbers), 1))
        archive.writestr("README.txt", _readme(data))
    return buffer.getvalue()


def _documents(
    session: Session, customer_id: int, numbers: Iterable[object], policy: StorePolicy
) -> Iterable[tuple[str, bytes]]:
    for number in numbers:
        view = get_document(session, customer_id=customer_id, number=str(number))
        pdf = render_document_pdf(
            view, policy=policy, issued_on=local_date(view.document.issued_at, "long"),
            status_label=humanize(view.status.value),
            money=lambda cents, currency=view.document.currency: money(cents, currency))
        yield str(number), pdf


def _readme(data: dict[str, object]) -> str:
    counts = "\n".join(f"  {name}: {len(rows)}" for name, rows in data.items()
                       if isinstance(rows, list))
    return (
        "Your data, as the portal keeps it.\n\n"
        "data.json  everything below in one file\n"
        "csv/       one spreadsheet per kind of record\n"
        "invoices/  each invoice and credit note as PDF\n\n"
        f"Records:\n{counts}\n\n"
        "Times are in UTC. Amounts ending in _cents are in the smallest unit of the currency.\n"
    )
