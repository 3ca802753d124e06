"""`python -m bench` (`make bench`): load test of key pages, then the feature benchmarks.

1. A demo store of 10,000 customers / 200,000 orders (bench.database: cached after the
   first run), 2. gunicorn with 2 workers on a free loopback port against it, 3. a demo
   shopper signed in through the login form, 4. wrk from its own process on each page for
   a fixed time, 5. bench.billing_bench and bench.help_bench when present. Prints figures,
   asserts nothing about time, and stops everything it started.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench.database import BenchDatabase, prepare
from bench.load import LoadResult, drive
from bench.server import fetch, gunicorn, log_in
from portal.auth.models import Customer
from portal.config import PROJECT_ROOT
from portal.demo.people import DEMO_PASSWORD, SHOPPER_EMAILS
from portal.orders.models import Order, Shipment, TrackingEvent

FEATURE_BENCHES = ("billing_bench", "help_bench", "store_bench", "staff_bench")
# The store bench imports 100,000 orders; the others finish in minutes.
TIMEOUTS = {"store_bench": 4 * 3600, "staff_bench": 1800}


def shopper_pages(url: str, email: str) -> list[str]:
    """The pages to load, with a real order of the shopper and its most eventful parcel."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            events = (select(func.count()).where(TrackingEvent.shipment_id == Shipment.id)
                      .scalar_subquery())
            row = connection.execute(
                select(Order.number, Shipment.id)
                .join(Shipment, Shipment.order_id == Order.id)
                .join(Customer, Customer.id == Order.customer_id)
                .where(Customer.email == email)
                .order_by(events.desc(), Order.placed_at.desc()).limit(1)
            ).one()
    finally:
        engine.dispose()
    number, shipment_id = row
    return ["/healthz", "/orders", f"/orders/{number}",
            f"/orders/{number}/shipments/{shipment_id}", "/billing"]


def _warm(url: str, cookie: str) -> int:
    status = 0
    for _ in range(10):
        status = fetch(url, cookie=cookie)[0]
    return status


def _table(rows: list[tuple[str, int, LoadResult | None]]) -> str:
    baseline = next((r.requests_per_second for p, _s, r in rows if p == "/healthz" and r), None)
    lines = [f"{'page':<44} {'status':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
             f"{'x healthz':>9} {'errors':>6}"]
    for page, status, result in rows:
        shown = page if len(page) <= 44 else page[:41] + "..."
        if result is None:
            note = "not built yet" if status == 404 else "not measured"
            lines.append(f"{shown:<44} {status:>6}   ({note})")
            continue
        ratio = f"{result.requests_per_second / baseline:.3f}" if baseline else "-"
        lines.append(f"{shown:<44} {status:>6} {result.requests_per_second:>9.1f} "
                     f"{result.p50_ms:>8.2f} {result.p99_ms:>8.2f} {ratio:>9} "
                     f"{result.errors:>6}")
    return "\n".join(lines)


def load_test(database: BenchDatabase, options: argparse.Namespace) -> str:
    email = SHOPPER_EMAILS[0]
    pages = shopper_pages(database.url, email)
    rows: list[tuple[str, int, LoadResult | None]] = []
    with gunicorn(database.url, workers=options.workers) as base_url:
        cookie = log_in(base_url, email, DEMO_PASSWORD)
        print(f"Load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs before the "
              "load test (other work on the machine slows every page alike).", flush=True)
        print(f"Signed in as {email}; {options.seconds} s per page, {options.threads} threads, "
              f"{options.connections} connections, {options.workers} gunicorn workers.",
              flush=True)
        for page in pages:
            status = _warm(base_url + page, cookie)
            if status != 200:
                print(f"  {page}: answers {status}, not loaded", flush=True)
                rows.append((page, status, None))
                continue
            result = drive(base_url + page, cookie=cookie, seconds=options.seconds,
                           threads=options.threads, connections=options.connections)
            print(f"  {page}: {result.requests_per_second:.1f} req/s "
                  f"(p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, {result.tool})",
                  flush=True)
            rows.append((page, status, result))
    return _table(rows)


def feature_benches(database: BenchDatabase) -> list[tuple[str, str]]:
    """Runs each feature's benchmark module that exists, in its own process."""
    results = []
    env = {**os.environ, "PORTAL_BENCH_DATABASE_URL": database.url,
           "PORTAL_DATABASE_URL": database.url}
    for name in FEATURE_BENCHES:
        if not (Path(__file__).parent / f"{name}.py").exists():
            results.append((name, "(not present)"))
            continue
        print(f"\nRunning bench.{name} ...", flush=True)
        started = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=PROJECT_ROOT,
                                  env=env, capture_output=True, text=True,
                                  timeout=TIMEOUTS.get(name, 600))
            output = done.stdout.strip() or "(no output)"
            if done.returncode != 0:
                output += f"\n(exit status {done.returncode})\n{done.stderr.strip()[-2000:]}"
        except subprocess.TimeoutExpired:
            output = f"(stopped after {TIMEOUTS.get(name, 600)} s)"
        print(output, flush=True)
        results.append((name, f"{output}\n({time.perf_counter() - started:.0f} s)"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--seconds", type=int, default=10, help="load time per page")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-features", action="store_true",
                        help="only the load test, not billing_bench/help_bench")
    options = parser.parse_args()
    started = time.perf_counter()

    database = prepare(seed=options.seed, customers=options.customers, orders=options.orders)
    if database.seeded_now:
        seeding = f"seeded now in {database.seed_seconds:.0f} s: {database.seed_summary}"
    else:
        seeding = "reused (already seeded for this seed, size and code)"
    print(f"Benchmark store: {database.url}\n  {seeding}\n", flush=True)
    table = load_test(database, options)
    features = [] if options.skip_features else feature_benches(database)

    print("\n" + "=" * 30 + " make bench " + "=" * 30)
    print(f"Load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")
    print(f"Store: {options.customers:,} customers / {options.orders:,} orders; {seeding}")
    print(f"\nLoad ({options.seconds} s per page, {options.threads} threads, "
          f"{options.connections} connections, gunicorn {options.workers} workers, loopback):")
    print(table)
    for name, output in features:
        print(f"\nbench.{name}:\n{output}")
    print(f"\nTotal time {time.perf_counter() - started:.0f} s. Nothing is asserted about time.")


if __name__ == "__main__":
    main()
