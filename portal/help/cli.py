from __future__ import annotations

import click


@click.group("faq")
def faq() -> None:
    """The help center's articles and search index."""
