"""Store connector throughput: `python -m bench.store_bench`.

1. Shopify webhooks: signed orders/create bodies (two lines, tax, a discount, shipping)
   posted one after another through the app (Flask's test client, no network), each a new
   order; events applied per second and the p50/p99 time per webhook.
2. Bulk import: a JSON Lines file of order.upserted events loaded by
   `flask --app wsgi store import` in its own process; orders per second and that process's
   peak memory (max RSS).

Both run against a fresh SQLite database of their own in a temporary folder (the bench
store is not touched). Sizes: PORTAL_STORE_BENCH_WEBHOOKS (default 2,000) and
PORTAL_STORE_BENCH_ORDERS (default 100,000). Prints figures; asserts nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import portal.models  # noqa: F401  (the whole schema on the metadata)
from portal import create_app
from portal.config import PROJECT_ROOT
from portal.db import Base, make_engine

SECRET = secrets.token_hex(16)


def shopify_order(n: int) -> dict[str, Any]:
    """A Shopify Order body: 2 x 19.99 less 4.00, 1 x 5.50, 8% tax, 4.95 shipping."""
    return {
        "id": 10_000_000 + n, "name": f"#{5000 + n}", "email": f"buyer{n % 5000}@example.com",
        "created_at": "2026-11-28T10:15:00-05:00", "currency": "USD", "taxes_included": False,
        "total_price": "49.75", "financial_status": "paid",
        "customer": {"id": 900_000 + n % 5000, "email": f"buyer{n % 5000}@example.com",
                     "first_name": "Bench", "last_name": f"Buyer {n % 5000}"},
        "shipping_address": {"name": "Bench Buyer", "address1": "1 Load Street",
                             "city": "Portland", "zip": "97201", "country_code": "US"},
        "line_items": [
            {"id": 2 * n, "sku": f"BENCH-{n % 300}", "name": "Bench tee", "quantity": 2,
             "price": "19.99", "discount_allocations": [{"amount": "4.00"}],
             "tax_lines": [{"price": "2.88", "rate": 0.08}]},
            {"id": 2 * n + 1, "sku": "BENCH-MUG", "name": "Bench mug", "quantity": 1,
             "price": "5.50", "tax_lines": [{"price": "0.44", "rate": 0.08}]},
        ],
        "shipping_lines": [{"price": "4.95", "tax_lines": []}],
    }


def store_order_event(n: int) -> dict[str, Any]:
    return {"id": f"bench-{n}", "type": "order.upserted", "data": {
        "external_id": f"bench-order-{n}", "number": f"B{n:07d}",
        "placed_at": "2026-06-01T12:00:00Z", "currency": "EUR",
        "customer": {"external_id": f"bench-customer-{n % 20_000}",
                     "email": f"import{n % 20_000}@example.com", "name": "Import Buyer"},
        "lines": [
            {"external_id": f"{n}-1", "sku": f"IMP-{n % 500}", "name": "Wool socks",
             "quantity": 3, "unit_price": 1200, "discount": 300, "tax": 627,
             "tax_rate_bp": 1900},
            {"external_id": f"{n}-2", "sku": "IMP-BAG", "name": "Tote bag", "quantity": 1,
             "unit_price": 900, "tax": 171, "tax_rate_bp": 1900},
        ],
        "shipping": 490, "total": 5488,
        "shipping_address": {"name": "Import Buyer", "line1": "Hauptstr. 1",
                             "city": "Berlin", "postal_code": "10115", "country": "DE"}}}


def _fresh_database(folder: Path, name: str) -> str:
    url = f"sqlite:///{folder / name}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def webhooks(folder: Path, count: int) -> str:
    app = create_app({"DATABASE_URL": _fresh_database(folder, "webhooks.db"),
                      "SHOPIFY_WEBHOOK_SECRET": SECRET, "OUTBOX_DIR": str(folder / "outbox"),
                      "INSTANCE_PATH": folder, "MAIL_DELIVER_AFTER_REQUEST": False})
    client = app.test_client()
    bodies = [json.dumps(shopify_order(n)).encode() for n in range(count)]
    timings, failures = [], 0
    started = time.perf_counter()
    for n, body in enumerate(bodies):
        signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest())
        begin = time.perf_counter()
        response = client.post("/api/shopify/webhooks", data=body, headers={
            "Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": signature.decode(), "X-Shopify-Webhook-Id": f"wh-{n}"})
        timings.append((time.perf_counter() - begin) * 1000)
        failures += response.status_code != 200
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(timings, n=100)
    return (f"Shopify webhooks (orders/create, new order each): {count:,} in {elapsed:.1f} s = "
            f"{count / elapsed:.1f} events/s applied; p50 {statistics.median(timings):.1f} ms, "
            f"p99 {quantiles[98]:.1f} ms; {failures} not 200")


def bulk_import(folder: Path, count: int) -> str:
    source = folder / "orders.jsonl"
    with source.open("w") as handle:
        for n in range(count):
            handle.write(json.dumps(store_order_event(n)) + "\n")
    env = {**os.environ, "PORTAL_DATABASE_URL": _fresh_database(folder, "import.db"),
           "PORTAL_OUTBOX_DIR": str(folder / "outbox")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "store", "import",
                           str(source), "--batch-size", "1000"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    applied = re.search(r"^(\d+) applied", done.stdout, re.MULTILINE)
    if done.returncode != 0 or applied is None:
        return (f"Bulk import did not finish (exit status {done.returncode}) after "
                f"{elapsed:.1f} s: {done.stderr.strip()[-300:]}")
    orders = int(applied.group(1))
    return (f"Bulk import (.jsonl, 2 lines per order): {orders:,} of {count:,} orders applied "
            f"in {elapsed:.1f} s = {orders / elapsed:.1f} orders/s; peak memory "
            f"{peak_mb:.0f} MB (max RSS of the import process)")


def main() -> None:
    webhook_count = int(os.environ.get("PORTAL_STORE_BENCH_WEBHOOKS", "2000"))
    order_count = int(os.environ.get("PORTAL_STORE_BENCH_ORDERS", "100000"))
    with tempfile.TemporaryDirectory(prefix="store-bench-") as folder:
        print(webhooks(Path(folder), webhook_count), flush=True)
        print(bulk_import(Path(folder), order_count), flush=True)


if __name__ == "__main__":
    main()
