"""`flask seed-demo`: a realistic demo store, deterministic for a seed, scalable for benchmarks."""

from __future__ import annotations

import click
import pyotp
from flask import current_app
from flask.cli import with_appcontext

from portal.auth.service import hash_password
from portal.db import new_session, utcnow
from portal.demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRET, SHOPPER_EMAILS, STAFF_EMAIL
from portal.demo.seed import has_customers, seed_store
from portal.store import current_policy


@click.command("seed-demo")
@click.option("--seed", default=1, show_default=True, help="Same seed, same store.")
@click.option("--customers", default=60, show_default=True, type=click.IntRange(2),
              help="Shoppers, the two demo logins included (staff come on top).")
@click.option("--orders", default=1500, show_default=True, type=click.IntRange(0),
              help="Orders over two years; never fewer than the demo logins' 50 hand-picked.")
@click.option("--products", default=150, show_default=True, type=click.IntRange(20))
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has customers.")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(1),
              help="Orders written per batch (each batch is one transaction).")
@with_appcontext
def seed_demo(
    seed: int, customers: int, orders: int, products: int, if_empty: bool, batch_size: int
) -> None:
    """Fill an empty database with a realistic demo store.

    Times are offsets from the start of the current UTC hour, so the store always looks
    recent; everything else (people, orders, numbers, amounts) depends only on --seed.
    """
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    with new_session() as session:
        if has_customers(session):
            if if_empty:
                click.echo("The database already has customers; demo data not added.")
                return
            raise click.ClickException(
                "The database already has customers. Seed an empty database "
                "(or pass --if-empty to skip quietly).")
        # Hashing is slow on purpose: one hash of the demo password serves every account.
        password_hash = hash_password(DEMO_PASSWORD)
        with click.progressbar(length=orders, label="Seeding orders", file=None) as bar:
            report = seed_store(
                session, seed=seed, customers=customers, orders=orders, products=products,
                now=now, policy=current_policy(), password_hash=password_hash,
                batch_size=batch_size, progress=bar.update,
            )
    current_app.logger.info("demo store seeded with seed %s", seed)
    click.echo(
        f"Seeded {report.customers:,} accounts, {report.orders:,} orders, "
        f"{report.total_rows:,} rows in {report.seconds:.1f} s "
        f"({report.rows_per_second:,.0f} rows/s, {report.cpu_seconds:.1f} s of CPU, "
        f"peak memory {report.peak_memory_mb:,.0f} MB)."
    )
    click.echo(f"Demo logins: {', '.join(SHOPPER_EMAILS)} (shoppers), {STAFF_EMAIL} (staff); "
               f"password {DEMO_PASSWORD}; staff two-step key {DEMO_TOTP_SECRET} "
               "(flask --app wsgi demo-code prints its current code)")


@click.command("demo-code")
def demo_code() -> None:
    """Print the current two-step sign-in code of the demo staff accounts."""
    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())
