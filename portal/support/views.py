from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("support", __name__)


@bp.get("/contact")
@login_required
def contact() -> str:
    return render_template("support/contact.html")
