"""Staff console: the health of the help center's content (broken files, drafts, gaps).

Routes are added to the staff blueprint, whose before_request already admits only staff.
"""

from __future__ import annotations

from datetime import timedelta

from werkzeug.wrappers import Response

from portal.db import get_session, utcnow
from portal.help import service
from portal.help.center import get_help_center
from portal.help.replay import REPLAY_DAYS, replay_failed_searches
from portal.staff.views import bp
from portal.web import render


@bp.get("/content")
def content() -> Response:
    center = get_help_center()
    center.refresh(force=True)
    collection = center.collection
    since = utcnow() - timedelta(days=REPLAY_DAYS)
    db = get_session()
    drafts = sorted((a for a in collection.articles.values() if a.is_draft),
                    key=lambda a: a.title.lower())
    return render(
        "staff/content.html",
        problems=sorted(collection.problems, key=lambda p: (not p.is_error, p.path, p.line)),
        drafts=drafts,
        article_count=len(collection.published()),
        replay=replay_failed_searches(db, center=center, since=since),
        search_warning=center.search_warning(),
        feedback=sorted(service.feedback_counts(db, since=since).items(),
                        key=lambda item: (-item[1][1], item[0]))[:20],
        titles={slug: a.title for slug, a in collection.articles.items()},
    )
