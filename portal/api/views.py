"""Machine entry points: JSON in, JSON out, no session cookies, no CSRF (signatures instead)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from sqlalchemy.exc import IntegrityError

from portal.api.carrier_events import BadPayload, BadSignature, parse_events, verify
from portal.db import get_session, utcnow
from portal.orders.carriers import get_carrier
from portal.orders.models import Shipment
from portal.orders.tracking import UnknownTrackingNumber, apply_events

bp = Blueprint("api", __name__)

MAX_BODY_BYTES = 256 * 1024


def _error(status: int, message: str, **extra: object) -> tuple[Response, int]:
    return jsonify(error=message, **extra), status


def _shipment_url(shipment: Shipment) -> str:
    return url_for("orders.shipment", order_number=shipment.order.number,
                   shipment_id=shipment.id, _external=True)


@bp.post("/tracking/<carrier>")
def carrier_webhook(carrier: str) -> tuple[Response, int]:
    """Tracking events from a carrier, signed with that carrier's shared secret."""
    secret = current_app.config.get("CARRIER_SECRETS", {}).get(carrier.lower())
    if not secret or get_carrier(carrier) is None:
        return _error(404, f"unknown carrier {carrier!r}")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _error(413, "body too large")
    body, now = request.get_data(cache=False), utcnow()
    try:
        verify(secret=secret, timestamp=request.headers.get("X-Portal-Timestamp"),
               signature=request.headers.get("X-Portal-Signature"), body=body, now=now,
               max_skew_seconds=int(current_app.config["WEBHOOK_MAX_SKEW_SECONDS"]))
        events = parse_events(carrier.lower(), json.loads(body))
    except BadSignature as error:
        return _error(401, error.message)
    except (ValueError, BadPayload) as error:  # json.JSONDecodeError is a ValueError
        message = error.message if isinstance(error, BadPayload) else "malformed JSON"
        return _error(400, message, field=getattr(error, "field", None))
    session = get_session()
    for attempt in (1, 2):
        try:
            result = apply_events(session, carrier=carrier.lower(), events=events, now=now,
                                  link_for=_shipment_url)
            session.commit()
            break
        except UnknownTrackingNumber as error:
            session.rollback()
            return _error(404, error.message)
        except IntegrityError:
            # A concurrent delivery of the same events won; the retry sees them as duplicates.
            session.rollback()
            if attempt == 2:
                raise
    return jsonify(accepted=result.accepted, duplicates=result.duplicates), 200
