"""Full page or htmx fragment: the one module that knows about htmx-flask."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template
from htmx_flask import make_response
from htmx_flask import request as htmx_request


def is_htmx() -> bool:
    """True for a request htmx sent to swap part of a page.

    Not for a boosted navigation, nor for a history restore (going back after htmx's cache
    missed), which both need the whole page.
    """
    headers = htmx_request.htmx
    return bool(headers) and not headers.boosted and not headers.history_restore_request


def render(
    template: str,
    *,
    fragment: str | None = None,
    status: int = 200,
    push_url: str | None = None,
    **context: Any,
) -> Response:
    """Render the page, or only its fragment when htmx asks for it; caches keep them apart."""
    name = fragment if fragment and is_htmx() else template
    response = make_response(render_template(name, **context), status, push_url=push_url)
    response.vary.add("HX-Request")
    return response


def htmx_redirect(location: str) -> Response:
    """A redirect htmx follows with a full navigation instead of swapping the target."""
    return make_response("", 204, redirect=location)
