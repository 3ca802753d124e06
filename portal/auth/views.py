from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.auth import service
from portal.auth.forms import (
    AddressForm,
    ChangePasswordForm,
    EmailChangeForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    ResetRequestForm,
)
from portal.auth.session_views import sign_out
from portal.auth.signin import finish_sign_in
from portal.db import get_session, utcnow
from portal.domain import DomainError
from portal.extensions import limiter
from portal.links import external_url
from portal.web import show_error

bp = Blueprint("auth", __name__)


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def submitted_email() -> str:
    return (request.form.get("email") or "").strip().lower() or request.remote_addr or ""


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=submitted_email)
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        customer = service.authenticate(
            session, email=form.email.data, password=form.password.data, now=utcnow()
        )
        if customer is not None:
            session.commit()
            return finish_sign_in(customer, remember=form.remember.data,
                                  target=request.args.get("next"))
        form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def reset_request() -> Response | str:
    form = ResetRequestForm()
    if form.validate_on_submit():
        session = get_session()
        service.request_password_reset(
            session, email=form.email.data, secret_key=current_app.secret_key,
            reset_url=external_url("auth.reset_password", token="TOKEN"),  # noqa: S106
        )
        session.commit()
        flash("If an account uses that email, a reset link is on its way. "
              "It works once, within an hour.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str:
    session, form = get_session(), NewPasswordForm()
    config = current_app.config
    try:
        if form.validate_on_submit():
            service.reset_password(
                session, token=token, new_password=form.password.data,
                secret_key=current_app.secret_key, max_age=config["PASSWORD_RESET_MAX_AGE"],
                now=utcnow(),
            )
            session.commit()
            flash("Your password is changed. Sign in with the new one.", "success")
            return redirect(url_for("auth.login"))
        service.customer_for_reset_token(
            session, token=token, secret_key=current_app.secret_key,
            max_age=config["PASSWORD_RESET_MAX_AGE"],
        )
    except service.InvalidResetToken as error:
        flash(error.message, "error")
        return redirect(url_for("auth.reset_request"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str:
    session = get_session()
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        service.update_profile(
            current_user, name=form.name.data, time_zone=form.time_zone.data,
            company_name=form.company_name.data, tax_id=form.tax_id.data,
        )
        session.commit()
        flash("Your details are saved.", "success")
        return redirect(url_for("auth.account"))
    return render_account(profile_form=form, status=422 if form.errors else 200)


@bp.post("/account/password")
@login_required
def change_password() -> Response | str:
    session, form = get_session(), ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(
                session, current_user, current_password=form.current_password.data,
                new_password=form.password.data, now=utcnow(),
            )
        except DomainError as error:
            show_error(form, error, field="current_password")
        else:
            session.commit()
            flash("Your password is changed.", "success")
            return redirect(url_for("auth.account"))
    return render_account(password_form=form, status=422)


@bp.post("/account/addresses")
@login_required
def add_address() -> Response | str:
    session, form = get_session(), AddressForm()
    if form.validate_on_submit():
        fields = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        service.add_address(session, customer_id=current_user.id, **fields)
        session.commit()
        flash("Address added.", "success")
        return redirect(url_for("auth.account") + "#addresses")
    return render_account(address_form=form, status=422)


@bp.post("/account/addresses/<int:address_id>/delete")
@login_required
def delete_address(address_id: int) -> Response:
    session = get_session()
    service.delete_address(session, customer_id=current_user.id, address_id=address_id)
    session.commit()
    flash("Address removed.", "success")
    return redirect(url_for("auth.account") + "#addresses")


def render_account(status: int = 200, **forms: object) -> tuple[str, int]:
    forms.setdefault("profile_form", ProfileForm(obj=current_user, formdata=None))
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("address_form", AddressForm(formdata=None))
    forms.setdefault("email_form", EmailChangeForm(formdata=None))
    addresses = service.list_addresses(get_session(), customer_id=current_user.id)
    return render_template("auth/account.html", addresses=addresses, **forms), status


import portal.auth.account_views  # noqa: E402  (routes join this blueprint)
import portal.auth.code_views  # noqa: E402  (routes join this blueprint)
import portal.auth.twofactor_views  # noqa: E402, F401  (routes join this blueprint)
