"""The carrier webhook's wire format: signature check and JSON validation, no database work.

A request carries `X-Portal-Timestamp` (Unix seconds) and `X-Portal-Signature`, the hex
HMAC-SHA256 of f"{timestamp}.{raw body}" under the carrier's secret (a "sha256=" prefix is
accepted). The body is one event object or {"events": [...]}; each event has `id`,
`tracking_number`, `status` (the carrier's own word), `occurred_at` (ISO 8601 with a zone),
and optionally `description`, `location` and `estimated_delivery` (YYYY-MM-DD).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime

from portal.api.inbound import UnsafeJson, load_json
from portal.domain import DomainError
from portal.orders.carriers import UnknownCarrierStatus, normalise
from portal.orders.tracking import CarrierEvent

MAX_EVENTS = 100


class BadSignature(DomainError):
    """Signature missing or wrong, or a timestamp outside the allowed skew (401)."""


class BadPayload(DomainError):
    """JSON that is not a valid batch of carrier events (400)."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a carrier sends for this timestamp and body."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    *, secret: str, timestamp: str | None, signature: str | None, body: bytes, now: datetime,
    max_skew_seconds: int,
) -> None:
    """Raises BadSignature unless the signature matches and the timestamp is recent."""
    if not timestamp or not signature:
        raise BadSignature("missing X-Portal-Timestamp or X-Portal-Signature header")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise BadSignature("X-Portal-Timestamp must be Unix seconds") from None
    given = signature.strip().removeprefix("sha256=")
    if not hmac.compare_digest(sign(secret, timestamp, body), given):
        raise BadSignature("signature does not match")
    if abs(now.timestamp() - sent_at) > max_skew_seconds:
        raise BadSignature("timestamp too old or in the future (replay refused)")


def _text(event: dict[str, object], name: str, *, required: bool, limit: int) -> str | None:
    value = event.get(name)
    if value is None or value == "":
        if required:
            raise BadPayload(f"{name} is required", field=name)
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadPayload(f"{name} must be text of at most {limit} characters", field=name)
    return value.strip()


def _event(carrier: str, raw: object) -> CarrierEvent:
    if not isinstance(raw, dict):
        raise BadPayload("each event must be a JSON object")
    external_id = _text(raw, "id", required=True, limit=80)
    number = _text(raw, "tracking_number", required=True, limit=40)
    carrier_status = _text(raw, "status", required=True, limit=80)
    occurred_raw = _text(raw, "occurred_at", required=True, limit=40)
    try:
        occurred_at = datetime.fromisoformat(occurred_raw.replace("Z", "+00:00"))  # type: ignore[union-attr]
    except ValueError:
        raise BadPayload("occurred_at must be an ISO 8601 time", field="occurred_at") from None
    if occurred_at.tzinfo is None:
        raise BadPayload("occurred_at needs a time zone (e.g. Z)", field="occurred_at")
    try:
        occurred_at = occurred_at.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-14:00 is past the last day Python knows
        raise BadPayload("occurred_at is out of range", field="occurred_at") from None
    estimate_raw = _text(raw, "estimated_delivery", required=False, limit=10)
    try:
        estimate = date.fromisoformat(estimate_raw) if estimate_raw else None
    except ValueError:
        raise BadPayload("estimated_delivery must be YYYY-MM-DD",
                         field="estimated_delivery") from None
    try:
        status = normalise(carrier, carrier_status)  # type: ignore[arg-type]
    except UnknownCarrierStatus as error:
        raise BadPayload(str(error), field="status") from None
    return CarrierEvent(
        external_id=external_id, tracking_number=number,  # type: ignore[arg-type]
        carrier_status=carrier_status, status=status,  # type: ignore[arg-type]
        occurred_at=occurred_at, location=_text(raw, "location", required=False, limit=120),
        description=_text(raw, "description", required=False, limit=300) or carrier_status,
        estimated_delivery_on=estimate,
    )


def parse_events(carrier: str, payload: object) -> list[CarrierEvent]:
    """The events of a decoded JSON body, or BadPayload naming what is wrong."""
    if isinstance(payload, dict) and "events" in payload:
        raw_events = payload["events"]
        if not isinstance(raw_events, list) or not raw_events:
            raise BadPayload("events must be a non-empty list", field="events")
    elif isinstance(payload, dict):
        raw_events = [payload]
    else:
        raise BadPayload("the body must be a JSON object")
    if len(raw_events) > MAX_EVENTS:
        raise BadPayload(f"at most {MAX_EVENTS} events per request", field="events")
    return [_event(carrier, raw) for raw in raw_events]


def read_events(
    carrier: str, *, secret: str, timestamp: str | None, signature: str | None, body: bytes,
    now: datetime, max_skew_seconds: int,
) -> list[CarrierEvent]:
    """The events of a signed request body: BadSignature, or BadPayload naming what is wrong."""
    verify(secret=secret, timestamp=timestamp, signature=signature, body=body, now=now,
           max_skew_seconds=max_skew_seconds)
    try:
        payload = load_json(body)
    except UnsafeJson as error:
        raise BadPayload(error.message, field=error.field) from None
    return parse_events(carrier, payload)
