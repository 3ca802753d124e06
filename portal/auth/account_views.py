"""Account settings beyond the profile: first password, email change, editing an address."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.auth import email_change, service
from portal.auth.forms import AddressForm, EmailChangeForm, NewPasswordForm
from portal.auth.views import bp, render_account
from portal.db import get_session, utcnow
from portal.domain import DomainError
from portal.links import external_url


@bp.route("/account/password/new", methods=["GET", "POST"])
@login_required
def choose_password() -> Response | tuple[str, int] | str:
    """For an account opened with an emailed code: a password is optional."""
    if current_user.password_hash is not None:
        return redirect(url_for("auth.account"))
    session, form = get_session(), NewPasswordForm()
    if form.validate_on_submit():
        service.choose_first_password(session, current_user, new_password=form.password.data,
                                      now=utcnow())
        session.commit()
        flash("Your password is set. You can still sign in with an emailed code.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/choose_password.html", form=form), 422 if form.errors else 200


@bp.route("/account/addresses/<int:address_id>/edit", methods=["GET", "POST"])
@login_required
def edit_address(address_id: int) -> Response | tuple[str, int] | str:
    session = get_session()
    address = service.get_address(session, customer_id=current_user.id, address_id=address_id)
    form = AddressForm(obj=address)
    if form.validate_on_submit():
        fields = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        service.update_address(session, customer_id=current_user.id, address_id=address_id,
                               **fields)
        session.commit()
        flash("Address saved. Orders already placed keep the address they were sent to.",
              "success")
        return redirect(url_for("auth.account") + "#addresses")
    return render_template("auth/edit_address.html", form=form, address=address), (
        422 if form.errors else 200)


@bp.post("/account/email")
@login_required
def change_email() -> Response | tuple[str, int]:
    session, form = get_session(), EmailChangeForm()
    if form.validate_on_submit():
        try:
            email_change.request_email_change(
                session, current_user, new_email=form.new_email.data,
                current_password=form.current_password.data,
                secret_key=current_app.secret_key,
                confirm_url=external_url("auth.confirm_email", token="TOKEN"),  # noqa: S106
            )
        except DomainError as error:
            getattr(form, error.field or "new_email").errors.append(error.message)
        else:
            session.commit()
            flash(f"To finish, open the link we sent to {form.new_email.data.strip()}. Until "
                  "then your account keeps its current email.", "info")
            return redirect(url_for("auth.account"))
    return render_account(email_form=form, status=422)


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> Response | str:
    """A GET only shows a button: mail scanners that open links must not change anything."""
    session, secret_key = get_session(), current_app.secret_key
    try:
        if request.method == "POST":
            customer = email_change.confirm_email_change(
                session, token=token, secret_key=secret_key,
                undo_url=external_url("auth.undo_email", token="TOKEN"),  # noqa: S106
            )
            session.commit()
            flash(f"Your account now uses {customer.email}.", "success")
            return redirect(url_for("auth.account"))
        _customer, email = email_change.read_confirm_link(session, token=token,
                                                          secret_key=secret_key)
    except email_change.InvalidEmailLink as error:
        return _link_failed(error)
    return render_template("auth/email_link.html", kind="confirm", email=email)


@bp.route("/account/email/undo/<token>", methods=["GET", "POST"])
def undo_email(token: str) -> Response | str:
    session, secret_key = get_session(), current_app.secret_key
    try:
        if request.method == "POST":
            customer = email_change.undo_email_change(session, token=token,
                                                      secret_key=secret_key, now=utcnow())
            session.commit()
            flash(f"Your account uses {customer.email} again. Now choose a new password.",
                  "success")
            return redirect(url_for("auth.reset_request"))
        _customer, email = email_change.read_undo_link(session, token=token,
                                                       secret_key=secret_key)
    except email_change.InvalidEmailLink as error:
        return _link_failed(error)
    return render_template("auth/email_link.html", kind="undo", email=email)


def _link_failed(error: email_change.InvalidEmailLink) -> Response:
    flash(error.message, "error")
    return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))
