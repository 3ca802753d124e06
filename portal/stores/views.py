"""The shops' entry points: Shopify's webhooks in Shopify's format, and the generic store API.

JSON in and out, no session cookies, no CSRF: a signature over the raw body instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from portal.api.carrier_events import BadSignature, verify
from portal.api.inbound import UnsafeJson, load_json
from portal.api.inbound import read_body as read_request_body
from portal.db import get_session, utcnow
from portal.stores import (  # outbound: its flush listener writes the events to the shop
    generic,
    openapi,
    outbound,  # noqa: F401
    shopify,
)
from portal.stores.context import current_context
from portal.stores.lookup import BadRecord, StoreError, UnknownOrder
from portal.stores.service import EventOutcome, apply_event

bp = Blueprint("stores_api", __name__)
log = logging.getLogger(__name__)

class BodyTooLarge(Exception):
    """Over the app's one request-size limit, however it was sent (Content-Length or chunked)."""


def _error(status: int, message: str, field: str | None = None) -> tuple[Response, int]:
    return jsonify(error=message, field=field), status


def read_body() -> bytes:
    """The raw body, read at most one byte past the limit whatever the transfer encoding."""
    try:
        return read_request_body()
    except RequestEntityTooLarge:
        raise BodyTooLarge from None


def decode_json(body: bytes) -> Any:
    """The JSON document, or BadRecord naming the field that no database could keep."""
    try:
        return load_json(body)
    except UnsafeJson as error:
        raise BadRecord(error.message, field=error.field) from None


def shopify_signature(secret: str, body: bytes) -> str:
    """What Shopify puts in X-Shopify-Hmac-Sha256: base64 of the body's HMAC-SHA256."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def answer(outcome: EventOutcome) -> tuple[Response, int]:
    if outcome.duplicate:
        return jsonify(status="duplicate"), 200
    applied = outcome.applied
    return jsonify(status="ignored" if applied.ignored else "applied",  # type: ignore[union-attr]
                   order_number=applied.order_number, reason=applied.ignored), 200  # type: ignore[union-attr]


def store_error(error: StoreError) -> tuple[Response, int]:
    """Malformed: 400. Order not received yet: 409, so the shop sends it again later.
    Any other broken rule: 422. Nothing was stored in any case."""
    status = 422
    if isinstance(error, BadRecord):
        status = 400
    elif isinstance(error, UnknownOrder):
        status = 409
    return _error(status, error.message, error.field)


@bp.post("/shopify/webhooks")
def shopify_webhook() -> tuple[Response, int]:
    """One Shopify webhook: verified, applied once per X-Shopify-Webhook-Id, answered fast."""
    secret = current_app.config.get("SHOPIFY_WEBHOOK_SECRET")
    if not secret:
        return _error(404, "Shopify is not connected to this portal")
    try:
        body = read_body()
    except BodyTooLarge:
        return _error(413, f"the body is larger than {request.max_content_length} bytes")
    given = request.headers.get("X-Shopify-Hmac-Sha256", "")
    if not hmac.compare_digest(shopify_signature(secret, body).encode(), given.encode()):
        return _error(401, "X-Shopify-Hmac-Sha256 is missing or does not match the body")
    topic = request.headers.get("X-Shopify-Topic", "")
    webhook_id = request.headers.get("X-Shopify-Webhook-Id", "")
    if not webhook_id or len(webhook_id) > 100:
        return _error(400, "X-Shopify-Webhook-Id is required", "X-Shopify-Webhook-Id")
    handler = shopify.TOPICS.get(topic)
    if handler is None:
        log.info("Shopify topic %r ignored (webhook %s)", topic[:60], webhook_id)
        return jsonify(status="ignored", reason=f"topic {topic[:60]!r} is not used"), 200
    try:
        outcome = apply_event(
            get_session(), source=shopify.SOURCE, event_id=webhook_id, topic=topic,
            shop_domain=request.headers.get("X-Shopify-Shop-Domain", "")[:255] or None,
            payload=decode_json(body), handler=handler, context=current_context())
    except StoreError as error:
        log.info("Shopify %s (webhook %s) refused: %s", topic, webhook_id, error.message)
        return store_error(error)
    return answer(outcome)


@bp.post("/store/events")
def store_event() -> tuple[Response, int]:
    """One event of the generic store API, signed like the carrier webhook."""
    secret = current_app.config.get("STORE_EVENTS_SECRET")
    if not secret:
        return _error(404, "the store API is not turned on for this portal")
    try:
        body = read_body()
    except BodyTooLarge:
        return _error(413, f"the body is larger than {request.max_content_length} bytes")
    try:
        verify(secret=secret, timestamp=request.headers.get("X-Portal-Timestamp"),
               signature=request.headers.get("X-Portal-Signature"), body=body, now=utcnow(),
               max_skew_seconds=int(current_app.config["WEBHOOK_MAX_SKEW_SECONDS"]))
    except BadSignature as error:
        return _error(401, error.message)
    try:
        envelope, event_type = generic.read_envelope(decode_json(body))
        outcome = apply_event(
            get_session(), source=generic.SOURCE, event_id=envelope.id, topic=envelope.type,
            shop_domain=None, payload=envelope.data, handler=generic.handler_for(event_type),
            context=current_context())
    except StoreError as error:
        return store_error(error)
    return answer(outcome)


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document())
