"""Server-side sign-in sessions: each browser's cookie names a row that can be ended."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from ua_parser import parse as parse_user_agent

from portal.auth.models import Customer, LoginSession
from portal.domain import NotFound

# A session nobody used for this long is over, even with a remember-me cookie.
IDLE_LIMIT = timedelta(days=30)
# last_seen_at is written at most this often per session, so browsing costs no writes.
SEEN_INTERVAL = timedelta(minutes=5)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class ActiveSession:
    id: int
    device: str
    ip_address: str | None
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def describe_device(user_agent: str | None) -> str:
    """'Firefox on Windows', 'Mobile Safari on iOS (iPhone)': what a person recognises."""
    result = parse_user_agent((user_agent or "")[:512])
    browser = result.user_agent.family if result.user_agent else "Unknown browser"
    system = result.os.family if result.os and result.os.family != "Other" else None
    device = result.device.family if result.device and result.device.family != "Other" else None
    label = f"{browser} on {system}" if system else browser
    if device and device not in label and device != "Spider":
        label += f" ({device})"
    return label[:120]


def open_session(
    session: Session, customer: Customer, *, user_agent: str | None, ip_address: str | None,
    now: datetime,
) -> LoginSession:
    """A new session for a customer who just proved who they are; the customer object
    carries its token from now on, for the cookie."""
    login_session = LoginSession(
        token=secrets.token_urlsafe(32), customer_id=customer.id,
        device=describe_device(user_agent), ip_address=(ip_address or "")[:45] or None,
        created_at=now, last_seen_at=now,
    )
    session.add(login_session)
    session.flush()
    customer.login_session_id = login_session.id
    customer.login_session_token = login_session.token
    return login_session


def load_signed_in(session: Session, *, token: str, now: datetime) -> tuple[Customer, bool] | None:
    """The active customer of a live session, in one query, and whether last_seen is due."""
    if not TOKEN_PATTERN.fullmatch(token):  # e.g. a cookie from before sessions were kept
        return None
    row = session.execute(
        select(Customer, LoginSession.id, LoginSession.last_seen_at)
        .join(LoginSession, LoginSession.customer_id == Customer.id)
        .where(
            LoginSession.token == token, LoginSession.revoked_at.is_(None),
            LoginSession.last_seen_at > now - IDLE_LIMIT, Customer.is_active.is_(True),
        )
    ).one_or_none()
    if row is None:
        return None
    customer, session_id, last_seen_at = row
    customer.login_session_id = session_id
    customer.login_session_token = token
    return customer, now - last_seen_at >= SEEN_INTERVAL


def note_seen(engine: Engine, *, session_id: int, now: datetime) -> None:
    """Records that a session was used; on its own connection, outside the request's work."""
    with engine.begin() as connection:
        connection.execute(
            update(LoginSession).where(LoginSession.id == session_id).values(last_seen_at=now)
        )


def list_active_sessions(
    session: Session, *, customer_id: int, current_id: int | None, now: datetime
) -> list[ActiveSession]:
    """The customer's live sessions, this one first, then the most recently used."""
    rows = session.execute(
        select(LoginSession.id, LoginSession.device, LoginSession.ip_address,
               LoginSession.created_at, LoginSession.last_seen_at)
        .where(LoginSession.customer_id == customer_id, LoginSession.revoked_at.is_(None),
               LoginSession.last_seen_at > now - IDLE_LIMIT)
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    ).all()
    found = [ActiveSession(*row, is_current=row.id == current_id) for row in rows]
    return sorted(found, key=lambda item: not item.is_current)


def end_session(session: Session, *, customer_id: int, session_id: int, now: datetime) -> None:
    """Ends one of the customer's own sessions (again is harmless); anyone else's is NotFound."""
    ended = session.execute(
        update(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.customer_id == customer_id)
        .values(revoked_at=func.coalesce(LoginSession.revoked_at, now))
    )
    if ended.rowcount == 0:
        raise NotFound("That session was not found.")


def end_all_sessions(
    session: Session, *, customer_id: int, now: datetime, keep_id: int | None = None
) -> int:
    """Ends every session of the customer (but `keep_id`); returns how many ended."""
    statement = update(LoginSession).where(
        LoginSession.customer_id == customer_id, LoginSession.revoked_at.is_(None)
    )
    if keep_id is not None:
        statement = statement.where(LoginSession.id != keep_id)
    return session.execute(statement.values(revoked_at=now)).rowcount
