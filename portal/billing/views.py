from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("billing", __name__)


@bp.get("")
@login_required
def history() -> str:
    return render_template("billing/history.html")
