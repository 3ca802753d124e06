"""The closed loop: failed searches of the last 30 days asked again of the current index."""

from __future__ import annotations

from datetime import timedelta

from portal.auth.models import Role
from portal.db import utcnow
from portal.help.center import get_help_center
from portal.help.models import SearchEvent
from portal.help.replay import replay_failed_searches
from tests.factories import make_customer


def _log(session, query: str, *, times: int = 1, days_ago: float = 1, hits: int = 0) -> None:
    for _ in range(times):
        session.add(SearchEvent(query=query, normalized_query=query, hit_count=hits,
                                created_at=utcnow() - timedelta(days=days_ago)))
    session.commit()


def test_replay_reports_what_now_finds_an_answer(app, session, client, login) -> None:
    _log(session, "track my parcel", times=3)  # articles cover it (now)
    _log(session, "qqqzzx blorft")  # still nothing
    _log(session, "start a return", days_ago=45)  # older than the window
    _log(session, "refund timing", hits=4)  # found something at the time: not a failure
    with app.app_context():
        replay = replay_failed_searches(session, center=get_help_center(),
                                        since=utcnow() - timedelta(days=30))
    assert [(r.query, r.times) for r in replay.results] == [("track my parcel", 3),
                                                            ("qqqzzx blorft", 1)]
    assert [r.query for r in replay.answered] == ["track my parcel"]
    assert replay.answered[0].answer_slug and replay.answered[0].answer_title
    assert [r.query for r in replay.still_failing] == ["qqqzzx blorft"]

    login(client, make_customer(session, role=Role.STAFF))
    page = client.get("/staff/content").text
    assert "1 of 2 now find an answer; 1 still fail." in page

    result = app.test_cli_runner().invoke(args=["faq", "replay"])
    assert result.exit_code == 0, result.output
    assert "1 of 2 searches that found nothing in the last 30 days now find an answer." in (
        result.output)
    assert "failing   'qqqzzx blorft' (1x)" in result.output
