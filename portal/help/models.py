from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, created_at, intpk


class SearchEvent(Base):
    """One help-center search, for the self-service metrics staff read."""

    __tablename__ = "search_events"

    id: Mapped[intpk]
    query: Mapped[str] = mapped_column(String(200))
    normalized_query: Mapped[str] = mapped_column(String(200), index=True)
    hit_count: Mapped[int]
    clicked_slug: Mapped[str | None] = mapped_column(String(120))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    led_to_request: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created_at]


class ArticleFeedback(Base):
    """A visitor's one vote on whether an article helped."""

    __tablename__ = "article_feedback"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(120), index=True)
    visitor_key: Mapped[str] = mapped_column(String(64))
    is_helpful: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[created_at]

    __table_args__ = (UniqueConstraint("slug", "visitor_key", name="uq_article_feedback_vote"),)


class ArticleView(Base):
    """How often an article was opened on one day: the help center's "most viewed"."""

    __tablename__ = "article_views"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(120))
    day: Mapped[date]
    view_count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("slug", "day", name="uq_article_views_slug_day"),)
