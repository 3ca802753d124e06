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


def suggest_articles(text: str | None, *, limit: int = SUGGESTIONS,
                     category: str | None = None) -> list[Suggestion]:
    """Up to `limit` articles that answer what the shopper typed; none for a few letters."""
    text = (text or "").strip()
    if len(text) < MIN_QUERY_LENGTH:
        return []
    try:
        answer = get_help_center().search(text[:200], limit=limit, category=category)
    except Exception:  # search is a helper here: log it, let the shopper write to us
        log.exception("help search failed for contact suggestions")
        return []
    # nh3 leaves only <mark> and escaped text, so the result is safe to mark as HTML.
    return [
        Suggestion(hit.slug, hit.title,
                   Markup(nh3.clean(hit.snippet or "", tags={"mark"}, attributes={})))  # noqa: S704
        for hit in answer.hits[:limit]
    ]


# The help category that answers each contact topic, to try first when one is chosen.
TOPIC_TO_HELP_CATEGORY = {"order": "orders", "delivery": "shipping", "return": "returns",
                          "billing": "billing", "account": "account", "product": "products"}


@dataclass(frozen=True)
class Writing:
    """What the shopper has written and chosen so far on the contact form."""

    subject: str = ""
    body: str = ""
    topic: str = ""
    state_slugs: tuple[str, ...] = ()  # the articles the chosen order's state calls for

    @property
    def query(self) -> str:
        """The text searched: the subject, then the start of the message."""
        return " ".join(part.strip() for part in (self.subject, self.body[:150]) if part)[:200]


def suggest_for_writing(writing: Writing, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The order's own answer first (a late parcel: the delay article), then what the text
    finds, in the chosen topic's help category before the rest."""
    center = get_help_center()
    found: dict[str, Suggestion] = {}
    for slug in writing.state_slugs[:1]:
        article = center.article(slug)
        if article is not None:
            found[slug] = Suggestion(slug, article.title, Markup.escape(article.summary))
    text_hits = _search(writing.query, TOPIC_TO_HELP_CATEGORY.get(writing.topic), limit)
    if not text_hits and writing.body:  # a long message can drown the subject's words
        text_hits = _search(writing.subject, None, limit)
    for hit in text_hits:
        found.setdefault(hit.slug, hit)
    return list(found.values())[:limit]


def _search(text: str, category: str | None, limit: int) -> list[Suggestion]:
    hits = suggest_articles(text, limit=limit, category=category) if category else []
    return hits + [hit for hit in suggest_articles(text, limit=limit)
                   if hit.slug not in {h.slug for h in hits}]
