"""Delivering outbound events to the shop: one at a time, committed after each, with
exponential backoff after a failure. A crash between the change's commit and the send loses
nothing (the row waits); an event the shop keeps refusing stays visible to staff, with its
last error, until someone retries it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session, joinedload

from portal.billing.models import Refund
from portal.db import new_session, utcnow
from portal.jobs import after_commit, job, periodic_job
from portal.stores.client import DeliveryFailed, ShopifyAdmin, send_to_store
from portal.stores.models import OutboundEvent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # 1, 2, 4 ... 128 minutes apart: about four hours of trying


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** (attempts - 1))


def _due(now: datetime) -> Any:
    return (OutboundEvent.sent_at.is_(None), OutboundEvent.attempts < MAX_ATTEMPTS,
            or_(OutboundEvent.next_attempt_at.is_(None), OutboundEvent.next_attempt_at <= now))


def send(session: Session, client: httpx.Client, event: OutboundEvent,
         config: Mapping[str, Any]) -> None:
    """Carries out one event at its target; DeliveryFailed when the shop does not take it."""
    payload = event.payload
    if event.target == "store":
        send_to_store(client, url=config["STORE_OUTBOUND_URL"],
                      secret=config["STORE_OUTBOUND_SECRET"] or "",
                      event_id=f"portal-{event.id}", kind=event.kind, payload=payload)
        return
    shopify = ShopifyAdmin(client, admin_url=config["SHOPIFY_ADMIN_URL"],
                           token=config["SHOPIFY_ADMIN_TOKEN"] or "")
    order_id = payload["order_external_id"]
    if event.kind == "order.cancelled":
        shopify.cancel_order(order_id)
    elif event.kind == "order.address_changed":
        shopify.update_shipping_address(order_id, payload["shipping_address"])
    elif event.kind == "refund.created":
        shopify_id = shopify.create_refund(
            order_id, amount_cents=payload["amount"], currency=payload["currency"],
            note=payload["reason"], lines=payload["lines"], shipping_cents=payload["shipping"])
        refund = session.get(Refund, event.refund_id) if event.refund_id else None
        if refund is not None and refund.external_id is None:
            refund.source, refund.external_id = "shopify", shopify_id
    else:
        raise DeliveryFailed(f"Shopify has no call for {event.kind!r}")


def deliver_due(session: Session, *, config: Mapping[str, Any], now: datetime,
                limit: int = 100) -> int:
    """Sends what is due, each committed on its own; returns how many went out."""
    sent = 0
    with httpx.Client() as client:
        for _ in range(limit):
            event = session.scalar(select(OutboundEvent).where(*_due(now))
                                   .order_by(OutboundEvent.id).limit(1)
                                   .with_for_update(skip_locked=True))
            if event is None:
                break
            event.attempts += 1
            try:
                send(session, client, event, config)
            except DeliveryFailed as error:
                event.last_error = str(error)[:500]
                event.next_attempt_at = now + backoff(event.attempts)
                log.warning("outbound event %s (%s) failed, attempt %s: %s", event.id,
                            event.kind, event.attempts, error)
            else:
                event.sent_at, event.last_error = now, None
                sent += 1
            session.commit()
    return sent


def list_failing(session: Session, *, limit: int = 100) -> list[OutboundEvent]:
    """Events not delivered after at least one try, the most tried first, for staff."""
    return list(session.scalars(
        select(OutboundEvent).where(OutboundEvent.sent_at.is_(None), OutboundEvent.attempts > 0)
        .options(joinedload(OutboundEvent.order))
        .order_by(OutboundEvent.attempts.desc(), OutboundEvent.id).limit(limit)))


def count_failing(session: Session) -> int:
    return session.scalar(select(func.count()).where(
        OutboundEvent.sent_at.is_(None), OutboundEvent.attempts > 0)) or 0


def retry(session: Session, *, event_id: int) -> OutboundEvent | None:
    """Staff asked to try again now: the backoff and the attempt count start over."""
    event = session.get(OutboundEvent, event_id)
    if event is None or event.sent_at is not None:
        return None
    event.attempts, event.next_attempt_at = 0, None
    schedule_delivery(session)
    return event


_SCHEDULED = "outbound_delivery_scheduled"


def schedule_delivery(session: Session) -> None:
    """Delivery starts as soon as this transaction commits (once, however many events)."""
    if not session.info.get(_SCHEDULED):
        session.info[_SCHEDULED] = True
        after_commit(session, deliver_outbound)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_over(session: Session) -> None:
    session.info.pop(_SCHEDULED, None)


@job
def deliver_outbound() -> None:
    from flask import current_app

    with new_session() as session:
        deliver_due(session, config=current_app.config, now=utcnow())


@periodic_job(minutes="*")
def sweep_outbound() -> None:
    """What was not sent at once (a failure waiting for its next try, a lost job)."""
    deliver_outbound.call_local()
