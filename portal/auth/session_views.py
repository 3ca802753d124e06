"""Signing a browser in and out, and the account's list of signed-in devices."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import sessions
from portal.auth.models import Customer
from portal.db import get_engine, get_session, utcnow
from portal.extensions import login_manager

bp = Blueprint("sessions", __name__)


def sign_in(customer: Customer, *, remember: bool = False) -> None:
    """Opens a server-side session for a customer who has proved who they are, and commits."""
    session = get_session()
    sessions.open_session(
        session, customer, user_agent=request.user_agent.string,
        ip_address=request.remote_addr, now=utcnow(),
    )
    session.commit()
    login_user(customer, remember=remember)


def sign_out() -> None:
    """Ends this browser's session on the server, not only in its cookie."""
    if current_user.is_authenticated:
        session = get_session()
        sessions.end_session(session, customer_id=current_user.id,
                             session_id=current_user.login_session_id, now=utcnow())
        session.commit()
    logout_user()


@login_manager.user_loader
def load_user(token: str) -> Customer | None:
    found = sessions.load_signed_in(get_session(), token=token, now=utcnow())
    if found is None:
        return None
    customer, seen_due = found
    if seen_due:
        g.login_session_seen = customer.login_session_id
    return customer


@bp.after_app_request
def _note_session_seen(response: Response) -> Response:
    session_id = g.pop("login_session_seen", None)
    if session_id is not None:
        request_session = g.get("db_session")
        if request_session is not None:
            request_session.close()  # the request's work is done; free SQLite for this write
        sessions.note_seen(get_engine(), session_id=session_id, now=utcnow())
    return response


@bp.get("/account/sessions")
@login_required
def list_sessions() -> str:
    active = sessions.list_active_sessions(
        get_session(), customer_id=current_user.id,
        current_id=current_user.login_session_id, now=utcnow(),
    )
    return render_template("auth/sessions.html", sessions=active)


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int) -> Response:
    if session_id == current_user.login_session_id:
        sign_out()
        flash("You are signed out.", "info")
        return redirect(url_for("auth.login"))
    session = get_session()
    sessions.end_session(session, customer_id=current_user.id, session_id=session_id,
                         now=utcnow())
    session.commit()
    flash("That device is signed out.", "success")
    return redirect(url_for("sessions.list_sessions"))


@bp.post("/account/sessions/end-all")
@login_required
def end_all_sessions() -> Response:
    session = get_session()
    sessions.end_all_sessions(session, customer_id=current_user.id, now=utcnow())
    session.commit()
    logout_user()
    flash("You are signed out on every device, this one included.", "info")
    return redirect(url_for("auth.login"))
