"""Signing in with a code sent by email, and opening the account a store order made."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth import codes
from portal.auth.forms import CodeForm, EmailForm
from portal.auth.models import Customer
from portal.auth.signin import finish_sign_in
from portal.auth.views import bp, login_limit, submitted_email
from portal.db import get_session, utcnow
from portal.extensions import limiter
from portal.links import external_url

_EMAIL = "code_email"
_CLAIMING = "claiming_account"
_WRONG_TRIES = "code_wrong_tries"


def _pending_email() -> str:
    return cookie_session.get(_EMAIL) or request.remote_addr or ""


def _link_url() -> str:
    return external_url("auth.code_link", token="TOKEN")  # noqa: S106


def _await_code(email: str, *, claiming: bool) -> Response:
    cookie_session[_EMAIL] = email
    cookie_session[_CLAIMING] = claiming
    cookie_session[_WRONG_TRIES] = 0
    flash(f"If {email} can be used here, we have sent it a 6-digit code. It works once, "
          "within 10 minutes.", "info")
    return redirect(url_for("auth.code_enter"))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=submitted_email)
def code_request() -> Response | str:
    form = EmailForm()
    if form.validate_on_submit():
        session = get_session()
        codes.start_code_sign_in(session, email=form.email.data, now=utcnow(),
                                 secret_key=current_app.secret_key, link_url=_link_url())
        session.commit()
        return _await_code(form.email.data.strip().lower(), claiming=False)
    return render_template("auth/code_request.html", form=form)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=submitted_email)
def signup() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = EmailForm()
    if form.validate_on_submit():
        session = get_session()
        codes.start_sign_up(session, email=form.email.data, now=utcnow(),
                            secret_key=current_app.secret_key, link_url=_link_url(),
                            help_link=external_url("help.index"))
        session.commit()
        return _await_code(form.email.data.strip().lower(), claiming=True)
    return render_template("auth/signup.html", form=form)


@bp.route("/login/code/enter", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=_pending_email)
def code_enter() -> Response | tuple[str, int] | str:
    email = cookie_session.get(_EMAIL)
    if not email:
        return redirect(url_for("auth.code_request"))
    form, session = CodeForm(), get_session()
    if form.validate_on_submit():
        try:
            customer = codes.redeem_code(session, email=email, code=form.code.data,
                                         now=utcnow(), secret_key=current_app.secret_key)
        except codes.InvalidCode as error:
            session.commit()  # the wrong try counts against the code
            return _wrong_code(form, email, error.message)
        return _signed_in(customer)
    return render_template("auth/code_enter.html", form=form, email=email)


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def code_link(token: str) -> Response | str:
    """A GET only shows a button: mail scanners that open links must not use up the code."""
    session = get_session()
    try:
        email, code = codes.read_link_token(current_app.secret_key, token)
        if request.method == "POST":
            customer = codes.redeem_code(session, email=email, code=code, now=utcnow(),
                                         secret_key=current_app.secret_key)
            return _signed_in(customer)
    except codes.InvalidCode as error:
        session.commit()
        flash(error.message, "error")
        return redirect(url_for("auth.code_request"))
    return render_template("auth/code_link.html", email=email)


def _wrong_code(form: CodeForm, email: str, message: str) -> Response | tuple[str, int]:
    tries = cookie_session.get(_WRONG_TRIES, 0) + 1
    cookie_session[_WRONG_TRIES] = tries
    if tries >= codes.MAX_ATTEMPTS:
        cookie_session.pop(_EMAIL, None)
        flash("That was the fifth wrong code: ask for a new one.", "error")
        return redirect(url_for("auth.code_request"))
    form.code.errors = [message]
    return render_template("auth/code_enter.html", form=form, email=email), 422


def _signed_in(customer: Customer) -> Response:
    customer.last_login_at = utcnow()
    get_session().commit()
    claiming = cookie_session.pop(_CLAIMING, False)
    for key in (_EMAIL, _WRONG_TRIES):
        cookie_session.pop(key, None)
    target = request.args.get("next")
    if claiming and customer.password_hash is None:
        target = url_for("auth.choose_password")
    return finish_sign_in(customer, remember=False, target=target)
