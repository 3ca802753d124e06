"""Template filters: money through Babel, UTC times shown in the shopper's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from flask import Flask
from flask_login import current_user

from portal.money import babel_locale, format_money


def user_zone() -> ZoneInfo:
    """The signed-in person's time zone; UTC when unset or unknown."""
    name = getattr(current_user, "time_zone", None) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def user_locale() -> str:
    return getattr(current_user, "locale", None) or "en_US"


def money(cents: int | None, currency: str = "USD") -> str:
    return "" if cents is None else format_money(cents, currency, user_locale())


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(user_zone()), fmt, locale=babel_locale(user_locale()))


def local_date(value: datetime | date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(user_zone()).date()
    return format_date(value, fmt, locale=babel_locale(user_locale()))


def humanize(value: str | None) -> str:
    """'partially_shipped' -> 'Partially shipped'."""
    return "" if not value else str(value).replace("_", " ").capitalize()


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_filter(money)
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_date)
    app.add_template_filter(humanize)
