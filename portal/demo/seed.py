"""The demo store, generated in batches: catalogue, people, then orders in time order.

Determinism: Faker and `random.Random` are both seeded with `seed`, and every date is an
offset from `now`, which the command takes as the start of the current UTC hour. The same
seed therefore gives the same rows (ids, numbers, names, amounts, events), shifted in time
to stay recent; tests pass a fixed `now` and get identical data.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import random
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Customer
from portal.billing.bookkeeping import rebuild_ledger
from portal.db import refresh_statistics
from portal.demo.aftercare import Numbers, add_request
from portal.demo.catalog import build_catalog
from portal.demo.helpdesk import RECENT, add_help_session, add_macros
from portal.demo.ledger import CreditBook
from portal.demo.orders import Context, Plan, build_order
from portal.demo.people import Shopper, build_people
from portal.demo.rows import RowWriter
from portal.demo.showcase import SHOWCASE, random_plan
from portal.store import StorePolicy
from portal.support.models import RequestStatus

HISTORY = timedelta(days=730)


@dataclass(frozen=True)
class SeedReport:
    rows: dict[str, int]
    orders: int
    customers: int
    seconds: float
    cpu_seconds: float
    peak_memory_mb: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0


def has_customers(session: Session) -> bool:
    return session.scalar(select(Customer.id).limit(1)) is not None


def cpu_seconds() -> float:
    """CPU time of this process so far: on a busy machine, wall time alone misleads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_memory_mb() -> float:
    """Peak resident memory of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timeline(
    rng: random.Random, shoppers: list[Shopper], *, orders: int, now: datetime
) -> Iterator[tuple[datetime, Shopper, Plan | None]]:
    """(placed_at, shopper, plan) in time order: the showcase merged into an even stream of
    random orders (plan None: drawn by age later), most shoppers buying now and then and a
    few buying often."""
    demo = [shopper for shopper in shoppers if shopper.is_demo]
    showcase = sorted(
        ((now - timedelta(days=days, hours=rng.uniform(0, 3) * index), shopper, plan)
         for index, shopper in enumerate(demo) for days, plan in SHOWCASE),
        key=lambda entry: entry[0],
    )
    count = max(orders - len(showcase), 0)
    weights = list(itertools.accumulate(rng.paretovariate(1.6) for _ in shoppers))
    start, span = now - HISTORY, HISTORY - timedelta(hours=1)

    def stream() -> Iterator[tuple[datetime, Shopper, Plan | None]]:
        for index in range(count):
            placed_at = start + span * ((index + rng.random()) / count)
            position = bisect.bisect_left(weights, rng.random() * weights[-1])
            yield placed_at, shoppers[min(position, len(shoppers) - 1)], None

    return heapq.merge(showcase, stream(), key=lambda entry: entry[0])


def seed_store(
    session: Session, *, seed: int = 1, customers: int = 60, orders: int = 1500,
    products: int = 150, now: datetime, policy: StorePolicy, password_hash: str,
    batch_size: int = 2000, progress: Callable[[int], None] | None = None,
) -> SeedReport:
    """Writes the demo store into an empty database and reports how it went."""
    started, cpu_started = time.perf_counter(), cpu_seconds()
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    writer = RowWriter(session)
    history_start = now - HISTORY
    catalog = build_catalog(writer, rng, size=products)
    shoppers, staff = build_people(writer, fake, rng, customers=max(customers, 2),
                                   password_hash=password_hash, since=history_start)
    writer.flush()
    ctx = Context(writer, rng, Numbers(rng), CreditBook(), policy, now, catalog, staff)
    placed = in_batch = 0
    for placed_at, shopper, plan in _timeline(rng, shoppers, orders=orders, now=now):
        age_days = (now - placed_at).total_seconds() / 86400
        build_order(ctx, shopper, placed_at, plan or random_plan(rng, age_days))
        if plan is None and age_days > 1 and rng.random() < (0.3 if age_days < 90 else 0.01):
            _question_without_order(ctx, shoppers, placed_at)
        if age_days < RECENT.days and rng.random() < 0.5:  # self-service that needed no one
            add_help_session(writer, rng, customer_id=shopper.id, request=None,
                             started_at=min(placed_at + timedelta(days=rng.uniform(1, 10)),
                                            now - timedelta(hours=1)))
        placed += 1
        in_batch += 1
        if in_batch >= batch_size:
            writer.flush()
            if progress:
                progress(in_batch)
            in_batch = 0
    add_macros(writer, now=now)
    writer.finish()
    # The rows went in as plain inserts, past the ORM hook that keeps the ledger: write it once.
    rebuild_ledger(session.connection())
    session.commit()
    refresh_statistics(session, full=True)
    if progress and in_batch:
        progress(in_batch)
    return SeedReport(dict(writer.counts), placed, len(shoppers) + len(staff),
                      time.perf_counter() - started, cpu_seconds() - cpu_started,
                      peak_memory_mb())


def _question_without_order(ctx: Context, shoppers: list[Shopper], at: datetime) -> None:
    shopper = ctx.rng.choice(shoppers)
    age_days = (ctx.now - at).days
    status = RequestStatus.OPEN if age_days < 7 else ctx.rng.choice(
        (RequestStatus.RESOLVED, RequestStatus.CLOSED))
    add_request(ctx.writer, ctx.rng, ctx.numbers, shopper=shopper, staff=ctx.staff,
                category=ctx.rng.choice(("product", "account")), status=status,
                opened_at=at, now=ctx.now)
