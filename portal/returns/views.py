"""Returns for shoppers: the list, starting one, following it, its label, cancelling it."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_login import current_user, login_required

from portal.db import get_session, utcnow
from portal.numbers import to_int
from portal.pagination import page_number
from portal.returns import progress, service
from portal.returns.forms import CancelForm, ReturnFormBase, build_return_form
from portal.returns.label import render_label
from portal.returns.lines import ReturnableOrder
from portal.store import current_policy, policy_variables
from portal.web import is_htmx, redirect_to, render, show_error

bp = Blueprint("returns", __name__)


@bp.get("")
@login_required
def list_returns() -> Response:
    session, policy = get_session(), current_policy()
    page = service.list_returns(session, customer_id=current_user.id,
                                page=page_number(request.args.get("page")))
    candidates = service.recent_returnable_orders(
        session, customer_id=current_user.id, policy=policy, now=utcnow()
    )
    return render("returns/list.html", fragment="returns/_list.html", page=page,
                  candidates=candidates)


@bp.get("/policy")
def policy() -> Response:
    return render("returns/policy.html", policy=current_policy(),
                  terms=policy_variables(current_policy()))


def _form_for(returnable: ReturnableOrder) -> ReturnFormBase:
    return build_return_form(
        returnable.eligible, bonus_percent=returnable.rules.credit_bonus_percent,
        preselect=request.args.get("line", type=to_int),
    )


def _render_form(returnable: ReturnableOrder, form: ReturnFormBase, status: int = 200,
                 estimate_only: bool = False) -> Response:
    estimate = service.estimate_for(returnable, form.items(), form.chosen_resolution)
    fragment = "returns/_estimate.html" if estimate_only else "returns/_form.html"
    return render("returns/new.html", fragment=fragment, status=status, returnable=returnable,
                  form=form, estimate=estimate)


def _returnable(order_number: str) -> ReturnableOrder:
    return service.get_returnable_order(
        get_session(), customer_id=current_user.id, order_number=order_number,
        policy=current_policy(), now=utcnow(),
    )


@bp.route("/new/<order_number>", methods=["GET", "POST"])
@login_required
def new(order_number: str) -> Response:
    returnable = _returnable(order_number)
    form = _form_for(returnable)
    if request.method == "GET":
        return _render_form(returnable, form)
    if request.form.get("intent") == "estimate":
        form.validate()  # messages beside the fields; nothing is saved
        return _render_form(returnable, form, estimate_only=is_htmx())
    session = get_session()
    try:
        if form.validate_on_submit():
            created = service.start_return(
                session, customer_id=current_user.id, order_number=order_number,
                items=form.items(), resolution=form.chosen_resolution,
                idempotency_key=form.idempotency_key.data, policy=current_policy(),
                now=utcnow(),
            )
            session.commit()
            target = url_for("returns.detail", rma_number=created.rma_number)
            return redirect_to(target, 303)
    except service.InvalidReturn as error:
        session.rollback()
        show_error(form, error)
        returnable = _returnable(order_number)  # what is returnable now, after the refusal
    return _render_form(returnable, form, status=422)


@bp.get("/<rma_number>")
@login_required
def detail(rma_number: str) -> Response:
    session = get_session()
    found = service.get_return(session, customer_id=current_user.id, rma_number=rma_number)
    return render("returns/detail.html", return_request=found, cancel_form=CancelForm(),
                  cancellable=found.status in progress.CANCELLABLE,
                  refunded=progress.refunds_for(session, return_request_id=found.id))


@bp.get("/<rma_number>/label.pdf")
@login_required
def label(rma_number: str) -> Response:
    found = service.get_return(get_session(), customer_id=current_user.id,
                               rma_number=rma_number)
    if not progress.has_label(found):
        flash("This return has no label any more.", "warning")
        return redirect(url_for("returns.detail", rma_number=rma_number))
    items = [f"{line.quantity} x {line.order_line.product_name} ({line.order_line.sku})"
             for line in found.lines]
    pdf = render_label(found, policy=current_policy(), item_lines=items)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{rma_number}-label.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<rma_number>/cancel")
@login_required
def cancel(rma_number: str) -> Response:
    session, form = get_session(), CancelForm()
    if form.validate_on_submit():
        try:
            service.cancel_return(session, customer_id=current_user.id, rma_number=rma_number,
                                  policy=current_policy(), now=utcnow())
        except progress.ReturnStateError as error:
            session.rollback()
            flash(error.message, "error")
        else:
            session.commit()
            flash("Your return is cancelled.", "success")
    return redirect(url_for("returns.detail", rma_number=rma_number), 303)
