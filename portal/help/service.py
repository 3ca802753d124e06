"""Help center records: searches, clicks, views and "was this helpful" votes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.help.models import ArticleFeedback, ArticleView, SearchEvent
from portal.help.query import MAX_QUERY_CHARS, normalize_query

# Keystrokes of one search-as-you-type session are one search, not twenty.
TYPING_WINDOW = timedelta(seconds=60)
MAX_COMMENT_CHARS = 1000


def log_search(
    session: Session, *, query: str, hit_count: int, customer_id: int | None,
    previous_event_id: int | None, now: datetime,
) -> SearchEvent:
    """Record a search; a refinement typed within a minute updates the previous record."""
    query = query.strip()[:MAX_QUERY_CHARS]
    normalized = normalize_query(query)[:MAX_QUERY_CHARS]
    previous = session.get(SearchEvent, previous_event_id) if previous_event_id else None
    if (
        previous is not None
        and previous.customer_id == customer_id
        and previous.clicked_slug is None
        and not previous.led_to_request
        and now - previous.created_at <= TYPING_WINDOW
        and (normalized.startswith(previous.normalized_query)
             or previous.normalized_query.startswith(normalized))
    ):
        previous.query, previous.normalized_query = query, normalized
        previous.hit_count = hit_count
        previous.created_at = now
        return previous
    event = SearchEvent(query=query, normalized_query=normalized, hit_count=hit_count,
                        customer_id=customer_id, created_at=now)
    session.add(event)
    session.flush()
    return event


def record_click(session: Session, *, search_event_id: int, slug: str) -> None:
    """Remember which article a search led to (the first one opened)."""
    event = session.get(SearchEvent, search_event_id)
    if event is not None and event.clicked_slug is None:
        event.clicked_slug = slug[:120]


def mark_search_led_to_request(session: Session, *, search_event_id: int) -> bool:
    """Self-service failed: a support request followed this search. False if unknown."""
    event = session.get(SearchEvent, search_event_id)
    if event is None:
        return False
    event.led_to_request = True
    return True


def record_view(session: Session, *, slug: str, day: date) -> None:
    """Count one view of an article on a day (one row per article and day)."""
    counter = (
        update(ArticleView)
        .where(ArticleView.slug == slug, ArticleView.day == day)
        .values(view_count=ArticleView.view_count + 1)
    )
    if session.execute(counter).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(ArticleView(slug=slug, day=day, view_count=1))
    except IntegrityError:  # another request created today's row first
        session.execute(counter)


def most_viewed_slugs(session: Session, *, since: date, limit: int = 6) -> list[str]:
    total = func.sum(ArticleView.view_count)
    rows = session.execute(
        select(ArticleView.slug, total)
        .where(ArticleView.day >= since)
        .group_by(ArticleView.slug)
        .order_by(total.desc(), ArticleView.slug)
        .limit(limit)
    )
    return [slug for slug, _count in rows]


def record_feedback(
    session: Session, *, slug: str, visitor_key: str, is_helpful: bool, comment: str | None,
    now: datetime,
) -> ArticleFeedback:
    """One vote per visitor and article: voting again replaces the earlier vote."""
    comment = (comment or "").strip()[:MAX_COMMENT_CHARS] or None
    vote = session.scalar(
        select(ArticleFeedback).where(
            ArticleFeedback.slug == slug, ArticleFeedback.visitor_key == visitor_key
        )
    )
    if vote is None:
        vote = ArticleFeedback(slug=slug, visitor_key=visitor_key, is_helpful=is_helpful,
                               comment=comment, created_at=now)
        try:
            with session.begin_nested():
                session.add(vote)
            return vote
        except IntegrityError:  # a double-sent vote won the race; update that one
            vote = session.scalars(
                select(ArticleFeedback).where(ArticleFeedback.slug == slug,
                                              ArticleFeedback.visitor_key == visitor_key)
            ).one()
    vote.is_helpful, vote.comment, vote.created_at = is_helpful, comment, now
    return vote


def feedback_counts(session: Session, *, since: datetime) -> dict[str, tuple[int, int]]:
    """slug -> (helpful votes, unhelpful votes) since a time, for the staff console."""
    rows = session.execute(
        select(ArticleFeedback.slug, ArticleFeedback.is_helpful, func.count())
        .where(ArticleFeedback.created_at >= since)
        .group_by(ArticleFeedback.slug, ArticleFeedback.is_helpful)
    )
    counts: dict[str, list[int]] = {}
    for slug, is_helpful, count in rows:
        counts.setdefault(slug, [0, 0])[0 if is_helpful else 1] += count
    return {slug: (yes, no) for slug, (yes, no) in counts.items()}


def failed_searches(session: Session, *, since: datetime, limit: int = 20) -> list[tuple[str, int]]:
    """The most frequent searches that found nothing: articles editors should write."""
    total = func.count()
    rows = session.execute(
        select(SearchEvent.normalized_query, total)
        .where(SearchEvent.created_at >= since, SearchEvent.hit_count == 0,
               SearchEvent.normalized_query != "")
        .group_by(SearchEvent.normalized_query)
        .order_by(total.desc(), SearchEvent.normalized_query)
        .limit(limit)
    )
    return [(query, count) for query, count in rows]
