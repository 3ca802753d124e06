"""The staff console: every route here is for staff, guarded once for the whole blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth import twofactor
from portal.db import get_session
from portal.help.center import get_help_center
from portal.staff import service
from portal.support.sla import describe_seconds

bp = Blueprint("staff", __name__)
bp.add_app_template_filter(describe_seconds, "business_time")


@bp.before_request
def require_staff() -> Response | None:
    # A 404, not a 403: shoppers are not told the console exists.
    if not current_user.is_authenticated or not current_user.is_staff:
        abort(404)
    if not twofactor.is_enrolled(get_session(), current_user.id):
        flash("Set up two-step sign-in to open the staff console.", "info")
        return redirect(url_for("auth.two_factor"))
    return None


@bp.get("/")
def dashboard() -> str:
    counts = service.dashboard_counts(get_session())
    return render_template("staff/dashboard.html", counts=counts,
                           content_errors=get_help_center().error_count())


import portal.staff.audit_views  # noqa: E402  (routes join this blueprint)
import portal.staff.content_views  # noqa: E402  (routes join this blueprint)
import portal.staff.deliveries_views  # noqa: E402  (routes join this blueprint)
import portal.staff.macro_views  # noqa: E402  (routes join this blueprint)
import portal.staff.metrics_views  # noqa: E402  (routes join this blueprint)
import portal.staff.orders_views  # noqa: E402  (routes join this blueprint)
import portal.staff.requests_views  # noqa: E402  (routes join this blueprint)
import portal.staff.returns_views  # noqa: E402, F401  (routes join this blueprint)
