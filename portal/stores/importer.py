"""Bulk import: a file of store events applied in batches, each event all-or-nothing.

A JSON Lines file holds one generic API event per line. A CSV file holds one order line per
row (columns in CSV_COLUMNS; money as decimals such as 12.50), consecutive rows with the same
order_id making one order. Each event runs in its own savepoint, so a rejected row leaves
nothing behind, and batches commit together for speed. Event ids are recorded with what
they changed, so running the same file again (after a crash, or after fixing rejected rows)
skips what is already in and carries on: the import is resumable.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.money import to_cents
from portal.stores import generic
from portal.stores.context import StoreContext
from portal.stores.lookup import BadRecord, StoreError
from portal.stores.service import record_event, seen

CSV_COLUMNS = (
    "order_id", "order_number", "placed_at", "currency", "customer_id", "email", "customer_name",
    "line_id", "sku", "product_name", "quantity", "unit_price", "discount", "tax",
    "tax_rate_percent", "shipping", "ship_name", "ship_line1", "ship_line2", "ship_city",
    "ship_region", "ship_postal_code", "ship_country", "total",
)


@dataclass(frozen=True)
class Rejected:
    line: int
    event_id: str | None
    field: str | None
    reason: str


@dataclass
class ImportReport:
    applied: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)


Row = tuple[int, Any]  # (line number in the file, the event or the BadRecord that replaced it)


def read_rows(path: Path) -> Iterator[Row]:
    """The events of a .jsonl or .csv file, each with its line number."""
    if path.suffix.lower() == ".csv":
        return _csv_events(path)
    return _jsonl_events(path)


def _jsonl_events(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except (ValueError, RecursionError):
                yield number, BadRecord("the line is not valid JSON", field="body")


def _csv_events(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in ("order_id", "order_number", "email", "line_id")
                   if name not in (reader.fieldnames or [])]
        if missing:
            yield 1, BadRecord(f"the header lacks {', '.join(missing)}", field=missing[0])
            return
        numbered = ((reader.line_num, row) for row in reader)
        for _, group in groupby(numbered, key=lambda item: item[1].get("order_id")):
            rows = list(group)
            try:
                yield rows[0][0], _order_event(rows)
            except BadRecord as error:
                yield rows[0][0], error


def _money(row: dict[str, str], name: str, currency: str) -> int:
    raw = (row.get(name) or "0").strip() or "0"
    try:
        return to_cents(Decimal(raw), currency)
    except InvalidOperation:
        raise BadRecord(f"{name} must be an amount such as 12.50", field=name) from None


def _basis_points(row: dict[str, str]) -> int:
    try:
        return int(Decimal((row.get("tax_rate_percent") or "0").strip() or "0") * 100)
    except InvalidOperation:
        raise BadRecord("tax_rate_percent must be a number such as 8.25",
                        field="tax_rate_percent") from None


def _order_event(rows: list[tuple[int, dict[str, str]]]) -> dict[str, Any]:
    first = rows[0][1]
    currency = (first.get("currency") or "").strip().upper()
    lines = [{
        "external_id": row.get("line_id"), "sku": row.get("sku") or None,
        "name": row.get("product_name"), "quantity": row.get("quantity"),
        "unit_price": _money(row, "unit_price", currency),
        "discount": _money(row, "discount", currency), "tax": _money(row, "tax", currency),
        "tax_rate_bp": _basis_points(row),
    } for _, row in rows]
    data = {
        "external_id": first.get("order_id"), "number": first.get("order_number"),
        "placed_at": first.get("placed_at"), "currency": currency,
        "customer": {"external_id": first.get("customer_id") or f"email:{first.get('email')}",
                     "email": first.get("email"), "name": first.get("customer_name") or None},
        "lines": lines, "shipping": _money(first, "shipping", currency),
        "shipping_address": {
            "name": first.get("ship_name"), "line1": first.get("ship_line1"),
            "line2": first.get("ship_line2") or None, "city": first.get("ship_city"),
            "region": first.get("ship_region") or None,
            "postal_code": first.get("ship_postal_code") or "",
            "country": first.get("ship_country")},
        "total": _money(first, "total", currency) if first.get("total") else None,
    }
    return {"id": f"csv-order:{first.get('order_id')}", "type": "order.upserted", "data": data}


def import_rows(session: Session, rows: Iterable[Row], *, context: StoreContext,
                batch_size: int = 500,
                progress: Callable[[int], None] = lambda line: None) -> ImportReport:
    """Applies each new event in its own savepoint, committing every `batch_size` events."""
    report = ImportReport()
    pending = 0
    for line, payload in rows:
        progress(line)
        event_id = payload.get("id") if isinstance(payload, dict) else None
        try:
            if isinstance(payload, BadRecord):
                raise payload
            envelope, event_type = generic.read_envelope(payload)
            if seen(session, source=generic.SOURCE, event_id=envelope.id):
                report.duplicates += 1
                continue
            with session.begin_nested():
                record_event(session, source=generic.SOURCE, event_id=envelope.id,
                             topic=envelope.type, shop_domain=None, payload=envelope.data,
                             handler=generic.handler_for(event_type), context=context)
        except StoreError as error:
            report.rejected.append(Rejected(line, event_id, error.field, error.message))
            continue
        except IntegrityError as error:
            report.rejected.append(Rejected(line, event_id, None,
                                            f"conflicts with a stored record: {error.orig}"))
            continue
        report.applied += 1
        pending += 1
        if pending >= batch_size:
            session.commit()
            pending = 0
    session.commit()
    return report


def write_rejections(report: ImportReport, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("line", "event_id", "field", "reason"))
        for row in report.rejected:
            writer.writerow((row.line, row.event_id or "", row.field or "", row.reason))
