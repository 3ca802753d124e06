"""The OpenAPI 3.1 description of the store API, built from the same models that validate it,
so the document cannot drift from what the endpoint accepts."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from portal.stores.generic import EVENT_TYPES

REF = "#/components/schemas/{model}"

SIGNATURE_HEADERS = [
    {"name": "X-Portal-Timestamp", "in": "header", "required": True,
     "description": "Unix seconds when the event was signed; more than 5 minutes off is "
                    "refused (no replays).", "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    {"name": "X-Portal-Signature", "in": "header", "required": True,
     "description": 'Hex HMAC-SHA256 of "{timestamp}.{raw body}" under '
                    "PORTAL_STORE_EVENTS_SECRET (a `sha256=` prefix is accepted).",
     "schema": {"type": "string"}},
]


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {
        "$ref": REF.format(model="Error")}}}}


def _envelope(type_name: str, model: str, summary: str) -> dict[str, Any]:
    return {"title": type_name, "description": summary, "type": "object",
            "required": ["id", "type", "data"], "properties": {
                "id": {"type": "string", "maxLength": 100,
                       "description": "Your id for this event; sending it again changes nothing"},
                "type": {"const": type_name},
                "data": {"$ref": REF.format(model=model)}}}


@cache
def document() -> dict[str, Any]:
    _, schemas = models_json_schema(
        [(event.record, "validation") for event in EVENT_TYPES.values()],
        ref_template=REF)
    components = dict(schemas.get("$defs", {}))
    components["Error"] = {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"}, "field": {"type": ["string", "null"]}}}
    components["Result"] = {"type": "object", "properties": {
        "status": {"enum": ["applied", "duplicate", "ignored"]},
        "order_number": {"type": ["string", "null"]}, "reason": {"type": ["string", "null"]}}}
    events = [_envelope(name, event.record.__name__, event.summary)
              for name, event in EVENT_TYPES.items()]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Customer portal store API", "version": "1",
                 "description": "Put a shop's customers, orders, parcels and money into the "
                                "portal. Money is integer minor units of the order's currency "
                                "(cents); times are ISO 8601 with a zone."},
        "paths": {
            "/api/store/events": {"post": {
                "summary": "Apply one store event (at most once per event id)",
                "parameters": SIGNATURE_HEADERS,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"oneOf": events, "discriminator": {"propertyName": "type"}}}}},
                "responses": {
                    "200": {"description": "Applied, or a duplicate of an event already applied",
                            "content": {"application/json": {"schema": {
                                "$ref": REF.format(model="Result")}}}},
                    "400": _error("Malformed: not JSON, or a field is missing or wrong "
                                  "(`field` names it)"),
                    "401": _error("Signature missing or wrong, or timestamp too old"),
                    "404": _error("The store API is not turned on"),
                    "409": _error("The order this event is about has not been received yet; "
                                  "send it again after the order"),
                    "413": _error("Body over 1 MB"),
                    "422": _error("The event breaks a rule (a total that does not add up, a "
                                  "refund larger than what was paid, a number already used)"),
                }}},
            "/api/shopify/webhooks": {"post": {
                "summary": "Shopify webhooks, exactly as Shopify sends them",
                "description": "Signed with X-Shopify-Hmac-Sha256 under "
                               "PORTAL_SHOPIFY_WEBHOOK_SECRET; X-Shopify-Topic selects the "
                               "handler; X-Shopify-Webhook-Id makes a redelivery a no-op.",
                "responses": {"200": {"description": "Applied, duplicate or ignored topic"},
                              "400": _error("Malformed"), "401": _error("Bad signature"),
                              "409": _error("Order not received yet (Shopify redelivers)"),
                              "413": _error("Body over 1 MB"),
                              "422": _error("Breaks a rule")}}},
        },
        "components": {"schemas": components},
    }
