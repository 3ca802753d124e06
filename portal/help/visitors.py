"""Who is asking: the signed-in shopper, or an anonymous visitor known by a cookie."""

from __future__ import annotations

import secrets

from flask import current_app, request
from flask_login import current_user
from werkzeug.wrappers import Response

VISITOR_COOKIE = "help_visitor"
ONE_YEAR = 365 * 24 * 3600


def is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.is_staff)


def customer_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def visitor_key() -> str:
    """customer:<id> when signed in, else the visitor cookie's token (new if absent)."""
    if current_user.is_authenticated:
        return f"customer:{current_user.id}"
    token = request.cookies.get(VISITOR_COOKIE, "")
    if not (16 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()):
        token = secrets.token_urlsafe(18)
    return f"visitor:{token}"


def remember_visitor(response: Response, key: str) -> Response:
    if key.startswith("visitor:"):
        response.set_cookie(
            VISITOR_COOKIE, key.removeprefix("visitor:"), max_age=ONE_YEAR, httponly=True,
            samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response
