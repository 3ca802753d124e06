"""Help articles suggested while a shopper writes a request: answers before an escalation.

The help center owns search; this module only asks it for the best few articles, and a
failing or missing index never stops a shopper from writing to us.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import nh3
from markupsafe import Markup

from portal.help.center import get_help_center

log = logging.getLogger(__name__)
MIN_QUERY_LENGTH = 3
SUGGESTIONS = 3


@dataclass(frozen=True)
class Suggestion:
    slug: str
    title: str
    snippet: Markup  # sanitised HTML: text with <mark> around the matched words


def suggest_articles(text: str | None, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Up to `limit` articles that answer what the shopper typed; none for a few letters."""
    text = (text or "").strip()
    if len(text) < MIN_QUERY_LENGTH:
        return []
    try:
        answer = get_help_center().search(text[:200], limit=limit)
    except Exception:  # search is a helper here: log it, let the shopper write to us
        log.exception("help search failed for contact suggestions")
        return []
    # nh3 leaves only <mark> and escaped text, so the result is safe to mark as HTML.
    return [
        Suggestion(hit.slug, hit.title,
                   Markup(nh3.clean(hit.snippet or "", tags={"mark"}, attributes={})))  # noqa: S704
        for hit in answer.hits[:limit]
    ]
