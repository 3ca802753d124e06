"""`python -m bench` (`make bench`): the page load test, then the feature benchmarks.

1. A demo store of 10,000 customers / 200,000 orders (bench.database: cached after the
   first run), on SQLite and, when a server answers, on PostgreSQL (--postgresql URL).
2. For each database: gunicorn with 2 workers on a free loopback port, a pool of 100+
   shoppers and the staff signed in through the login form, and each page loaded by wrk
   right after /healthz, cycling through the pool (bench.pages); then the CPU per request
   for shoppers of about 10, 100 and 1,000 orders.
3. bench.billing_bench and bench.help_bench when present. Prints figures, asserts nothing
   about time, and stops everything it started.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.database import BenchDatabase, prepare
from bench.pages import Visitor, choose_visitors, cpu_by_history, cpu_table, load_pages, sign_in
from bench.pages import table as page_table
from bench.server import gunicorn
from portal.config import PROJECT_ROOT

FEATURE_BENCHES = ("billing_bench", "help_bench", "store_bench", "staff_bench")
# The store bench imports 100,000 orders; the others finish in minutes.
TIMEOUTS = {"store_bench": 4 * 3600, "staff_bench": 1800}
POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench"
# Signing in 100+ bench shoppers from one address is not an attack: the limit is lifted
# for the benchmark's own server only.
SERVER_ENV = {"PORTAL_LOGIN_RATE_LIMIT": "100000 per minute"}


def _say(text: str) -> None:
    print(text, flush=True)


def load_test(name: str, database: BenchDatabase, options: argparse.Namespace) -> str:
    shoppers, staff_emails = choose_visitors(database.url, pool=options.pool)
    with gunicorn(database.url, workers=options.workers, env=SERVER_ENV) as server:
        _say(f"{name}: signing in {len(shoppers)} shoppers (histories up to "
             f"{max(v.orders for v in shoppers):,} orders) and {len(staff_emails)} staff...")
        shoppers = sign_in(server, shoppers)
        staff = sign_in(server, [Visitor(email, 0, None, None) for email in staff_emails])
        _say(f"{name}: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
             f"{options.seconds} s per page and per /healthz run, {options.threads} threads, "
             f"{options.connections} connections, {options.workers} gunicorn workers.")
        figures = load_pages(server, shoppers, staff, seconds=options.seconds,
                             threads=options.threads, connections=options.connections,
                             report=_say)
        cpu = cpu_by_history(server, shoppers, requests=options.cpu_requests)
    return f"{name}:\n{page_table(figures)}\n{cpu_table(cpu)}"


def _answers(url: str) -> bool:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or 5432), 2):
            return True
    except OSError:
        return False


def _ensure_database(url: str) -> None:
    """Creates the PostgreSQL benchmark database when the server lacks it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": parsed.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        engine.dispose()


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
    parser.add_argument("--seconds", type=int, default=10, help="load time per run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", type=int, default=100, help="shoppers signed in at once")
    parser.add_argument("--cpu-requests", type=int, default=150,
                        help="requests per page and history size for the CPU figures")
    parser.add_argument("--postgresql", default=os.environ.get("PORTAL_BENCH_POSTGRESQL_URL",
                                                                POSTGRESQL_URL),
                        help="PostgreSQL URL for the second run ('' to skip it)")
    parser.add_argument("--skip-features", action="store_true",
                        help="only the load test, not billing_bench/help_bench")
    options = parser.parse_args()
    started = time.perf_counter()

    runs: list[tuple[str, BenchDatabase]] = []
    sqlite = prepare(seed=options.seed, customers=options.customers, orders=options.orders)
    runs.append(("PostgreSQL" if sqlite.url.startswith("postgresql") else "SQLite", sqlite))
    if options.postgresql and _answers(options.postgresql):
        _ensure_database(options.postgresql)
        runs.append(("PostgreSQL", prepare(seed=options.seed, customers=options.customers,
                                           orders=options.orders, url=options.postgresql)))
    elif options.postgresql:
        _say(f"PostgreSQL: nothing answers at {options.postgresql}; SQLite only.")
    seeding = []
    for name, database in runs:
        how = (f"seeded now in {database.seed_seconds:.0f} s: {database.seed_summary}"
               if database.seeded_now else "reused (seeded before for this seed and size)")
        seeding.append(f"  {name}: {database.url} ({how})")
        _say(seeding[-1])
    tables = [load_test(name, database, options) for name, database in runs]
    features = [] if options.skip_features else feature_benches(sqlite)

    _say("\n" + "=" * 30 + " make bench " + "=" * 30)
    _say(f"Load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")
    _say(f"Store: {options.customers:,} customers / {options.orders:,} orders")
    _say("\n".join(seeding))
    _say(f"\nEach page right after /healthz, {options.seconds} s each, {options.threads} wrk "
         f"threads, {options.connections} connections, {options.pool}+ signed-in shoppers, "
         f"gunicorn {options.workers} sync workers, loopback. ratio = page req/s / the "
         "/healthz req/s just before; 'to 0.5' = how much of the 0.5 aim is reached.")
    for text in tables:
        _say("\n" + text)
    for name, output in features:
        _say(f"\nbench.{name}:\n{output}")
    _say(f"\nTotal time {time.perf_counter() - started:.0f} s. Nothing is asserted about time.")


if __name__ == "__main__":
    main()
