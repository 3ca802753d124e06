"""``flask help-sessions summary``: the deflection figures, as the staff metrics compute them."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from portal.db import new_session, utcnow
from portal.help_sessions.service import deflection_summary


@click.group("help-sessions")
def help_sessions_group() -> None:
    """Help sessions: self-service that did or did not end in a request."""


@help_sessions_group.command("summary")
@click.option("--days", default=28, show_default=True, type=click.IntRange(1, 3650),
              help="Sessions started in the last N days.")
@with_appcontext
def summary(days: int) -> None:
    """Prints how many help sessions ended in self-service and how many in a request."""
    until = utcnow()
    with new_session() as session:
        found = deflection_summary(session, since=until - timedelta(days=days), until=until)
    click.echo(f"help sessions started in the last {days} days: {found.sessions}")
    for label, count in (("searched or read, no request within 24 h (deflected)", found.deflected),
                         ("opened a request within 24 h", found.requested),
                         ('clicked "This answered my question"', found.said_answered)):
        click.echo(f"  {label}: {count} ({found.share(count):.1%})")
