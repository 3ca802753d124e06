"""The support desk's side of the demo: service-level due times, ratings with comments, help
sessions (searches and article views, with or without a request within a day), failed
searches, article votes and saved replies, so the staff metrics have something to show."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from portal.demo.rows import RowWriter
from portal.help.models import ArticleFeedback, SearchEvent
from portal.help_sessions.models import HelpEventKind, HelpSession, HelpSessionEvent
from portal.support.models import Macro, RequestPriority, RequestStatus, SatisfactionRating
from portal.support.sla import DEFAULT_POLICY

RECENT = timedelta(days=120)  # help sessions and searches are only kept for recent months
_COMMENTS = {
    5: ("Quick and friendly, thank you!", "Sorted in one reply.", None, None),
    4: ("Good help, took a day though.", None, None),
    3: ("Fine, but I had to explain twice.", None),
    2: ("Slow answer, the parcel was already late.", "Nobody read my first message."),
    1: ("Still waiting for my refund.",),
}
_SEARCHES = (("where is my parcel", "track-my-order"), ("return label", "start-a-return"),
             ("refund how long", "refund-timing"), ("change address", "change-an-order"),
             ("cancel order", "cancel-an-order"), ("invoice company name", "invoices-and-receipts"),
             ("gift card balance", "gift-cards"),
             ("parcel says delivered but not here", "package-marked-delivered-not-received"))
_FAILED = ("klarna", "price match", "size chart kids", "international shipping to chile",
           "student discount")
MACROS = (
    ("Where is my parcel", "Hello {{ first_name }},\n\nYour order {{ order_number }} is "
     "{{ order_status }}. You can follow the parcel here: {{ tracking_link }}\n\nBest regards"),
    ("Return received", "Hello {{ first_name }},\n\nWe have your return {{ rma_number }} and "
     "the refund is on its way.\n\nBest regards"),
    ("Need more details", "Hello {{ first_name }},\n\nCould you send a photo of the item and "
     "the label? That lets us sort this out in one go.\n\nThank you"),
)


def sla_fields(priority: RequestPriority, status: RequestStatus, *, opened_at: datetime,
               first_response: datetime | None, resolved_at: datetime | None) -> dict[str, object]:
    """Due times as the console computes them; the clock stops at the first reply while the
    request waits on the shopper, and at resolution."""
    targets = DEFAULT_POLICY.targets[priority]
    paused_at = resolved_at if resolved_at is not None else (
        first_response if status is RequestStatus.AWAITING_CUSTOMER else None)
    return {
        "first_response_due_at": DEFAULT_POLICY.add_business_time(
            opened_at, targets.first_response_seconds),
        "resolution_due_at": DEFAULT_POLICY.add_business_time(
            opened_at, targets.resolution_seconds),
        "sla_paused_at": paused_at, "sla_paused_seconds": 0,
    }


def response_delay(rng: random.Random) -> timedelta:
    """Most answers within a few hours, a long tail into days (and so some breaches)."""
    return timedelta(hours=min(rng.lognormvariate(1.0, 1.1), 96))


def add_rating(writer: RowWriter, rng: random.Random, *, request_id: int,
               resolved_at: datetime) -> None:
    score = rng.choice((5, 5, 5, 5, 4, 4, 4, 3, 2, 1))
    writer.add(SatisfactionRating, request_id=request_id, score=score,
               comment=rng.choice(_COMMENTS[score]), created_at=resolved_at + timedelta(hours=2))


def add_help_session(writer: RowWriter, rng: random.Random, *, customer_id: int,
                     started_at: datetime, request: tuple[int, datetime] | None) -> None:
    """A help session with a search or two and maybe an article view; `request` (id, when)
    if the shopper then wrote to us."""
    query, slug = rng.choice(_SEARCHES)
    failed = rng.random() < 0.15
    if failed:
        query, slug = rng.choice(_FAILED), None
    views = 1 if slug and rng.random() < 0.7 else 0
    # Some who read an article without writing to us said "This answered my question".
    answered_at = (started_at + timedelta(minutes=2)
                   if views and request is None and rng.random() < 0.4 else None)
    session_id = writer.add(
        HelpSession, visitor_key=f"demo-{customer_id}-{started_at:%Y%m%d%H%M}",
        customer_id=customer_id, order_id=None, started_at=started_at,
        last_seen_at=started_at + timedelta(minutes=3), search_count=1,
        article_view_count=views, deflected_at=answered_at,
        request_id=request[0] if request else None,
        request_opened_at=request[1] if request else None)
    writer.add(HelpSessionEvent, help_session_id=session_id, kind=HelpEventKind.SEARCH,
               query=query, slug=None, created_at=started_at)
    writer.add(SearchEvent, query=query, normalized_query=query, hit_count=0 if failed else 3,
               clicked_slug=slug if views else None, customer_id=customer_id,
               led_to_request=request is not None, created_at=started_at)
    if views:
        writer.add(HelpSessionEvent, help_session_id=session_id,
                   kind=HelpEventKind.ARTICLE_VIEW, query=None, slug=slug,
                   created_at=started_at + timedelta(minutes=1))
        if answered_at:
            writer.add(HelpSessionEvent, help_session_id=session_id,
                       kind=HelpEventKind.DEFLECTION, query=query, slug=slug,
                       created_at=answered_at)
        if rng.random() < 0.3:
            helpful = request is None
            writer.add(ArticleFeedback, slug=slug, visitor_key=f"demo-{session_id}",
                       is_helpful=helpful, created_at=started_at + timedelta(minutes=2),
                       comment=None if helpful or rng.random() < 0.5 else
                       "It did not cover my case.")


def add_macros(writer: RowWriter, *, now: datetime) -> None:
    for title, body in MACROS:
        writer.add(Macro, title=title, body=body, updated_by_id=None, created_at=now,
                   updated_at=now)
