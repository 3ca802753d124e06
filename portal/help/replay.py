"""The closed loop: after articles change, the searches that found nothing in the last days
are asked again of the current index, to see which now find an answer and which still fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.help.center import HelpCenter
from portal.help.models import SearchEvent

REPLAY_DAYS = 30
MOST = 200  # distinct queries replayed, the most frequent first


@dataclass(frozen=True)
class Replayed:
    query: str
    times: int  # how often shoppers searched it (and found nothing) in the period
    answer_slug: str | None  # the best article now, or None when it still fails
    answer_title: str | None


@dataclass(frozen=True)
class Replay:
    results: list[Replayed]

    @property
    def answered(self) -> list[Replayed]:
        return [r for r in self.results if r.answer_slug]

    @property
    def still_failing(self) -> list[Replayed]:
        return [r for r in self.results if not r.answer_slug]


def replay_failed_searches(session: Session, *, center: HelpCenter, since: datetime,
                           most: int = MOST) -> Replay:
    """Searches logged with no results since `since`, each asked again of the index."""
    times = func.count()
    rows = session.execute(
        select(SearchEvent.normalized_query, times)
        .where(SearchEvent.created_at >= since, SearchEvent.hit_count == 0,
               SearchEvent.normalized_query != "")
        .group_by(SearchEvent.normalized_query)
        .order_by(times.desc(), SearchEvent.normalized_query).limit(most)).all()
    results = []
    for query, count in rows:
        answer = center.search(query, limit=1, snippets=False)
        best = answer.hits[0] if answer.hits and not answer.is_no_answer else None
        results.append(Replayed(query, int(count), best.slug if best else None,
                                best.title if best else None))
    return Replay(results)
