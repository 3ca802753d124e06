"""The page load test: many signed-in shoppers at once, each page measured against /healthz.

1. A pool of shoppers (every one with 1,000+ orders, the ones nearest 10 and 100 orders, the
   demo logins, then others drawn at random) and the staff, all signed in through the real
   login form, each with an order and a parcel of their own.
2. For each page, /healthz is loaded for the same time just before it, at the same
   connections, so the ratio compares two figures taken on the same (shared, busy) machine
   a few seconds apart. The page's requests cycle through the whole pool.
3. CPU per request by history size: the gunicorn workers' CPU time (from /proc) over a run of
   requests for one shopper of about 10, 100 and 1,000 orders, one connection at a time.
"""

from __future__ import annotations

import http.client
import random
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import create_engine, func, select

from bench.load import LoadResult, drive_many
from bench.server import Server, fetch, log_in
from portal.auth.models import Customer, Role
from portal.demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRET, SHOPPER_EMAILS
from portal.orders.models import Order, Shipment

SEARCHES = ("where is my parcel", "refund to store credit", "change my delivery address",
            "return a gift", "cancel my order", "download an invoice", "gift card balance",
            "parcel is late", "wrong size", "payment declined")
HISTORY_SIZES = (10, 100, 1000)


@dataclass(frozen=True)
class Visitor:
    email: str
    orders: int
    order_number: str | None
    shipment_id: int | None
    cookie: str = ""


@dataclass(frozen=True)
class Page:
    label: str
    path: Callable[[Visitor, int], str | None]
    staff: bool = False


PAGES = (
    Page("/", lambda v, i: "/"),
    Page("/orders", lambda v, i: "/orders"),
    Page("/orders/<n>", lambda v, i: f"/orders/{v.order_number}" if v.order_number else None),
    Page("/orders/<n>/shipments/<id>", lambda v, i: (
        f"/orders/{v.order_number}/shipments/{v.shipment_id}" if v.shipment_id else None)),
    Page("/billing", lambda v, i: "/billing"),
    Page("/help/search?q=", lambda v, i: "/help/search?q="
         + urllib.parse.quote_plus(SEARCHES[i % len(SEARCHES)])),
    Page("/staff/requests", lambda v, i: "/staff/requests", staff=True),
)


@dataclass(frozen=True)
class PageFigures:
    label: str
    status: int
    result: LoadResult | None
    healthz: LoadResult | None

    @property
    def ratio(self) -> float | None:
        if self.result is None or self.healthz is None or not self.healthz.requests_per_second:
            return None
        return self.result.requests_per_second / self.healthz.requests_per_second


