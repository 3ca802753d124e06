"""Help sessions: one visitor's stretch of self-service, for the deflection metric.

A **help session** starts with the first help activity of a visitor (a help-center search,
an article opened, the "get help with this order" page, the contact form) and lasts while
activity follows within `IDLE_TIMEOUT` (30 minutes) of the previous one. It ends early when
the visitor says "This answered my question" (a deflection) or opens a request.

Columns the metrics read without joining the events:

- `started_at`, `last_seen_at`: UTC, the first and latest activity;
- `search_count`, `article_view_count`: how much self-service was tried;
- `deflected_at`: the visitor said an article answered the question (None otherwise);
- `request_opened_at`: the first support request the same shopper opened within
  `REQUEST_WINDOW` (24 hours) of `started_at`, from this session or a later one; `request_id`
  is the request opened *in* this session (its searches and views are shown to staff).

The deflection share is therefore: sessions with `search_count + article_view_count > 0`
and `request_opened_at IS NULL` (no request within 24 h), over all sessions that started in
the period; `portal.help_sessions.service.deflection_summary` computes exactly that.

`HelpSessionEvent` keeps the detail, one row per search, article view, deflection, "the
suggestions did not help" and request, for the staff view of a request.
"""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, created_at, db_enum, intpk, utc_datetime


class HelpEventKind(enum.StrEnum):
    SEARCH = "search"
    ARTICLE_VIEW = "article_view"
    DEFLECTION = "deflection"
    NOT_HELPED = "not_helped"
    REQUEST = "request"


class HelpSession(Base):
    __tablename__ = "help_sessions"

    id: Mapped[intpk]
    visitor_key: Mapped[str] = mapped_column(String(80), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    started_at: Mapped[created_at]
    last_seen_at: Mapped[utc_datetime]
    search_count: Mapped[int] = mapped_column(default=0)
    article_view_count: Mapped[int] = mapped_column(default=0)
    deflected_at: Mapped[utc_datetime | None]
    request_id: Mapped[int | None] = mapped_column(ForeignKey("support_requests.id"), index=True)
    request_opened_at: Mapped[utc_datetime | None]

    events: Mapped[list[HelpSessionEvent]] = relationship(
        back_populates="help_session", lazy="raise", order_by="HelpSessionEvent.id")

    __table_args__ = (Index("ix_help_sessions_customer_started", "customer_id", "started_at"),)


class HelpSessionEvent(Base):
    __tablename__ = "help_session_events"

    id: Mapped[intpk]
    help_session_id: Mapped[int] = mapped_column(ForeignKey("help_sessions.id"), index=True)
    kind: Mapped[HelpEventKind] = mapped_column(db_enum(HelpEventKind, "help_event_kind"))
    query: Mapped[str | None] = mapped_column(String(200))
    slug: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[created_at]

    help_session: Mapped[HelpSession] = relationship(back_populates="events", lazy="raise")
