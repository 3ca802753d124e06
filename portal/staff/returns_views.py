"""Staff console: returns to review, approve or reject, check in, and refund.

Routes join the staff blueprint, whose before_request already admits only staff (404 for
anyone else). Every action goes through a CSRF-checked form and one review function.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.db import get_session, utcnow
from portal.domain import DomainError, NotFound
from portal.money import format_money
from portal.pagination import page_number
from portal.returns import progress
from portal.returns import staff as returns_staff
from portal.returns.forms import (
    RejectForm,
    StaffActionForm,
    StaffFilterForm,
    build_receive_form,
)
from portal.staff.views import bp
from portal.store import current_policy
from portal.web import render


@bp.get("/returns")
def returns() -> Response:
    form = StaffFilterForm(request.args)
    form.validate()
    page = returns_staff.list_queue(
        get_session(), status=form.chosen_status, query=form.q.data or None,
        page=page_number(request.args.get("page")),
    )
    return render("staff/returns/list.html", fragment="staff/returns/_list.html", form=form,
                  page=page, push_url=request.full_path.rstrip("?"))


@bp.get("/returns/<rma_number>")
def return_detail(rma_number: str) -> Response:
    return _render_detail(rma_number)


def _render_detail(rma_number: str, *, status: int = 200, **forms: object) -> Response:
    session = get_session()
    found = returns_staff.get_return(session, rma_number=rma_number)
    forms.setdefault("reject_form", RejectForm(formdata=None))
    forms.setdefault("receive_form", build_receive_form(found.lines, formdata=None))
    return render(
        "staff/returns/detail.html", status=status, return_request=found,
        action_form=StaffActionForm(formdata=None),
        estimate=returns_staff.refund_estimate(session, found, policy=current_policy()),
        refunded=progress.refunds_for(session, return_request_id=found.id), **forms,
    )


def _act(rma_number: str, action: Callable[[], str]) -> Response:
    """Runs one review step and commits it, or rolls back and says why."""
    session = get_session()
    try:
        done = action()
    except NotFound:
        raise
    except DomainError as error:  # refusals from billing's refunds included
        session.rollback()
        flash(error.message, "error")
    else:
        session.commit()
        flash(done, "success")
    return redirect(url_for("staff.return_detail", rma_number=rma_number), 303)


def _common(rma_number: str) -> dict[str, object]:
    return {"session": get_session(), "rma_number": rma_number, "staff_id": current_user.id,
            "policy": current_policy(), "now": utcnow()}


@bp.post("/returns/<rma_number>/approve")
def approve_return(rma_number: str) -> Response:
    def step() -> str:
        returns_staff.approve(**_common(rma_number))
        return "Return approved; the shopper is told."

    return _act(rma_number, step)


@bp.post("/returns/<rma_number>/in-transit")
def return_in_transit(rma_number: str) -> Response:
    def step() -> str:
        returns_staff.mark_in_transit(**_common(rma_number))
        return "Marked in transit; the shopper is told."

    return _act(rma_number, step)


@bp.post("/returns/<rma_number>/reject")
def reject_return(rma_number: str) -> Response:
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_detail(rma_number, status=422, reject_form=form)

    def step() -> str:
        returns_staff.reject(reason=form.reason.data, **_common(rma_number))
        return "Return rejected; the shopper is told why."

    return _act(rma_number, step)


@bp.post("/returns/<rma_number>/receive")
def receive_return(rma_number: str) -> Response:
    found = returns_staff.get_return(get_session(), rma_number=rma_number)
    form = build_receive_form(found.lines)
    if not form.validate_on_submit():
        return _render_detail(rma_number, status=422, receive_form=form)

    def step() -> str:
        returns_staff.receive(conditions=form.conditions(), **_common(rma_number))
        return "Parcel checked in; the shopper is told."

    return _act(rma_number, step)


@bp.post("/returns/<rma_number>/refund")
def refund_return(rma_number: str) -> Response:
    def step() -> str:
        outcome = returns_staff.refund(**_common(rma_number))
        amount = format_money(outcome.amount_cents, outcome.credit_note.currency)
        return (f"{amount} refunded with credit note {outcome.credit_note.number}; "
                "the shopper is told.")

    return _act(rma_number, step)
