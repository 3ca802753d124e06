"""`flask --app wsgi support ...`: support maintenance from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.support.tasks import run_auto_close

support_group = AppGroup("support", help="Support requests: maintenance.")


@support_group.command("auto-close")
def auto_close_command() -> None:
    """Warn shoppers who have not answered, and close requests that waited too long."""
    sweep = run_auto_close()
    click.echo(f"{len(sweep.noticed)} notice(s) sent: {', '.join(sweep.noticed) or '-'}")
    click.echo(f"{len(sweep.closed)} request(s) closed: {', '.join(sweep.closed) or '-'}")