def choose_visitors(url: str, *, pool: int, seed: int = 1) -> tuple[list[Visitor], list[str]]:
    """(shoppers, staff emails): the heaviest histories, one near each size, the demo
    logins, then random shoppers up to `pool`."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            counts = dict(connection.execute(
                select(Order.customer_id, func.count()).group_by(Order.customer_id)).all())
            people = connection.execute(select(Customer.id, Customer.email, Customer.role)).all()
            emails = {row.id: row.email for row in people if row.role is Role.SHOPPER}
            staff = sorted(row.email for row in people if row.role is not Role.SHOPPER)
            chosen: list[int] = [cid for cid, count in counts.items()
                                 if count >= 1000 and cid in emails]
            for size in HISTORY_SIZES:
                nearest = min((cid for cid in counts if cid in emails),
                              key=lambda cid, size=size: (abs(counts[cid] - size), cid))
                chosen.append(nearest)
            by_email = {email: cid for cid, email in emails.items()}
            chosen += [by_email[email] for email in SHOPPER_EMAILS if email in by_email]
            others = sorted(set(emails) - set(chosen))
            random.Random(seed).shuffle(others)
            chosen = list(dict.fromkeys(chosen + others))[:max(pool, len(set(chosen)))]
            visitors = []
            for cid in chosen:
                row = connection.execute(
                    select(Order.number, Shipment.id).outerjoin(
                        Shipment, Shipment.order_id == Order.id)
                    .where(Order.customer_id == cid)
                    .order_by(Shipment.id.is_(None), Order.placed_at.desc()).limit(1)).first()
                visitors.append(Visitor(emails[cid], counts.get(cid, 0),
                                        row[0] if row else None, row[1] if row else None))
    finally:
        engine.dispose()
    return visitors, staff


def sign_in(server: Server, visitors: list[Visitor]) -> list[Visitor]:
    """Through the login form, and the two-step form for staff (the demo key)."""
    return [Visitor(v.email, v.orders, v.order_number, v.shipment_id,
                    log_in(server.url, v.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET))
            for v in visitors]


def _requests(page: Page, shoppers: list[Visitor], staff: list[Visitor]) -> list[tuple[str, str]]:
    people = staff if page.staff else shoppers
    pairs = []
    for index, visitor in enumerate(people):
        path = page.path(visitor, index)
        if path is not None:
            pairs.append((path, visitor.cookie))
    return pairs


def load_pages(server: Server, shoppers: list[Visitor], staff: list[Visitor], *, seconds: int,
               threads: int, connections: int, report: Callable[[str], None]) -> list[PageFigures]:
    figures = []
    healthz = [("/healthz", shoppers[0].cookie)]
    for page in PAGES:
        requests = _requests(page, shoppers, staff)
        statuses = {fetch(server.url + path, cookie=cookie)[0] for path, cookie in requests[:20]}
        if statuses != {200}:
            report(f"  {page.label}: answers {sorted(statuses)}, not loaded")
            figures.append(PageFigures(page.label, max(statuses), None, None))
            continue
        base = drive_many(server.url, healthz, seconds=seconds, threads=threads,
                          connections=connections)
        result = drive_many(server.url, requests, seconds=seconds, threads=threads,
                            connections=connections)
        figure = PageFigures(page.label, 200, result, base)
        report(f"  {page.label}: {result.requests_per_second:.1f} req/s, p50 "
               f"{result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms; /healthz just before "
               f"{base.requests_per_second:.1f} req/s; ratio {figure.ratio:.3f}")
        figures.append(figure)
    return figures


def cpu_by_history(server: Server, shoppers: list[Visitor], *, requests: int = 150
                   ) -> list[tuple[str, int, dict[str, float]]]:
    """(email, orders, {page: CPU ms per request}) for the shopper nearest each size."""
    rows = []
    parts = urllib.parse.urlsplit(server.url)
    for size in HISTORY_SIZES:
        visitor = min(shoppers, key=lambda v, size=size: abs(v.orders - size))
        figures = {}
        for page in PAGES:
            if page.staff:
                continue
            path = page.path(visitor, 0)
            if path is None:
                continue
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            for _ in range(10):  # warm: caches, compiled templates, connections
                _get(connection, path, visitor.cookie)
            before = server.cpu_seconds()
            for _ in range(requests):
                _get(connection, path, visitor.cookie)
            figures[page.label] = (server.cpu_seconds() - before) * 1000 / requests
            connection.close()
        rows.append((visitor.email, visitor.orders, figures))
    return rows


def _get(connection: http.client.HTTPConnection, path: str, cookie: str) -> None:
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status} during the CPU measurement")


def table(figures: list[PageFigures]) -> str:
    lines = [f"{'page':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'healthz':>8} "
             f"{'ratio':>6} {'to 0.5':>7} {'errors':>6}"]
    for figure in figures:
        result, base = figure.result, figure.healthz
        if result is None or base is None or figure.ratio is None:
            lines.append(f"{figure.label:<28} (answers {figure.status}, not measured)")
            continue
        lines.append(
            f"{figure.label:<28} {result.requests_per_second:>8.1f} {result.p50_ms:>8.1f} "
            f"{result.p99_ms:>8.1f} {base.requests_per_second:>8.1f} {figure.ratio:>6.3f} "
            f"{figure.ratio / 0.5:>6.0%} {result.errors:>6}")
    return "\n".join(lines)


def cpu_table(rows: list[tuple[str, int, dict[str, float]]]) -> str:
    labels = [page.label for page in PAGES if not page.staff]
    lines = ["CPU ms per request (gunicorn workers, one connection):",
             f"{'orders':>7} " + " ".join(f"{label[:14]:>14}" for label in labels)]
    for _email, orders, figures in rows:
        lines.append(f"{orders:>7} " + " ".join(
            f"{figures[label]:>14.2f}" if label in figures else f"{'-':>14}" for label in labels))
    return "\n".join(lines)
