"""Generic store API events written for these tests, and a signed poster."""

from __future__ import annotations

import json
import time
from typing import Any

from portal.api.carrier_events import sign

SECRET = "store-events-test-secret"


def order_data(**changes: Any) -> dict[str, Any]:
    """Order W-77: 3 x 10.00 with 2.00 off, 20% tax, 4.95 shipping = 28.00 + 5.60 + 4.95."""
    data: dict[str, Any] = {
        "external_id": "ord-77", "number": "W-77", "placed_at": "2026-11-30T09:00:00Z",
        "currency": "EUR",
        "customer": {"external_id": "cus-5", "email": "Lin@Example.org", "name": "Lin Yu"},
        "lines": [{"external_id": "l1", "sku": "SOCK-3", "name": "Socks (3 pairs)",
                   "quantity": 3, "unit_price": 1000, "discount": 200, "tax": 560,
                   "tax_rate_bp": 2000}],
        "shipping": 495, "total": 3855,
        "shipping_address": {"name": "Lin Yu", "line1": "Kastanienallee 9", "city": "Berlin",
                             "postal_code": "10435", "country": "DE"},
    }
    data.update(changes)
    return data


def event(event_id: str, event_type: str, data: Any) -> dict[str, Any]:
    return {"id": event_id, "type": event_type, "data": data}


def post(client: Any, payload: Any, *, secret: str = SECRET, timestamp: int | None = None,
         signature: str | None = None) -> Any:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return client.post("/api/store/events", data=raw, headers={
        "Content-Type": "application/json", "X-Portal-Timestamp": stamp,
        "X-Portal-Signature": signature or sign(secret, stamp, raw)})
