"""`flask store ...`: the bulk import of a shop's history."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.db import new_session
from portal.stores.context import StoreContext
from portal.stores.importer import import_rows, read_rows, write_rejections


@click.group("store")
def store_group() -> None:
    """Connect a shop: bulk import (and outbound deliveries)."""


@store_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch-size", default=500, show_default=True,
              help="Events committed together (each is all-or-nothing on its own).")
@click.option("--email/--no-email", default=False, show_default=True,
              help="Send order and parcel emails for what is imported (off: past orders).")
@with_appcontext
def import_command(file: Path, batch_size: int, email: bool) -> None:
    """Load FILE (.jsonl: one store API event per line; .csv: one order line per row).

    Safe to run again: events already in are skipped, so an interrupted import resumes.
    Rejected rows are listed, with the reason, in FILE.rejected.csv.
    """
    with file.open("rb") as handle:
        total_lines = sum(1 for _ in handle)
    context = StoreContext(policy=current_app.config["STORE_POLICY"],
                           base_url=current_app.config["BASE_URL"] if email else None)
    with new_session() as session, click.progressbar(
            length=total_lines, label=f"Importing {file.name}", file=sys.stderr) as bar:
        done = 0

        def advance(line: int) -> None:
            nonlocal done
            bar.update(line - done)
            done = line

        report = import_rows(session, read_rows(file), context=context, batch_size=batch_size,
                             progress=advance)
        bar.update(total_lines - done)
    click.echo(f"{report.applied} applied, {report.duplicates} already in, "
               f"{len(report.rejected)} rejected.")
    if report.rejected:
        target = file.with_name(file.name + ".rejected.csv")
        write_rejections(report, target)
        for row in report.rejected[:20]:
            click.echo(f"  line {row.line}: {row.reason}", err=True)
        raise click.ClickException(f"rejected rows and reasons written to {target}")
