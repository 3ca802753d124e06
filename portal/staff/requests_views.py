"""Staff console: the support queue and one request beside the shopper's history.

Routes join the staff blueprint, so its guard (404 for anyone not staff) covers them.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.db import get_session, utcnow
from portal.domain import DomainError
from portal.links import external_url
from portal.numbers import parse_int
from portal.pagination import page_number
from portal.staff.forms import BulkForm
from portal.staff.views import bp
from portal.support import deflection, macros, merge, queue
from portal.support import staff as support_staff
from portal.support.forms import StaffReplyForm, TriageForm
from portal.support.models import RequestPriority, RequestStatus
from portal.support.service import CATEGORIES
from portal.support.sla import current_sla_policy, sla_state
from portal.web import redirect_to, render


@bp.get("/requests")
def requests_queue() -> Response:
    db, now = get_session(), utcnow()
    filters = queue.QueueFilters.parse(request.args)
    page = queue.list_queue(db, filters=filters, staff_id=current_user.id, now=now,
                            page=page_number(request.args.get("page")))
    policy = current_sla_policy()
    staff = support_staff.list_staff(db)
    bulk_form = BulkForm(formdata=None, back=urlencode(filters.as_args()))
    bulk_form.set_staff(staff)
    return render("staff/requests/queue.html", fragment="staff/requests/_queue.html",
                  page=page, filters=filters, staff=staff, now=now, bulk_form=bulk_form,
                  counts=queue.view_counts(db, staff_id=current_user.id, now=now),
                  sla_states={item.id: sla_state(policy, item, now=now) for item in page.items},
                  views=queue.VIEW_LABELS, sorts=queue.SORTS,
                  statuses=list(RequestStatus), priorities=list(RequestPriority),
                  categories=CATEGORIES)


@bp.post("/requests/bulk")
def requests_bulk() -> Response:
    db, form = get_session(), BulkForm()
    form.set_staff(support_staff.list_staff(db))
    back = queue.QueueFilters.parse(MultiDict(parse_qsl(form.back.data or ""))).as_args()
    if not form.validate_on_submit():
        errors = [*form.numbers.errors, *form.status.errors, *form.assignee.errors]
        flash(" ".join(errors) or "The form expired; please try again.", "error")
    else:
        try:
            changed = support_staff.bulk_triage(
                db, staff_id=current_user.id, numbers=form.chosen_numbers(),
                change=form.change(), now=utcnow(), sla_policy=current_sla_policy())
        except DomainError as error:
            db.rollback()
            flash(error.message, "error")
        else:
            db.commit()
            flash(f"{changed} request{'' if changed == 1 else 's'} updated.", "success")
    return redirect(url_for("staff.requests_queue", **back), 303)


@bp.get("/requests/<number>")
def request_detail(number: str) -> Response:
    return _render_review(number)


@bp.post("/requests/<number>/messages")
def request_reply(number: str) -> Response:
    db, form = get_session(), StaffReplyForm()
    if form.validate_on_submit():
        is_internal = form.visibility.data == "internal"
        support_staff.reply(db, staff=current_user, number=number, body=form.body.data,
                      is_internal=is_internal, now=utcnow(), request_url=_shopper_url,
                      sla_policy=current_sla_policy())
        db.commit()
        flash("Internal note added." if is_internal else "Reply sent to the shopper.", "success")
        return redirect_to(url_for("staff.request_detail", number=number) + "#latest")
    return _render_review(number, status=422, fragment="staff/requests/_reply_form.html",
                          reply_form=form)


@bp.post("/requests/<number>/triage")
def request_triage(number: str) -> Response:
    db, form = get_session(), TriageForm()
    form.set_staff(support_staff.list_staff(db))
    if form.validate_on_submit():
        change = support_staff.Triage(
            status=RequestStatus(form.status.data), priority=RequestPriority(form.priority.data),
            category=form.category.data,
            assignee_id=parse_int(form.assignee.data),
        )
        try:
            changes = support_staff.triage(db, staff_id=current_user.id, number=number,
                                     change=change, now=utcnow(),
                                     sla_policy=current_sla_policy())
        except DomainError as error:
            field = form.category if error.field == "category" else form.assignee
            field.errors = [*field.errors, error.message]
        else:
            db.commit()
            flash("Request updated." if changes else "Nothing to change.", "success")
            return redirect_to(url_for("staff.request_detail", number=number))
    return _render_review(number, status=422, fragment="staff/requests/_triage_form.html",
                          triage_form=form)


@bp.post("/requests/<number>/merge")
def request_merge(number: str) -> Response:
    """Merges this request into another open one of the same shopper and order."""
    db, into = get_session(), (request.form.get("into") or "").strip()[:20]
    support_staff.get_request(db, number=number)  # an unknown request is a 404, not a message
    try:
        kept = merge.merge(db, staff_id=current_user.id, duplicate_number=number,
                           keep_number=into, now=utcnow(), sla_policy=current_sla_policy())
    except DomainError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for("staff.request_detail", number=number), 303)
    db.commit()
    flash(f"{number} is merged into this request and closed.", "success")
    return redirect(url_for("staff.request_detail", number=kept.number), 303)


@bp.post("/requests/<number>/compose")
def request_compose(number: str) -> Response:
    """Inserts a saved reply or a help-article link into the message being written (CSRF is
    checked for every POST; nothing is stored)."""
    db, form = get_session(), StaffReplyForm()
    support_request = support_staff.get_request(db, number=number)
    additions: list[str] = []
    macro_id = parse_int(form.macro.data, minimum=1)
    if "insert_macro" in request.form and macro_id is not None:
        macro = macros.get_macro(db, macro_id)
        additions.append(macros.fill(macro.body, macros.request_variables(db, support_request)))
    slug = request.form.get("insert_article", "")
    hits = deflection.suggest_articles(form.article_q.data, limit=5)
    for hit in hits:
        if hit.slug == slug:
            additions.append(f"{hit.title}: "
                             + external_url("help.article", slug=hit.slug))
    if additions:
        form.body.data = "\n\n".join(part for part in [(form.body.data or "").rstrip(),
                                                          *additions] if part)
    return _render_review(number, fragment="staff/requests/_reply_form.html", reply_form=form,
                          article_hits=hits if "insert_article" not in request.form else [])


def _render_review(number: str, *, status: int = 200, fragment: str | None = None,
                   article_hits: list[deflection.Suggestion] | None = None,
                   **forms: FlaskForm) -> Response:
    db = get_session()
    review = support_staff.review_request(db, number=number)
    if "triage_form" not in forms:
        triage_form = TriageForm(formdata=None, status=review.request.status.value,
                                 priority=review.request.priority.value,
                                 category=review.request.category,
                                 assignee=str(review.request.assignee_id or ""))
        triage_form.set_staff(support_staff.list_staff(db))
        forms["triage_form"] = triage_form
    forms.setdefault("reply_form", StaffReplyForm(formdata=None))
    forms["reply_form"].set_macros(  # type: ignore[attr-defined]
        [(m.id, m.title) for m in macros.list_macros(db)])
    now, filters = utcnow(), queue.QueueFilters.parse(request.args)
    previous, following = queue.neighbours(db, filters=filters, staff_id=current_user.id,
                                           now=now, number=number)
    return render("staff/requests/detail.html", fragment=fragment, status=status,
                  review=review, categories=CATEGORIES, previous=previous, following=following,
                  queue_args=filters.as_args(), article_hits=article_hits or [],
                  duplicates=merge.find_duplicates(db, review.request),
                  sla=sla_state(current_sla_policy(), review.request, now=now), **forms)


def _shopper_url(number: str) -> str:
    return external_url("support.detail", number=number)

