"""Recording a visitor's help session, and the deflection figures staff read.

The rules: activity within `IDLE_TIMEOUT` of the last continues a session; a deflection or
a request ends it (the next activity starts a new one); a request counts against every help
session of the same shopper that started in the 24 hours before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from portal.help_sessions.models import HelpEventKind, HelpSession, HelpSessionEvent

IDLE_TIMEOUT = timedelta(minutes=30)
REQUEST_WINDOW = timedelta(hours=24)
TYPING_WINDOW = timedelta(seconds=60)  # keystrokes of search-as-you-type are one search
MAX_TEXT = 200


def continue_session(
    session: Session, *, visitor_key: str, customer_id: int | None, current_id: int | None,
    now: datetime, order_id: int | None = None,
) -> HelpSession:
    """The visitor's running help session, or a new one when it ended or went idle."""
    current = session.get(HelpSession, current_id) if current_id else None
    if (
        current is not None
        and current.visitor_key == visitor_key
        and current.deflected_at is None
        and current.request_id is None
        and now - current.last_seen_at <= IDLE_TIMEOUT
    ):
        current.last_seen_at = now
        if order_id is not None:
            current.order_id = order_id
        return current
    started = HelpSession(visitor_key=visitor_key[:80], customer_id=customer_id,
                          order_id=order_id, started_at=now, last_seen_at=now)
    session.add(started)
    session.flush()
    return started


def record_search(session: Session, help_session: HelpSession, *, query: str,
                  now: datetime) -> None:
    """A search; a refinement typed within a minute replaces the previous search."""
    query = query.strip()[:MAX_TEXT]
    if not query:
        return
    last = _last_event(session, help_session)
    if (
        last is not None and last.kind is HelpEventKind.SEARCH and last.query
        and now - last.created_at <= TYPING_WINDOW
        and (query.lower().startswith(last.query.lower())
             or last.query.lower().startswith(query.lower()))
    ):
        last.query, last.created_at = query, now
        return
    help_session.search_count += 1
    _add_event(session, help_session, HelpEventKind.SEARCH, now, query=query)


def record_article_view(session: Session, help_session: HelpSession, *, slug: str,
                        now: datetime) -> None:
    """An article opened during the session."""
    help_session.article_view_count += 1
    _add_event(session, help_session, HelpEventKind.ARTICLE_VIEW, now, slug=slug)


def record_deflection(session: Session, help_session: HelpSession, *, query: str | None,
                      slug: str, now: datetime) -> None:
    """"This answered my question": the session ends without a request."""
    if help_session.deflected_at is None:
        help_session.deflected_at = now
    _add_event(session, help_session, HelpEventKind.DEFLECTION, now, query=query, slug=slug)


def record_not_helped(session: Session, help_session: HelpSession, *, query: str | None,
                      now: datetime) -> None:
    """The shopper saw suggestions and wrote to us anyway."""
    _add_event(session, help_session, HelpEventKind.NOT_HELPED, now, query=query)


def record_request(
    session: Session, help_session: HelpSession, *, request_id: int, customer_id: int,
    now: datetime,
) -> None:
    """A request was opened: it ends this session and counts against the day's sessions."""
    help_session.request_id = request_id
    help_session.request_opened_at = help_session.request_opened_at or now
    help_session.last_seen_at = now
    _add_event(session, help_session, HelpEventKind.REQUEST, now)
    session.execute(
        update(HelpSession)
        .where(HelpSession.customer_id == customer_id, HelpSession.request_opened_at.is_(None),
               HelpSession.started_at >= now - REQUEST_WINDOW, HelpSession.started_at <= now)
        .values(request_opened_at=now)
        .execution_options(synchronize_session=False)
    )


def trail_for_request(session: Session, *, request_id: int) -> list[HelpSessionEvent]:
    """What the shopper searched and read before opening this request, oldest first."""
    return list(session.scalars(
        select(HelpSessionEvent).join(HelpSession)
        .where(HelpSession.request_id == request_id,
               HelpSessionEvent.kind != HelpEventKind.REQUEST)
        .order_by(HelpSessionEvent.id)
    ))


@dataclass(frozen=True)
class DeflectionSummary:
    sessions: int
    deflected: int  # searched or read, and no request within 24 h
    requested: int  # a request within 24 h
    said_answered: int  # clicked "This answered my question"

    def share(self, part: int) -> float:
        return part / self.sessions if self.sessions else 0.0


def deflection_summary(session: Session, *, since: datetime, until: datetime) -> DeflectionSummary:
    """Help sessions started in [since, until): how many ended in self-service vs a request."""
    tried = (HelpSession.search_count + HelpSession.article_view_count) > 0
    no_request = HelpSession.request_opened_at.is_(None)
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((tried & no_request, 1), else_=0)), 0),
            func.coalesce(func.sum(case((~no_request, 1), else_=0)), 0),
            func.coalesce(func.sum(case((HelpSession.deflected_at.is_not(None), 1), else_=0)), 0),
        ).where(HelpSession.started_at >= since, HelpSession.started_at < until)
    ).one()
    return DeflectionSummary(*(int(value) for value in row))


def _last_event(session: Session, help_session: HelpSession) -> HelpSessionEvent | None:
    return session.scalar(
        select(HelpSessionEvent).where(HelpSessionEvent.help_session_id == help_session.id)
        .order_by(HelpSessionEvent.id.desc()).limit(1))


def _add_event(session: Session, help_session: HelpSession, kind: HelpEventKind, now: datetime,
               *, query: str | None = None, slug: str | None = None) -> None:
    help_session.last_seen_at = max(help_session.last_seen_at, now)
    session.add(HelpSessionEvent(
        help_session_id=help_session.id, kind=kind, created_at=now,
        query=(query or "").strip()[:MAX_TEXT] or None, slug=slug[:120] if slug else None))
