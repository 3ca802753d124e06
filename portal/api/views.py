"""Machine entry points: JSON in, JSON out, no session cookies, no CSRF (signatures instead)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from portal.api.carrier_events import BadPayload, BadSignature, read_events
from portal.api.inbound import read_body
from portal.db import get_session, utcnow
from portal.links import external_url
from portal.orders.carriers import get_carrier
from portal.orders.models import Shipment
from portal.orders.tracking import (
    CarrierEvent,
    EventsApplied,
    UnknownTrackingNumber,
    apply_events,
)

bp = Blueprint("api", __name__)


def _error(status: int, message: str, **extra: object) -> tuple[Response, int]:
    return jsonify(error=message, **extra), status


def _shipment_url(shipment: Shipment) -> str:
    return external_url("orders.shipment", order_number=shipment.order.number,
                        shipment_id=shipment.id)


@bp.post("/tracking/<carrier>")
def carrier_webhook(carrier: str) -> tuple[Response, int]:
    """Tracking events from a carrier, signed with that carrier's shared secret."""
    carrier = carrier.lower()
    secret = current_app.config.get("CARRIER_SECRETS", {}).get(carrier)
    if not secret or get_carrier(carrier) is None:
        return _error(404, f"unknown carrier {carrier!r}")
    now = utcnow()
    try:
        events = read_events(
            carrier, secret=secret, timestamp=request.headers.get("X-Portal-Timestamp"),
            signature=request.headers.get("X-Portal-Signature"),
            body=read_body(), now=now,
            max_skew_seconds=int(current_app.config["WEBHOOK_MAX_SKEW_SECONDS"]))
        result = _apply(carrier, events, now)
    except BadSignature as error:
        return _error(401, error.message)
    except BadPayload as error:
        return _error(400, error.message, field=error.field)
    except UnknownTrackingNumber as error:
        return _error(404, error.message)
    return jsonify(accepted=result.accepted, duplicates=result.duplicates), 200


def _apply(carrier: str, events: list[CarrierEvent], now: datetime) -> EventsApplied:
    """Stores the events and commits. A concurrent delivery of the same events can win the
    race once (the event ids are unique); the second try then counts them as duplicates."""
    try:
        return _commit_events(carrier, events, now)
    except IntegrityError:
        return _commit_events(carrier, events, now)


def _commit_events(carrier: str, events: list[CarrierEvent], now: datetime) -> EventsApplied:
    session = get_session()
    try:
        result = apply_events(session, carrier=carrier, events=events, now=now,
                              link_for=_shipment_url)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return result
