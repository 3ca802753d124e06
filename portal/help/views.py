from __future__ import annotations

from flask import Blueprint

bp = Blueprint("help", __name__)


@bp.get("")
def index() -> str:
    return "help"


@bp.get("/search")
def search() -> str:
    return "search"
