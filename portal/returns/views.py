from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("returns", __name__)


@bp.get("")
@login_required
def list_returns() -> str:
    return render_template("returns/list.html")
