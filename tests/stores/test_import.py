"""`flask store import`: a file of events or a CSV of order lines, resumable, all-or-nothing."""

from __future__ import annotations

import csv
import json

from sqlalchemy import func, select

from portal.orders.models import Order, OrderLine
from portal.stores.importer import CSV_COLUMNS
from portal.stores.models import StoreEvent
from tests.stores.store_events import event, order_data


def count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def run(app, path):
    return app.test_cli_runner().invoke(args=["store", "import", str(path)])


def write_jsonl(path, events):
    path.write_text("".join(json.dumps(item) + "\n" for item in events))


def orders(n, **changes):
    return [event(f"imp-{i}", "order.upserted", order_data(
        external_id=f"o-{i}", number=f"IMP-{i}", **changes)) for i in range(n)]


def test_a_jsonl_file_is_imported_and_a_second_run_changes_nothing(app, session, tmp_path,
                                                                    outbox):
    path = tmp_path / "orders.jsonl"
    write_jsonl(path, orders(7))
    result = run(app, path)
    assert result.exit_code == 0, result.output
    assert "7 applied, 0 already in, 0 rejected" in result.output
    again = run(app, path)
    assert "0 applied, 7 already in, 0 rejected" in again.output
    assert count(session, Order) == 7
    assert outbox() == []  # past orders are not announced to shoppers


def test_rejected_rows_are_reported_with_the_reason_and_leave_nothing(app, session, tmp_path):
    rows = orders(3)
    rows[1]["data"]["lines"][0]["quantity"] = 0
    path = tmp_path / "orders.jsonl"
    write_jsonl(path, rows)
    with path.open("a") as handle:
        handle.write("{broken\n")
    result = run(app, path)
    assert result.exit_code == 1
    assert "2 applied, 0 already in, 2 rejected" in result.output
    with (tmp_path / "orders.jsonl.rejected.csv").open() as handle:
        report = list(csv.DictReader(handle))
    assert [(r["line"], r["event_id"], r["field"]) for r in report] == [
        ("2", "imp-1", "data.lines.0.quantity"), ("4", "", "body")]
    assert count(session, Order) == 2
    assert count(session, OrderLine) == 2  # nothing of the rejected order was written
    assert count(session, StoreEvent) == 2


def test_an_interrupted_import_resumes(app, session, tmp_path):
    path = tmp_path / "orders.jsonl"
    write_jsonl(path, orders(4)[:2])
    run(app, path)
    write_jsonl(path, orders(4))
    result = run(app, path)
    assert "2 applied, 2 already in, 0 rejected" in result.output
    assert count(session, Order) == 4


def test_a_csv_of_order_lines_makes_orders(app, session, tmp_path):
    path = tmp_path / "orders.csv"
    base = {"order_id": "A1", "order_number": "A-1", "placed_at": "2026-10-01T10:00:00+02:00",
            "currency": "EUR", "customer_id": "c1", "email": "sam@example.org",
            "customer_name": "Sam Ray", "shipping": "4.95", "ship_name": "Sam Ray",
            "ship_line1": "Main 1", "ship_city": "Vienna", "ship_postal_code": "1010",
            "ship_country": "AT", "total": "40.95", "tax_rate_percent": "20"}
    rows = [
        {**base, "line_id": "1", "sku": "CAP", "product_name": "Cap", "quantity": "1",
         "unit_price": "20.00", "discount": "0", "tax": "4.00"},
        {**base, "line_id": "2", "sku": "PIN", "product_name": "Pin", "quantity": "2",
         "unit_price": "6.00", "discount": "0", "tax": "2.40", "tax_rate_percent": "20"},
        {**base, "order_id": "A2", "order_number": "A-2", "line_id": "1", "sku": "CAP",
         "product_name": "Cap", "quantity": "one", "unit_price": "20.00", "tax": "4.00"},
    ]
    rows[1]["tax"], rows[1]["unit_price"] = "2.00", "5.00"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    result = run(app, path)
    assert "1 applied, 0 already in, 1 rejected" in result.output, result.output
    order = session.scalars(select(Order)).one()
    assert (order.number, order.total_cents, order.tax_cents) == ("A-1", 4095, 600)
