"""Full page or htmx fragment: the one module that knows about htmx-flask."""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, render_template
from flask_wtf import FlaskForm
from htmx_flask import make_response
from htmx_flask import request as htmx_request

from portal.domain import DomainError


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


def redirect_to(location: str, code: int = 302) -> Response:
    """Post/redirect/get for a full page; for htmx, a full navigation to the same place.

    htmx follows with location.href, where a target differing only by its #fragment would
    not reload, so the fragment is dropped for it.
    """
    if is_htmx():
        return htmx_redirect(location.split("#")[0])
    return redirect(location, code)


def show_error(form: FlaskForm, error: DomainError, *, field: str | None = None) -> None:
    """Puts a refusal beside the field it is about (the error's own, else `field`).

    Messages for other fields (error.field_errors) go beside those; with no field at all
    the message goes above the form (form_errors).
    """
    for name, message in error.field_errors.items():
        form[name].errors = [*form[name].errors, message]
    name = error.field if error.field in form else field
    if name is None:
        form.form_errors.append(error.message)
    else:
        form[name].errors = [*form[name].errors, error.message]
