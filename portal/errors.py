"""One renderer for every error status: a page in the layout, or a fragment for htmx."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.domain import NotFound
from portal.web import is_htmx, render

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something in that request was not right",
          "The page could not use what was sent. Go back, reload the page and try again."),
    401: ("Not signed", "This request needs a valid signature."),
    403: ("Not allowed", "Your account cannot open this page."),
    404: ("We could not find that page",
          "The link may be old, or the item may belong to another account."),
    405: ("Not allowed", "That page cannot be used this way."),
    422: ("Something in that request was not right", "Please check what you entered."),
    429: ("Too many attempts",
          "For your security we paused this for a moment. Please wait a minute and try again."),
    500: ("Something went wrong on our side",
          "We have been told about it. Please try again in a moment; nothing you saved is lost."),
}


def render_error(status: int, detail: str | None = None) -> Response:
    title, message = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    if request_ctx.url_adapter is None:  # a Host outside TRUSTED_HOSTS: no link can be built
        return Response(f"{title}\n", status, mimetype="text/plain")
    if request.path.startswith("/api/"):
        response = jsonify(error=detail or title)
        response.status_code = status
        return response
    response = render(
        "errors/error.html", fragment="errors/_error.html", status=status,
        code=status, title=title, message=detail or message,
    )
    if is_htmx():
        # The fragment goes where the shopper looks for news, whatever region the request
        # meant to update (a 404, an expired CSRF token, a rate limit on /track alike);
        # htmx is configured to swap 4xx/5xx responses (templates/base.html).
        response.headers["HX-Retarget"] = "#flash-region"
        response.headers["HX-Reswap"] = "innerHTML show:top"
    return response


def _handle_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    is_api = request.path.startswith("/api/")
    detail = error.description if status in (400, 422) and is_api else None
    response = render_error(status, detail)
    if status == 429 and error.response is not None:
        for header in ("Retry-After", "X-RateLimit-Reset"):
            if header in error.response.headers:
                response.headers[header] = error.response.headers[header]
    return response


CSRF_MESSAGE = (
    "Your form expired or was sent from elsewhere. Go back, reload the page and send it again."
)


def _handle_csrf_error(_error: CSRFError) -> Response:
    return render_error(400, CSRF_MESSAGE)


def _handle_unexpected_error(error: Exception) -> Response:
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    if isinstance(error, HTTPException):
        return _handle_http_error(error)
    log.exception("unhandled error on %s", request.path)
    return render_error(InternalServerError.code)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _handle_csrf_error)
    app.register_error_handler(NotFound, lambda _error: render_error(404))
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Exception, _handle_unexpected_error)
