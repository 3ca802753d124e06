"""Staff console: find an order, see it whole, and act on it from a ticket.

Routes join the staff blueprint, so its guard (404 for anyone not staff) covers them. Every
action is a confirmed, CSRF-checked POST that commits once and lands in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.db import get_session, utcnow
from portal.domain import DomainError, NotFound
from portal.links import external_url
from portal.money import format_money, to_cents
from portal.returns.models import ReturnReason
from portal.staff import order_actions
from portal.staff.forms import OrderActionForm, RefundForm, StaffReturnForm
from portal.staff.views import bp
from portal.store import current_policy
from portal.web import render


@bp.get("/orders")
def orders() -> Response:
    number = (request.args.get("q") or "").strip().upper()[:40]
    if number:
        try:
            order_actions.get_order(get_session(), number=number)
        except NotFound:
            flash(f"No order numbered “{number}”. Search the queue by email or name.", "error")
        else:
            return redirect(url_for("staff.order_detail", order_number=number))
    return render("staff/orders/find.html", q=number)


@bp.get("/orders/<order_number>")
def order_detail(order_number: str) -> Response:
    return _render(order_number)


def _render(order_number: str, *, status: int = 200, **forms: object) -> Response:
    overview = order_actions.order_overview(get_session(), number=order_number)
    for name, form_class in (("refund_form", RefundForm), ("return_form", StaffReturnForm)):
        if name not in forms:
            form = form_class(formdata=None, prefix=name)
            form.set_lines(overview.order)
            forms[name] = form
    for name in ("cancel_form", "invoice_form"):  # prefixes keep the page's ids unique
        forms.setdefault(name, OrderActionForm(formdata=None, prefix=name))
    return render("staff/orders/detail.html", status=status, view=overview, **forms)


def _act(order_number: str, form: OrderActionForm, field: str,
         step: Callable[[], str]) -> Response:
    if not form.validate_on_submit():
        return _render(order_number, status=422, **{field: form})
    session = get_session()
    try:
        done = step()
    except NotFound:
        raise
    except DomainError as error:  # refusals of the orders, billing and returns rules
        session.rollback()
        flash(error.message, "error")
    else:
        session.commit()
        flash(done, "success")
    return redirect(url_for("staff.order_detail", order_number=order_number), 303)


@bp.post("/orders/<order_number>/cancel")
def order_cancel(order_number: str) -> Response:
    form = OrderActionForm(prefix="cancel_form")

    def step() -> str:
        refunded = order_actions.cancel_unshipped(
            get_session(), number=order_number, staff_id=current_user.id, now=utcnow(),
            idempotency_key=form.key.data)
        currency = order_actions.get_order(get_session(), number=order_number).currency
        return (f"Unshipped items cancelled; {format_money(refunded, currency)} refunded; "
                "the shopper is told.")

    return _act(order_number, form, "cancel_form", step)


@bp.post("/orders/<order_number>/refund")
def order_refund(order_number: str) -> Response:
    order = order_actions.get_order(get_session(), number=order_number)
    form = RefundForm(prefix="refund_form")
    form.set_lines(order)

    def step() -> str:
        amount = to_cents(form.amount.data, order.currency) if form.amount.data else None
        refunded = order_actions.refund(
            get_session(), number=order_number, staff_id=current_user.id, now=utcnow(),
            reason=form.reason.data, idempotency_key=form.key.data,
            line_id=int(form.line.data) if form.line.data else None,
            quantity=form.quantity.data or 1, amount_cents=amount)
        return f"{format_money(refunded, order.currency)} refunded; the shopper is told."

    return _act(order_number, form, "refund_form", step)


@bp.post("/orders/<order_number>/invoice")
def order_resend_invoice(order_number: str) -> Response:
    form = OrderActionForm(prefix="invoice_form")

    def step() -> str:
        invoice = order_actions.resend_invoice(
            get_session(), number=order_number, staff_id=current_user.id,
            invoice_url=lambda number: external_url("billing.invoice", invoice_number=number))
        return f"Invoice {invoice.number} sent to the shopper again."

    return _act(order_number, form, "invoice_form", step)


@bp.post("/orders/<order_number>/return")
def order_start_return(order_number: str) -> Response:
    order = order_actions.get_order(get_session(), number=order_number)
    form = StaffReturnForm(prefix="return_form")
    form.set_lines(order)

    def step() -> str:
        created = order_actions.start_return_for_shopper(
            get_session(), number=order_number, staff_id=current_user.id,
            line_id=int(form.line.data), quantity=form.quantity.data,
            reason=ReturnReason(form.reason.data), policy=current_policy(), now=utcnow(),
            idempotency_key=form.key.data)
        return f"Return {created.rma_number} started; the shopper is told."

    return _act(order_number, form, "return_form", step)
