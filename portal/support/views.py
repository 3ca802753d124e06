"""Contact flow with deflection, and the shopper's requests."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import flask
from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal import storage
from portal.db import get_session, utcnow
from portal.domain import DomainError
from portal.formatting import user_locale, user_zone
from portal.help.center import get_help_center
from portal.help_sessions import tracking
from portal.links import external_url
from portal.orders.models import Order
from portal.orders.service import today_in
from portal.orders.status import Clock
from portal.pagination import page_number
from portal.support import attachments, deflection, order_help, service
from portal.support.forms import (
    AnsweredForm,
    ContactForm,
    RatingForm,
    ReplyForm,
    ResolveForm,
    new_idempotency_key,
)
from portal.support.models import RequestPriority
from portal.support.sla import current_sla_policy, expected_first_response
from portal.web import redirect_to, render, show_error

bp = Blueprint("support", __name__)

SEARCH_EVENT_KEY = "last_search_event_id"


def allow_uploads(*endpoints: str) -> Callable[[str | None, dict[str, Any] | None], None]:
    """A URL preprocessor raising the request-size limit for the forms that take files.

    It must run before the app's before_request hooks, which already read the form
    (security.py's NUL check): URL preprocessors do.
    """
    def raise_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
        if endpoint in endpoints:
            request.max_content_length = attachments.UPLOAD_REQUEST_LIMIT
    return raise_limit


bp.url_value_preprocessor(allow_uploads("support.contact", "support.reply"))


@bp.route("/contact", methods=["GET", "POST"])
@login_required
def contact() -> Response:
    db, form = get_session(), ContactForm()
    wanted_order = form.order.data if form.is_submitted() else request.args.get("order")
    orders = service.orders_to_choose(db, customer_id=current_user.id, include=wanted_order)
    form.set_orders(orders)
    if form.validate_on_submit():
        try:
            opened = service.open_request(
                db, customer=current_user, idempotency_key=form.idempotency_key.data,
                request=_new_request(form), now=utcnow(),
                search_event_id=_search_event_id(), request_url=request_url,
                files=_prepared_files(form),
                sla_policy=current_sla_policy(),
            )
        except DomainError as error:
            show_error(form, error, field="message")
        else:
            tracking.track_request(db, request_id=opened.id, customer_id=current_user.id,
                                   suggested_for=form.suggested_for.data or None, now=utcnow())
            db.commit()
            flask.session.pop(SEARCH_EVENT_KEY, None)
            flash(f"Thank you. Your request {opened.number} is with our team; "
                  "we reply by email and here.", "success")
            return redirect_to(url_for("support.detail", number=opened.number))
    elif not form.is_submitted():
        _prefill(form, request.args, likely=order_help.latest_order_with_problem(
            orders, shopper_clock()))
    elif form.idempotency_key.errors:  # a stale or tampered form: a fresh key to send again
        form.idempotency_key.data = new_idempotency_key()
    writing = _writing(subject=form.subject.data or form.search_query.data,
                       body=form.message.data, topic=form.category.data, order=form.order.data)
    return render("support/contact.html", fragment="support/_contact_form.html",
                  status=422 if form.errors else 200, form=form, query=writing.query,
                  suggestions=deflection.suggest_for_writing(writing),
                  open_requests=service.open_requests(db, customer_id=current_user.id),
                  reply_by=expected_first_response(current_sla_policy(),
                                                   priority=RequestPriority.NORMAL, now=utcnow()))


@bp.post("/contact/answered")
def answered() -> Response:
    """"This answered my question": a deflection; the flow ends on the article."""
    db, form = get_session(), AnsweredForm()
    if not form.validate_on_submit() or get_help_center().article(form.slug.data) is None:
        abort(400)
    tracking.track_deflection(db, query=form.suggested_for.data or None, slug=form.slug.data,
                              now=utcnow())
    db.commit()
    flash("Glad that answered it. No request was sent; you can always write to us later.",
          "success")
    # ?answered: the article shown after the flow ended is not the start of a new session.
    return redirect_to(url_for("help.article", slug=form.slug.data, answered=1))


@bp.get("/contact/suggestions")
@login_required
def suggestions() -> Response:
    args = request.args
    writing = _writing(subject=args.get("subject") or args.get("q"), body=args.get("message"),
                       topic=args.get("category"), order=args.get("order"))
    return render("support/suggestions.html", fragment="support/_suggestions.html",
                  suggestions=deflection.suggest_for_writing(writing), query=writing.query)


def _writing(*, subject: str | None, body: str | None, topic: str | None,
             order: str | None) -> deflection.Writing:
    """What the shopper wrote, with the articles their chosen order's state calls for."""
    found = service.find_order(get_session(), customer_id=current_user.id, number=order)
    slugs = order_help.state_answer_slugs(found, shopper_clock()) if found else []
    return deflection.Writing(subject=(subject or "")[:200], body=(body or "")[:5000],
                              topic=topic or "", state_slugs=tuple(slugs))


def shopper_clock() -> Clock:
    """Today and the way to write dates, in the signed-in shopper's zone."""
    zone = user_zone()
    return Clock(today=today_in(zone, utcnow()), zone=zone, locale=user_locale())


@bp.get("/requests")
@login_required
def list_requests() -> Response:
    page = service.list_requests(get_session(), customer_id=current_user.id,
                                 page=page_number(request.args.get("page")))
    return render("support/list.html", fragment="support/_list.html", page=page,
                  categories=service.CATEGORIES)


@bp.get("/requests/<number>")
@login_required
def detail(number: str) -> Response:
    return _render_detail(number)


@bp.post("/requests/<number>/reply")
@login_required
def reply(number: str) -> Response:
    db, form = get_session(), ReplyForm()
    if form.validate_on_submit():
        try:
            service.add_shopper_reply(db, customer_id=current_user.id, number=number,
                                      body=form.body.data, now=utcnow(),
                                      files=_prepared_files(form),
                                      sla_policy=current_sla_policy(), staff_url=_staff_url)
        except DomainError as error:
            show_error(form, error, field="body")
        else:
            db.commit()
            flash("Your reply is added. We will get back to you.", "success")
            return redirect_to(url_for("support.detail", number=number) + "#latest")
    return _render_detail(number, status=422, fragment="support/_reply_form.html",
                          reply_form=form)


@bp.post("/requests/<number>/resolve")
@login_required
def resolve(number: str) -> Response:
    db, form = get_session(), ResolveForm()
    if form.validate_on_submit():
        try:
            service.resolve_request(db, customer_id=current_user.id, number=number, now=utcnow(),
                                    sla_policy=current_sla_policy())
        except service.RequestClosed as error:
            flash(error.message, "info")
        else:
            db.commit()
            flash("Glad it is sorted. You can tell us how we did below.", "success")
    return redirect(url_for("support.detail", number=number))


@bp.post("/requests/<number>/rating")
@login_required
def rate(number: str) -> Response:
    db, form = get_session(), RatingForm()
    if form.validate_on_submit():
        try:
            service.rate_request(db, customer_id=current_user.id, number=number,
                                 score=form.score.data, comment=form.comment.data, now=utcnow())
        except DomainError as error:
            show_error(form, error, field="score")
        else:
            db.commit()
            flash("Thank you for rating our help.", "success")
            return redirect_to(url_for("support.detail", number=number))
    return _render_detail(number, status=422, fragment="support/_rating_form.html",
                          rating_form=form)


def _render_detail(number: str, *, status: int = 200, fragment: str | None = None,
                   **forms: FlaskForm) -> Response:
    conversation = service.get_conversation(get_session(), customer_id=current_user.id,
                                            number=number)
    forms.setdefault("reply_form", ReplyForm(formdata=None))
    forms.setdefault("resolve_form", ResolveForm(formdata=None))
    forms.setdefault("rating_form", RatingForm(formdata=None))
    return render("support/detail.html", fragment=fragment, status=status,
                  conversation=conversation, categories=service.CATEGORIES, **forms)


@bp.get("/attachments/<int:attachment_id>")
@bp.get("/attachments/<int:attachment_id>/thumbnail", endpoint="thumbnail")
@login_required
def attachment(attachment_id: int) -> Response:
    """The file to its owner and to staff only; a photo inline, anything else downloaded."""
    found = attachments.find_attachment(
        get_session(), attachment_id=attachment_id,
        customer_id=None if current_user.is_staff else current_user.id)
    thumbnail = request.endpoint == "support.thumbnail"
    key = found and (found.thumbnail_key if thumbnail else found.storage_key)
    if not key:
        abort(404)
    try:
        data = storage.load(key)
    except storage.StoredFileMissing:
        abort(404)
    response = send_file(io.BytesIO(data), mimetype=found.content_type,
                         as_attachment=not found.content_type.startswith("image/"),
                         download_name=found.filename, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _prepared_files(form: FlaskForm) -> list[attachments.PreparedFile]:
    return attachments.prepare(attachments.read_uploads(form.attachments.data or []))


def _new_request(form: ContactForm) -> service.NewRequest:
    return service.NewRequest(
        category=form.category.data, subject=form.subject.data, body=form.message.data,
        order_number=form.order.data or None, search_query=form.search_query.data or None,
    )


def _prefill(form: ContactForm, args: MultiDict[str, str], *, likely: Order | None) -> None:
    """Fills the form from the link that led here (a help search, an order, a topic), or
    else with the order most likely meant: the latest one with a parcel in trouble."""
    form.idempotency_key.data = new_idempotency_key()
    query = (args.get("q") or "").strip()[:200]
    form.search_query.data = query
    form.subject.data = (args.get("subject") or query).strip()[:200]
    order = (args.get("order") or "").strip() or (likely.number if likely and not query else "")
    if order in {value for value, _ in form.order.choices if value}:
        form.order.data = order
    form.category.data = service.category_for_topic(args.get("topic")) or (
        "order" if form.order.data else "")


def request_url(number: str) -> str:
    return external_url("support.detail", number=number)


def _staff_url(number: str) -> str:
    return external_url("staff.request_detail", number=number)


def _search_event_id() -> int | None:
    value = flask.session.get(SEARCH_EVENT_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


