"""Applying one event from a shop: at most once per event id, all or nothing.

The event id is stored in the same transaction as what the event changed, so a redelivery
(Shopify retries for 48 hours; an import is re-run) finds it and changes nothing, and a
failure leaves neither the change nor the id behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.stores.context import Applied, StoreContext
from portal.stores.lookup import StoreError
from portal.stores.models import StoreEvent

#: Set on a session while it applies a shop's event, so the change is not sent back to the
#: shop it came from (see portal.stores.outbound).
FROM_SHOP = "store_event_from_shop"


@dataclass(frozen=True)
class EventOutcome:
    applied: Applied | None  # None: a redelivery, nothing done

    @property
    def duplicate(self) -> bool:
        return self.applied is None


Apply = Callable[[Session, StoreContext, Any], Applied]


def seen(session: Session, *, source: str, event_id: str) -> bool:
    return session.scalar(select(StoreEvent.id).where(
        StoreEvent.source == source, StoreEvent.event_id == event_id)) is not None


def record_event(session: Session, *, source: str, event_id: str, topic: str,
                 shop_domain: str | None, payload: Any, handler: Apply,
                 context: StoreContext) -> Applied:
    """Runs `handler` and notes the event id, without committing (a bulk import commits many
    events at once, each in its own savepoint)."""
    session.info[FROM_SHOP] = True
    try:
        session.add(StoreEvent(source=source, event_id=event_id, topic=topic,
                               shop_domain=shop_domain))
        applied = handler(session, context, payload)
        session.flush()  # while the flag is up, so nothing the shop sent is echoed back
        return applied
    finally:
        session.info.pop(FROM_SHOP, None)


def apply_event(session: Session, *, source: str, event_id: str, topic: str,
                shop_domain: str | None, payload: Any, handler: Apply,
                context: StoreContext) -> EventOutcome:
    """Runs `handler` for a new event and commits; a known event id changes nothing. Any
    error rolls the whole event back (the caller answers it)."""
    if seen(session, source=source, event_id=event_id):
        return EventOutcome(applied=None)
    try:
        applied = record_event(session, source=source, event_id=event_id, topic=topic,
                               shop_domain=shop_domain, payload=payload, handler=handler,
                               context=context)
        session.commit()
    except IntegrityError:
        # The same event, delivered twice at once, was stored by the other delivery first.
        session.rollback()
        if seen(session, source=source, event_id=event_id):
            return EventOutcome(applied=None)
        raise StoreError("a conflicting change was saved at the same moment; send the event "
                         "again") from None
    except Exception:
        session.rollback()
        raise
    return EventOutcome(applied=applied)
