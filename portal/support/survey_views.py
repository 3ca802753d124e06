"""The satisfaction survey's links: one click rates, then an optional comment.

The signed link is the proof of who answers, so no sign-in is needed; HEAD requests
(link scanners) change nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, request
from werkzeug.wrappers import Response

from portal.db import get_session, utcnow
from portal.domain import DomainError
from portal.support import emails, service
from portal.support.forms import SurveyCommentForm
from portal.web import render

bp = Blueprint("surveys", __name__)


@bp.get("/survey/<token>/<int:score>")
def rate(token: str, score: int) -> Response:
    request_id = emails.request_id_from_survey_token(token, now=utcnow())
    if request_id is None or score not in emails.SCORES:
        abort(404)
    db = get_session()
    if request.method == "HEAD":
        return Response(status=200)
    try:
        support_request, rating = service.rate_by_survey(db, request_id=request_id, score=score,
                                                         now=utcnow())
    except DomainError as error:
        return render("support/survey.html", status=409, message=error.message, form=None)
    db.commit()
    return render("support/survey.html", support_request=support_request, rating=rating,
                  score=score, token=token, form=SurveyCommentForm(formdata=None),
                  message=None if rating else "You have already rated this request. Thank you!")


@bp.post("/survey/<token>/comment")
def comment(token: str) -> Response:
    request_id = emails.request_id_from_survey_token(token, now=utcnow())
    if request_id is None:
        abort(404)
    db, form = get_session(), SurveyCommentForm()
    if not form.validate_on_submit():
        return render("support/survey.html", status=422, token=token, form=form, message=None,
                      rating=True)
    service.add_survey_comment(db, request_id=request_id, comment=form.comment.data)
    db.commit()
    return render("support/survey.html", message="Thank you, your words reach our team.",
                  form=None)
