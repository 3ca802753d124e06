"""Flask commands: create-staff, seed-demo, mail delivery, and the help center's faq group."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.audit import record_event
from portal.auth import service as accounts
from portal.auth import twofactor
from portal.auth.models import Role
from portal.config import PROJECT_ROOT
from portal.db import new_session, refresh_statistics
from portal.domain import DomainError
from portal.mail import deliver_pending


@click.command("create-staff")
@click.argument("email")
@click.option("--name", default="Store staff", show_default=True)
@click.option("--admin", is_flag=True, help="Give the account the admin role.")
@click.password_option(help="The password; asked for when not given.")
@with_appcontext
def create_staff(email: str, name: str, admin: bool, password: str) -> None:
    """Create a staff (or admin) account that can open the staff console."""
    with new_session() as session:
        try:
            accounts.create_customer(
                session, email=email, name=name, password=password,
                role=Role.ADMIN if admin else Role.STAFF,
            )
        except DomainError as error:
            raise click.ClickException(error.message) from error
        session.commit()
    click.echo(f"Staff account {email} created.")


@click.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def reset_two_factor(email: str) -> None:
    """Remove a staff member's authenticator app and recovery codes; they set it up again."""
    with new_session() as session:
        customer = accounts.find_customer_by_email(session, email)
        if customer is None:
            raise click.ClickException(f"No account uses {email}.")
        twofactor.remove_two_factor(session, customer_id=customer.id)
        record_event(session, actor_id=None, action="two_factor_reset", object_type="customer",
                     object_id=customer.id, via="command line")
        session.commit()
    click.echo(f"Two-step sign-in removed for {email}: they set it up at their next sign-in.")


@click.group("mail")
def mail_group() -> None:
    """The mail outbox."""


@mail_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering every few seconds (a worker).")
@click.option("--interval", default=5.0, show_default=True)
@with_appcontext
def deliver(loop: bool, interval: float) -> None:
    """Send the messages waiting in the outbox, retrying failed ones with backoff."""
    while True:
        with new_session() as session:
            sent = deliver_pending(session)
        if sent:
            click.echo(f"{sent} message(s) sent.")
        if not loop:
            return
        time.sleep(interval)


@click.group("jobs")
def jobs_group() -> None:
    """The background job queue (Huey)."""


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads running jobs.")
@with_appcontext
def jobs_worker(workers: int) -> None:
    """Run queued jobs and the periodic sweeps (mail, outbound events) until stopped."""
    from flask import current_app

    from portal import jobs

    jobs.run_worker(current_app._get_current_object(), workers=workers)  # type: ignore[attr-defined]


@click.command("prepare")
@click.pass_context
@with_appcontext
def prepare(ctx: click.Context) -> None:
    """What `make run` needs before serving: migrate, seed an empty database, build the index."""
    # Imported here so app servers, which never migrate, do not load Alembic.
    from alembic import command as alembic_command
    from alembic.config import Config as AlembicConfig
    from flask import current_app

    from portal.demo.cli import seed_demo
    from portal.help.cli import reindex

    alembic_config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    alembic_config.set_main_option("sqlalchemy.url", current_app.config["DATABASE_URL"])
    alembic_command.upgrade(alembic_config, "head")
    ctx.invoke(seed_demo, if_empty=True)
    with new_session() as session:
        refresh_statistics(session)
    ctx.invoke(reindex)


def register(app: Flask) -> None:
    from portal.demo.cli import demo_code, seed_demo
    from portal.help.cli import faq
    from portal.help_sessions.cli import help_sessions_group
    from portal.stores.cli import store_group
    from portal.support.cli import support_group

    app.cli.add_command(create_staff)
    app.cli.add_command(reset_two_factor)
    app.cli.add_command(demo_code)
    app.cli.add_command(mail_group)
    app.cli.add_command(jobs_group)
    app.cli.add_command(prepare)
    app.cli.add_command(seed_demo)
    app.cli.add_command(faq)
    app.cli.add_command(help_sessions_group)
    app.cli.add_command(store_group)
    app.cli.add_command(support_group)
