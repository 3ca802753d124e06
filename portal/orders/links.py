"""Links into features built beside this one, which never turn a page into a 500.

Another team's endpoint may not exist yet (or may be renamed); the link then falls back
to the help search, which always answers something useful.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from werkzeug.routing import BuildError


def link_to(endpoint: str, *, fallback_query: str = "", **values: Any) -> str:
    """url_for(endpoint, **values), or a help search for fallback_query if it cannot be built."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        try:
            return url_for("help.search", q=fallback_query) if fallback_query else url_for(
                "help.index")
        except BuildError:
            return "/help"


@lru_cache(maxsize=8)
def _article_slugs(content_dir: str) -> frozenset[str]:
    return frozenset(path.stem for path in Path(content_dir).rglob("*.md"))


def help_link(slug: str, query: str) -> str:
    """The help article when it exists, else a help search for the query."""
    if slug in _article_slugs(str(current_app.config["CONTENT_DIR"])):
        return link_to("help.article", slug=slug, fallback_query=query)
    return link_to("help.search", q=query, fallback_query=query)


def contact_link(order_number: str, topic: str, subject: str | None = None) -> str:
    """The contact flow with the order, the topic and (optionally) a subject filled in."""
    values = {"subject": subject} if subject else {}
    return link_to("support.contact", order=order_number, topic=topic,
                   fallback_query="contact us", **values)
