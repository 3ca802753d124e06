""""Get help with this order" and the problem reports it leads to."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.db import get_session, utcnow
from portal.domain import DomainError
from portal.help.center import get_help_center
from portal.help_sessions import tracking
from portal.store import current_policy
from portal.support import attachments, order_help, problems
from portal.support.forms import AnsweredForm, ProblemReportForm, new_idempotency_key
from portal.support.views import allow_uploads, request_url, shopper_clock
from portal.web import render, show_error

bp = Blueprint("order_help", __name__)
bp.url_value_preprocessor(allow_uploads("order_help.report"))


@bp.get("/orders/<order_number>/help")
@login_required
def page(order_number: str) -> Response:
    db = get_session()
    found = order_help.order_help(db, customer_id=current_user.id, number=order_number,
                                  clock=shopper_clock(), now=utcnow(), policy=current_policy())
    tracking.current(db, now=utcnow(), order_id=found.order.id)
    db.commit()
    center = get_help_center()
    answers = [a for a in (center.article(slug) for slug in found.answer_slugs) if a][:4]
    return render("support/order_help.html", help=found, answers=answers, clock=shopper_clock(),
                  answered_form=AnsweredForm(formdata=None))


@bp.route("/orders/<order_number>/report/<kind>", methods=["GET", "POST"])
@login_required
def report(order_number: str, kind: str) -> Response:
    problem = problems.KINDS.get(kind) or abort(404)
    db, form = get_session(), ProblemReportForm()
    found = order_help.order_help(db, customer_id=current_user.id, number=order_number,
                                  clock=shopper_clock(), now=utcnow(), policy=current_policy())
    _offer_choices(form, found, problem)
    if form.validate_on_submit():
        try:
            opened = problems.report_problem(
                db, customer=current_user, help_=found, report=_report(form, kind),
                files=attachments.prepare(attachments.read_uploads(form.attachments.data or [])),
                idempotency_key=form.idempotency_key.data, now=utcnow(),
                policy=current_policy(), request_url=request_url)
        except DomainError as error:
            db.rollback()
            show_error(form, error, field="description")
        else:
            tracking.track_request(db, request_id=opened.id, customer_id=current_user.id,
                                   suggested_for=None, now=utcnow())
            db.commit()
            flash(f"Thank you. We have your report as request {opened.number}; "
                  "we reply by email and here.", "success")
            return redirect(url_for("support.detail", number=opened.number))
    elif not form.is_submitted():
        form.idempotency_key.data = new_idempotency_key()
    return render("support/report.html", status=422 if form.errors else 200, form=form,
                  help=found, problem=problem)


def _offer_choices(form: ProblemReportForm, found: order_help.OrderHelp,
                   problem: problems.ProblemKind) -> None:
    order = found.order
    form.lines.choices = [(line.id, f"{line.quantity} \u00d7 {line.product_name}")
                          for line in order.lines]
    form.shipment.choices = [
        (s.id, f"Parcel {n} · {s.tracking_number or s.carrier}")
        for n, s in enumerate(order.shipments, 1) if s in order_help.delivered_parcels(order)]
    form.fix.choices = list(problems.fixes_for(problem, found).items())


def _report(form: ProblemReportForm, kind: str) -> problems.ProblemReport:
    return problems.ProblemReport(kind=kind, description=form.description.data,
                                  fix=form.fix.data, line_ids=form.lines.data or [],
                                  shipment_id=form.shipment.data)


@bp.app_template_filter("problem_kind")
def problem_kind_title(key: str) -> str:
    kind = problems.KINDS.get(key)
    return kind.title if kind else key


@bp.app_template_filter("problem_fix")
def problem_fix_label(key: str) -> str:
    return problems.FIXES.get(key, key)
