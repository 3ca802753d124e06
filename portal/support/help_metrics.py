"""Self-service metrics beside the support ones: searches that failed and article votes.

Deflection comes from portal.help_sessions.service.deflection_summary (w12's help sessions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from portal.help.models import ArticleFeedback, SearchEvent

EXAMPLES = 10
FAILURES: dict[str, str] = {
    "no_results": "Found nothing",
    "no_click": "Results, but none opened",
    "then_request": "Followed by a request",
}


def failure_condition(kind: str) -> ColumnElement[bool]:
    return {
        "no_results": SearchEvent.hit_count == 0,
        "no_click": and_(SearchEvent.hit_count > 0, SearchEvent.clicked_slug.is_(None),
                         SearchEvent.led_to_request.is_(False)),
        "then_request": SearchEvent.led_to_request.is_(True),
    }[kind]


@dataclass(frozen=True)
class FailedSearches:
    searches: int
    totals: dict[str, int]  # kind -> searches of that kind
    examples: dict[str, Sequence[tuple[str, int]]]  # kind -> (query, times), most frequent first


@dataclass(frozen=True)
class ArticleVotes:
    slug: str
    helpful: int
    not_helpful: int


def failed_searches(session: Session, *, since: datetime, until: datetime) -> FailedSearches:
    """Searches that did not end in an answer, by kind, with the most frequent queries."""
    in_range = and_(SearchEvent.created_at >= since, SearchEvent.created_at < until,
                    SearchEvent.normalized_query != "")
    row = session.execute(select(
        func.count(),
        *(func.coalesce(func.sum(case((failure_condition(kind), 1), else_=0)), 0)
          for kind in FAILURES),
    ).where(in_range)).one()
    examples: dict[str, Sequence[tuple[str, int]]] = {}
    for kind in FAILURES:
        times = func.count()
        examples[kind] = [(query, int(count)) for query, count in session.execute(
            select(SearchEvent.normalized_query, times)
            .where(in_range, failure_condition(kind))
            .group_by(SearchEvent.normalized_query)
            .order_by(times.desc(), SearchEvent.normalized_query).limit(EXAMPLES))]
    return FailedSearches(searches=int(row[0]),
                          totals=dict(zip(FAILURES, (int(v) for v in row[1:]), strict=True)),
                          examples=examples)


def article_votes(session: Session, *, since: datetime, until: datetime,
                  limit: int = 20) -> list[ArticleVotes]:
    """Helpful and unhelpful votes per article, the most disliked first."""
    helpful = func.coalesce(func.sum(case((ArticleFeedback.is_helpful.is_(True), 1), else_=0)), 0)
    unhelpful = func.coalesce(func.sum(case((ArticleFeedback.is_helpful.is_(False), 1),
                                            else_=0)), 0)
    rows = session.execute(
        select(ArticleFeedback.slug, helpful, unhelpful)
        .where(ArticleFeedback.created_at >= since, ArticleFeedback.created_at < until)
        .group_by(ArticleFeedback.slug)
        .order_by(unhelpful.desc(), ArticleFeedback.slug).limit(limit))
    return [ArticleVotes(slug, int(yes), int(no)) for slug, yes, no in rows]


def article_comments(session: Session, *, since: datetime, until: datetime,
                     limit: int = EXAMPLES) -> list[tuple[str, bool, str, datetime]]:
    """The latest comments readers left with their vote: (slug, helpful, comment, when)."""
    rows = session.execute(
        select(ArticleFeedback.slug, ArticleFeedback.is_helpful, ArticleFeedback.comment,
               ArticleFeedback.created_at)
        .where(ArticleFeedback.created_at >= since, ArticleFeedback.created_at < until,
               ArticleFeedback.comment.is_not(None))
        .order_by(ArticleFeedback.created_at.desc(), ArticleFeedback.id.desc()).limit(limit))
    return [(slug, bool(is_helpful), comment, when) for slug, is_helpful, comment, when in rows]
