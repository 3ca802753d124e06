"""The request side of help sessions: which session this browser is in (kept in its cookie).

Views call these instead of the service so the session id and the visitor key are read
in one place. A signed-in shopper is known by their id; an anonymous visitor by a random
token kept in the signed session cookie.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import flask
from flask_login import current_user
from sqlalchemy.orm import Session

from portal.help_sessions import service
from portal.help_sessions.models import HelpSession

SESSION_KEY = "help_session_id"
VISITOR_KEY = "help_visitor"


def current(db: Session, *, now: datetime, order_id: int | None = None) -> HelpSession:
    """The browser's help session, continued or started, remembered in its cookie."""
    help_session = service.continue_session(
        db, visitor_key=_visitor_key(), customer_id=_customer_id(),
        current_id=_stored_id(), now=now, order_id=order_id)
    flask.session[SESSION_KEY] = help_session.id
    return help_session


def running(db: Session) -> HelpSession | None:
    """The help session this browser is in, without starting one."""
    found_id = _stored_id()
    found = db.get(HelpSession, found_id) if found_id else None
    return found if found is not None and found.visitor_key == _visitor_key() else None


def _stored_id() -> int | None:
    value = flask.session.get(SESSION_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _customer_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _visitor_key() -> str:
    if current_user.is_authenticated:
        return f"customer:{current_user.id}"
    token = flask.session.get(VISITOR_KEY)
    if not isinstance(token, str) or len(token) != 24:
        token = flask.session[VISITOR_KEY] = secrets.token_urlsafe(18)
    return f"visitor:{token}"


def track_search(db: Session, *, query: str, now: datetime) -> None:
    service.record_search(db, current(db, now=now), query=query, now=now)


def track_article_view(db: Session, *, slug: str, now: datetime) -> None:
    service.record_article_view(db, current(db, now=now), slug=slug, now=now)


def track_deflection(db: Session, *, query: str | None, slug: str, now: datetime) -> None:
    """Records "This answered my question" and forgets the session: the flow has ended."""
    service.record_deflection(db, current(db, now=now), query=query, slug=slug, now=now)
    flask.session.pop(SESSION_KEY, None)


def track_request(db: Session, *, request_id: int, customer_id: int, suggested_for: str | None,
                  now: datetime) -> None:
    """A request was opened; `suggested_for` is the text suggestions were shown for, if any."""
    help_session = current(db, now=now)
    if suggested_for:
        service.record_not_helped(db, help_session, query=suggested_for, now=now)
    service.record_request(db, help_session, request_id=request_id, customer_id=customer_id,
                           now=now)
    flask.session.pop(SESSION_KEY, None)
