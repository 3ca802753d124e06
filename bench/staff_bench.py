"""The staff queue and metrics page under load: `python -m bench.staff_bench`.

Runs on the bench store (PORTAL_BENCH_DATABASE_URL, set by `python -m bench`): first tops its
support requests up to 50,000 with the demo generator (requests about real orders of real
shoppers, with conversations, SLA due times, ratings and help sessions), then serves the
store with gunicorn, signs the demo staff member in through the login form and the
two-step code, and loads each page for a fixed time. Prints req/s, p50 and p99; asserts
nothing. Self-contained: it only borrows the harness's server and load helpers.
"""

from __future__ import annotations

import os
import random
import re
from datetime import timedelta
from http.cookies import SimpleCookie

import pyotp
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.load import drive
from bench.server import fetch, gunicorn, log_in
from portal.auth.models import Customer, Role
from portal.db import utcnow
from portal.demo.aftercare import Numbers, add_request
from portal.demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRET, Shopper, Staff
from portal.demo.rows import RowWriter
from portal.orders.models import Order
from portal.support.models import RequestStatus, SupportRequest

TARGET_REQUESTS = 50_000
STAFF_EMAIL = "staff@example.com"
PAGES = ("/staff/requests", "/staff/requests?view=breaching", "/staff/requests?q=parcel",
         "/staff/metrics")
CATEGORIES = ("delivery", "order", "return", "billing", "product", "account")


def top_up(url: str, *, target: int = TARGET_REQUESTS, seed: int = 13) -> int:
    """Adds requests until the store holds `target`; returns how many were added."""
    engine = create_engine(url)
    added = 0
    with Session(engine) as session:
        have = session.scalar(select(func.count()).select_from(SupportRequest)) or 0
        if have >= target:
            return 0
        rng = random.Random(seed)
        numbers = Numbers(rng)
        numbers.used.update(session.scalars(select(SupportRequest.number)))
        staff = [Staff(id, name) for id, name in session.execute(
            select(Customer.id, Customer.name).where(Customer.role != Role.SHOPPER))]
        orders = session.execute(
            select(Order.id, Order.number, Order.placed_at, Customer.id, Customer.name)
            .join(Customer, Customer.id == Order.customer_id)
            .order_by(func.random()).limit(target - have)).all()
        writer, now = RowWriter(session), utcnow().replace(minute=0, second=0, microsecond=0)
        for order_id, number, placed_at, customer_id, name in orders:
            opened_at = min(placed_at + timedelta(days=rng.uniform(1, 20)),
                            now - timedelta(hours=1))
            age = (now - opened_at).days
            status = (rng.choice((RequestStatus.OPEN, RequestStatus.AWAITING_CUSTOMER))
                      if age < 10 and rng.random() < 0.5 else RequestStatus.RESOLVED)
            shopper = Shopper(id=customer_id, name=name, email="", address={},
                              other_address=None, company_name=None, tax_id=None, card=None,
                              paypal_id=None)
            add_request(writer, rng, numbers, shopper=shopper, staff=staff,
                        category=rng.choice(CATEGORIES), status=status, opened_at=opened_at,
                        now=now, order=(order_id, number))
            added += 1
            if writer.pending_rows > 20_000:
                writer.flush()
        writer.finish()
    engine.dispose()
    return added


def staff_cookie(base_url: str) -> str:
    """Signs the demo staff member in: password, then the two-step code."""
    cookie = log_in(base_url, STAFF_EMAIL, DEMO_PASSWORD)
    status, _headers, page = fetch(f"{base_url}/login/two-factor", cookie=cookie)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if status != 200 or token is None:
        raise SystemExit(f"the two-step page did not answer as expected ({status})")
    status, headers, _ = fetch(f"{base_url}/login/two-factor", cookie=cookie, data={
        "csrf_token": token.group(1), "code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    if status != 302:
        raise SystemExit(f"the two-step code was refused ({status})")
    jar = dict(part.split("=", 1) for part in cookie.split("; "))
    for header in headers.get("set-cookie", []):  # the session is renewed once signed in
        renewed = SimpleCookie()
        renewed.load(header)
        jar.update({name: morsel.value for name, morsel in renewed.items()})
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def main() -> None:
    url = os.environ["PORTAL_BENCH_DATABASE_URL"]
    added = top_up(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(SupportRequest))
    engine.dispose()
    print(f"Support requests in the store: {total:,} ({added:,} added now).")
    seconds = int(os.environ.get("PORTAL_BENCH_SECONDS", "10"))
    with gunicorn(url, workers=2) as server:
        base_url = server.url
        cookie = staff_cookie(base_url)
        print(f"{'page':<36} {'status':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for page in PAGES:
            status = fetch(base_url + page, cookie=cookie)[0]
            if status != 200:
                print(f"{page:<36} {status:>6}   (not measured)")
                continue
            result = drive(base_url + page, cookie=cookie, seconds=seconds, threads=2,
                           connections=8)
            print(f"{page:<36} {status:>6} {result.requests_per_second:>8.1f} "
                  f"{result.p50_ms:>8.2f} {result.p99_ms:>8.2f}")


if __name__ == "__main__":
    main()
