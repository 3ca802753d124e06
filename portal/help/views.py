"""Help center pages: home, search (full page or htmx fragment), articles, feedback."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, redirect, request, session, url_for
from werkzeug.wrappers import Response

from portal.db import get_session, utcnow
from portal.help import service
from portal.help.center import get_help_center
from portal.help.forms import FeedbackForm
from portal.help.visitors import customer_id, is_staff, remember_visitor, visitor_key
from portal.help_sessions import tracking
from portal.numbers import to_int
from portal.web import is_htmx, render

bp = Blueprint("help", __name__)
LAST_SEARCH_KEY = "last_search_event_id"
RESULTS_LIMIT = 20
RESULTS_FLOOR = 0.2  # hide results scoring under a fifth of the best one: noise, not answers


@bp.get("")
def index() -> Response:
    center = get_help_center()
    slugs = service.most_viewed_slugs(get_session(), since=utcnow().date() - timedelta(days=90))
    popular = [a for a in (center.article(s) for s in slugs) if a is not None]
    return render("help/index.html", categories=center.categories(), popular=popular)


@bp.get("/search")
def search() -> Response:
    center = get_help_center()
    query = request.args.get("q", "").strip()[:200]
    category = request.args.get("category", "").strip()
    if category not in {c.key for c in center.categories()}:
        category = ""
    answer = None
    if query:
        answer = center.search(query, limit=RESULTS_LIMIT, category=category, floor=RESULTS_FLOOR)
    event_id = None
    if answer is not None:
        event = service.log_search(
            get_session(), query=query, hit_count=len(answer.hits), customer_id=customer_id(),
            previous_event_id=session.get(LAST_SEARCH_KEY), now=utcnow(),
        )
        tracking.track_search(get_session(), query=query, now=utcnow())
        get_session().commit()
        event_id = session[LAST_SEARCH_KEY] = event.id
    return render("help/search.html", fragment="help/_results.html", query=query,
                  category=category, answer=answer, event_id=event_id,
                  categories=center.categories())


@bp.get("/<slug>")
def article(slug: str) -> Response:
    center = get_help_center()
    found = center.article(slug, include_drafts=is_staff())
    if found is None:
        abort(404)
    db = get_session()
    from_search = request.args.get("sid", type=to_int)
    if from_search is not None and from_search == session.get(LAST_SEARCH_KEY):
        service.record_click(db, search_event_id=from_search, slug=slug)
    if not found.is_draft:
        service.record_view(db, slug=slug, day=utcnow().date())
        if not request.args.get("answered"):  # shown after "This answered my question"
            tracking.track_article_view(db, slug=slug, now=utcnow())
    db.commit()
    return _article_page(found, FeedbackForm())


def _article_page(found, form: FeedbackForm, *, status: int = 200,
                  voted: bool = False) -> Response:
    center = get_help_center()
    rendered = center.render(found, lambda s: url_for("help.article", slug=s))
    return render(
        "help/article.html", fragment="help/_feedback.html", status=status, article=found,
        body=rendered, related=center.related(found), form=form, voted=voted,
        category_title=center.category_title(found.category),
    )


@bp.post("/<slug>/feedback")
def feedback(slug: str) -> Response:
    found = get_help_center().article(slug, include_drafts=is_staff())
    if found is None:
        abort(404)
    form = FeedbackForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _article_page(found, form, status=422)
    key = visitor_key()
    service.record_feedback(get_session(), slug=slug, visitor_key=key,
                            is_helpful=form.helpful.data == "yes",
                            comment=form.comment.data, now=utcnow())
    get_session().commit()
    if is_htmx():
        response = _article_page(found, form, voted=True)
    else:
        response = redirect(url_for("help.article", slug=slug, voted=1) + "#feedback")
    return remember_visitor(response, key)
