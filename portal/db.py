"""Declarative base, a session per request, and the column types every model shares."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, Enum, MetaData, String, create_engine, event, text
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; SQLite hands back naive values, so they are re-tagged."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are stored in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


intpk = Annotated[int, mapped_column(primary_key=True)]
utc_datetime = Annotated[datetime, mapped_column(UTCDateTime)]
created_at = Annotated[datetime, mapped_column(UTCDateTime, default=utcnow, index=True)]
money = Annotated[int, mapped_column(default=0)]
currency_code = Annotated[str, mapped_column(String(3))]
# Where a record came from ("shopify", "store" for the generic API) and the shop's own id for
# it; unique together, so an event applied twice finds the record instead of copying it.
store_source = Annotated[str | None, mapped_column(String(20))]
store_external_id = Annotated[str | None, mapped_column(String(100))]


def db_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["portal_engine"] = engine
    app.extensions["portal_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_remove_session)


def get_engine() -> Engine:
    return current_app.extensions["portal_engine"]


def get_session() -> Session:
    """The session of the current request (or app context), created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["portal_sessionmaker"]()
    return g.db_session


@contextmanager
def new_session() -> Iterator[Session]:
    """A session outside the request one, for work that must commit on its own."""
    session = current_app.extensions["portal_sessionmaker"]()
    try:
        yield session
    finally:
        session.close()


def _remove_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def refresh_statistics(session: Session, *, full: bool = False) -> None:
    """Keeps the planner's statistics current: without them SQLite picks the (customer, date)
    index for per-order lookups and reads a shopper's whole history. `full` after a bulk load
    (ANALYZE every table); otherwise SQLite's PRAGMA optimize, which re-analyses only what
    changed enough. PostgreSQL's ANALYZE samples, so it is cheap either way."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("ANALYZE" if full else "PRAGMA optimize"))
    else:
        session.execute(text("ANALYZE"))
    session.commit()
