"""Response headers every page carries."""

from __future__ import annotations

from flask import Flask, Response, abort, g, request
from werkzeug.datastructures import MultiDict

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _has_nul(values: MultiDict[str, str]) -> bool:
    return any("\x00" in value for _name, value in values.items(multi=True))


def _is_personal() -> bool:
    """A page for one person: someone is signed in (flask-login loaded them for this
    request), or it answers a form (a tracking lookup) or a link holding a token."""
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        return True
    return request.method not in ("GET", "HEAD") or "token" in (request.view_args or {})


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_bytes() -> None:
        # No person types a NUL byte; PostgreSQL refuses them in text, so stop them at the door.
        # In the path (/orders/%00) nothing by that name can exist: a 404, as on SQLite.
        if "\x00" in request.path:
            abort(404)
        if _has_nul(request.args) or _has_nul(request.form):
            abort(400)

    @app.after_request
    def _keep_personal_pages_out_of_caches(response: Response) -> Response:
        if request.endpoint != "static" and _is_personal():
            response.cache_control.public = False
            response.cache_control.max_age = None
            response.cache_control.private = True
            response.cache_control.no_store = True
            response.vary.add("Cookie")
        return response

    @app.after_request
    def _add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
