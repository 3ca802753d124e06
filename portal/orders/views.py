from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("orders", __name__)


@bp.get("/orders")
@login_required
def list_orders() -> str:
    return render_template("orders/list.html")


@bp.get("/track")
def track() -> str:
    return render_template("orders/track.html")
