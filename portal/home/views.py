"""The front door and the liveness probe."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.db import get_session, utcnow
from portal.formatting import user_locale, user_zone
from portal.home.service import shopper_overview

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response | str:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_staff:
        return redirect(url_for("staff.dashboard"))
    overview = shopper_overview(get_session(), customer_id=current_user.id, zone=user_zone(),
                                locale=user_locale(), now=utcnow())
    return render_template("home/index.html", overview=overview)


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
