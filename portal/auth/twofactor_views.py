"""Two-step sign-in for staff: the second step after the password, and setting it up."""

from __future__ import annotations

import segno
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.audit import record_event
from portal.auth import twofactor
from portal.auth.forms import SecondFactorForm
from portal.auth.models import Customer
from portal.auth.signin import finish_pending, pending_customer_id
from portal.auth.views import bp, login_limit
from portal.db import get_session, utcnow
from portal.extensions import limiter


def _pending_key() -> str:
    return f"second-factor-{pending_customer_id()}"


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=_pending_key)
def second_factor() -> Response | tuple[str, int] | str:
    session, customer_id = get_session(), pending_customer_id()
    customer = session.get(Customer, customer_id) if customer_id else None
    if customer is None or not customer.is_active:
        flash("Sign in again: the second step waits 10 minutes at most.", "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        try:
            kind = twofactor.verify_second_factor(session, customer_id=customer.id,
                                                  code=form.code.data, now=utcnow())
        except twofactor.InvalidSecondFactor as error:
            form.code.errors = [error.message]
        else:
            if kind == "recovery":
                record_event(session, actor_id=customer.id, action="recovery_code_used",
                             object_type="customer", object_id=customer.id)
            session.commit()
            return finish_pending(customer)
    return render_template("auth/second_factor.html", form=form), 422 if form.errors else 200


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor() -> Response | tuple[str, int] | str:
    if not twofactor.requires_second_factor(current_user):
        abort(404)
    session, form = get_session(), SecondFactorForm()
    if twofactor.is_enrolled(session, current_user.id):
        unused = twofactor.unused_recovery_codes(session, customer_id=current_user.id)
        return render_template("auth/two_factor_on.html", form=form, unused=unused)
    credential = twofactor.begin_enrolment(session, current_user)
    session.commit()
    if form.validate_on_submit():
        try:
            recovery_codes = twofactor.confirm_enrolment(session, current_user,
                                                         code=form.code.data, now=utcnow())
        except twofactor.InvalidSecondFactor as error:
            form.code.errors = [error.message]
        else:
            record_event(session, actor_id=current_user.id, action="two_factor_enabled",
                         object_type="customer", object_id=current_user.id)
            session.commit()
            return render_template("auth/recovery_codes.html", codes=recovery_codes)
    uri = twofactor.provisioning_uri(credential, email=current_user.email,
                                     issuer=current_app.config["STORE_POLICY"].store_name)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return render_template("auth/two_factor_setup.html", form=form, qr=qr,
                           secret=credential.secret), 422 if form.errors else 200


@bp.post("/account/two-factor/recovery-codes")
@login_required
def new_recovery_codes() -> Response | tuple[str, int] | str:
    session, form = get_session(), SecondFactorForm()
    if not twofactor.is_enrolled(session, current_user.id):
        return redirect(url_for("auth.two_factor"))
    if form.validate_on_submit():
        try:
            twofactor.verify_second_factor(session, customer_id=current_user.id,
                                           code=form.code.data, now=utcnow())
        except twofactor.InvalidSecondFactor as error:
            form.code.errors = [error.message]
        else:
            recovery_codes = twofactor.replace_recovery_codes(session,
                                                              customer_id=current_user.id)
            record_event(session, actor_id=current_user.id, action="recovery_codes_replaced",
                         object_type="customer", object_id=current_user.id)
            session.commit()
            return render_template("auth/recovery_codes.html", codes=recovery_codes)
    unused = twofactor.unused_recovery_codes(session, customer_id=current_user.id)
    return render_template("auth/two_factor_on.html", form=form, unused=unused), 422
