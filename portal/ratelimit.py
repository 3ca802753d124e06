"""Rate-limit counters that every worker and every app server share.

Flask-Limiter's default in-process memory gives each gunicorn worker its own counters, so
`make run`'s two workers answered twice the documented number of wrong passwords. By
default the counters now live in the portal's own database (one row per key and window,
updated with one atomic upsert), which every worker and every app server already share.
`PORTAL_RATELIMIT_STORAGE_URI=redis://...` (or any URI the `limits` package knows) moves
them elsewhere.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from typing import Any

from flask import Flask
from limits.storage import Storage
from sqlalchemy import Engine, String, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.extensions import limiter

DATABASE = "database"
_SCHEME = "portal+database"
_SWEEP_EVERY = 200  # increments between deletions of windows long over


class RateLimitCounter(Base):
    """One fixed window of one limit key (an IP address, an email) and its hits so far."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # see _stored_key
    hits: Mapped[int]
    expires_at: Mapped[float]  # Unix seconds, as the limits package counts


def _stored_key(key: str) -> str:
    """Keys hold what people typed (an email, NULs and all): stored as a fixed-size hash."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class DatabaseStorage(Storage):
    """A `limits` storage for the fixed-window strategy, in the app's SQL database."""

    STORAGE_SCHEME = [_SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.engine: Engine = options["engine"]
        self._increments = itertools.count(1)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        table = RateLimitCounter.__table__
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        window_over = table.c.expires_at <= now
        statement = (
            dialect.insert(table)
            .values(key=_stored_key(key), hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(index_elements=[table.c.key], set_={
                "hits": case((window_over, amount), else_=table.c.hits + amount),
                "expires_at": case((window_over, now + expiry), else_=table.c.expires_at),
            })
            .returning(table.c.hits)
        )
        with self.engine.begin() as connection:
            hits = connection.execute(statement).scalar_one()
            if next(self._increments) % _SWEEP_EVERY == 0:
                connection.execute(delete(table).where(table.c.expires_at < now))
        return int(hits)

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            hits = connection.execute(
                select(RateLimitCounter.hits)
                .where(RateLimitCounter.key == _stored_key(key),
                       RateLimitCounter.expires_at > time.time())
            ).scalar()
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            expires_at = connection.execute(
                select(RateLimitCounter.expires_at)
                .where(RateLimitCounter.key == _stored_key(key))
            ).scalar()
        return float(expires_at) if expires_at is not None else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(RateLimitCounter).where(RateLimitCounter.key == _stored_key(key)))


def init_app(app: Flask) -> None:
    """Binds the limiter to the configured counter store (the database unless told)."""
    if app.config["RATELIMIT_STORAGE_URI"] == DATABASE:
        app.config["RATELIMIT_STORAGE_URI"] = f"{_SCHEME}://"
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"engine": app.extensions["portal_engine"]}
    limiter.init_app(app)
