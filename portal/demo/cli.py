from __future__ import annotations

import click


@click.command("seed-demo")
def seed_demo() -> None:
    """Fill an empty database with a realistic demo store."""
