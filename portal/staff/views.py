"""The staff console: every route here is for staff, guarded once for the whole blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from portal.db import get_session
from portal.staff import service

bp = Blueprint("staff", __name__)


@bp.before_request
def require_staff() -> None:
    # A 404, not a 403: shoppers are not told the console exists.
    if not current_user.is_authenticated or not current_user.is_staff:
        abort(404)


@bp.get("/")
def dashboard() -> str:
    counts = service.dashboard_counts(get_session())
    return render_template("staff/dashboard.html", counts=counts)


import portal.staff.content_views  # noqa: E402  (routes join this blueprint)
import portal.staff.requests_views  # noqa: E402  (routes join this blueprint)
import portal.staff.returns_views  # noqa: E402, F401  (routes join this blueprint)
