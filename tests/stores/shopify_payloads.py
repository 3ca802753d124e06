"""Shopify webhook bodies written for these tests from the documented REST Admin resources
(Order, Fulfillment, Refund, Customer): decimal-string money, ids as numbers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from typing import Any

SECRET = "shopify-test-secret"
_webhook_ids = itertools.count(1)

ADDRESS = {
    "first_name": "Grace", "last_name": "Hopper", "name": "Grace Hopper",
    "address1": "12 Harbour Road", "address2": "Flat 3", "city": "Portland",
    "province": "Oregon", "province_code": "OR", "zip": "97201", "country": "United States",
    "country_code": "US", "phone": "+1 503 555 0100",
}


def order(**changes: Any) -> dict[str, Any]:
    """Order #1001: 2 tees at 25.00 less 5.00 off, a mug at 12.50, 7.00 shipping, 8% tax
    (on shipping too): 62.50 - 5.00 + 7.00 + 5.16 = 69.66."""
    body: dict[str, Any] = {
        "id": 450789469001, "name": "#1001", "order_number": 1001,
        "email": "Grace.Hopper@Example.com", "contact_email": "Grace.Hopper@Example.com",
        "created_at": "2026-11-28T10:15:00-05:00", "processed_at": "2026-11-28T10:15:00-05:00",
        "updated_at": "2026-11-28T10:15:02-05:00", "currency": "USD", "taxes_included": False,
        "total_line_items_price": "62.50", "total_discounts": "5.00",
        "subtotal_price": "57.50", "total_tax": "5.16", "total_price": "69.66",
        "total_outstanding": "0.00", "financial_status": "paid", "fulfillment_status": None,
        "cancelled_at": None, "cancel_reason": None, "payment_gateway_names": ["shopify_payments"],
        "discount_codes": [{"code": "SPRING5", "amount": "5.00", "type": "fixed_amount"}],
        "customer": {"id": 207119551, "email": "grace.hopper@example.com",
                     "first_name": "Grace", "last_name": "Hopper", "state": "disabled"},
        "shipping_address": dict(ADDRESS), "billing_address": dict(ADDRESS),
        "line_items": [
            {"id": 866550311766439020, "variant_id": 808950810, "product_id": 632910392,
             "sku": "TEE-RED-M", "title": "Red tee", "name": "Red tee - M", "quantity": 2,
             "price": "25.00", "total_discount": "0.00",
             "discount_allocations": [{"amount": "5.00", "discount_application_index": 0}],
             "tax_lines": [{"title": "State tax", "price": "3.60", "rate": 0.08}]},
            {"id": 141249953214522974, "variant_id": 808950811, "product_id": 632910393,
             "sku": "MUG-1", "title": "Mug", "name": "Mug", "quantity": 1, "price": "12.50",
             "total_discount": "0.00", "discount_allocations": [],
             "tax_lines": [{"title": "State tax", "price": "1.00", "rate": 0.08}]},
        ],
        "shipping_lines": [{"id": 271878346, "title": "Standard", "code": "Standard",
                            "price": "7.00", "discounted_price": "7.00",
                            "discount_allocations": [],
                            "tax_lines": [{"title": "State tax", "price": "0.56",
                                           "rate": 0.08}]}],
        "fulfillments": [], "refunds": [],
    }
    body.update(changes)
    return body


def fulfillment(**changes: Any) -> dict[str, Any]:
    """Both tees and the mug leave with UPS in one parcel."""
    body: dict[str, Any] = {
        "id": 255858046, "order_id": 450789469001, "status": "success", "name": "#1001.1",
        "created_at": "2026-11-29T09:00:00-05:00", "updated_at": "2026-11-29T09:00:00-05:00",
        "tracking_company": "UPS", "tracking_number": "1Z2345E60312345678",
        "tracking_numbers": ["1Z2345E60312345678"],
        "tracking_url": "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z2345E60312345678",
        "tracking_urls": ["https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z2345E60312345678"],
        "shipment_status": None,
        "line_items": [{"id": 866550311766439020, "quantity": 2, "sku": "TEE-RED-M"},
                       {"id": 141249953214522974, "quantity": 1, "sku": "MUG-1"}],
    }
    body.update(changes)
    return body


def refund(**changes: Any) -> dict[str, Any]:
    """The mug comes back: 12.50 + 1.00 tax = 13.50 to the card."""
    body: dict[str, Any] = {
        "id": 509562969, "order_id": 450789469001, "created_at": "2026-12-01T12:00:00-05:00",
        "processed_at": "2026-12-01T12:00:00-05:00", "note": "Mug arrived chipped",
        "restock": True,
        "refund_line_items": [{"id": 104689539, "line_item_id": 141249953214522974,
                               "quantity": 1, "restock_type": "return", "subtotal": 12.5,
                               "total_tax": 1.0}],
        "transactions": [{"id": 245135890, "order_id": 450789469001, "kind": "refund",
                          "gateway": "shopify_payments", "status": "success",
                          "amount": "13.50", "currency": "USD"}],
        "order_adjustments": [],
    }
    body.update(changes)
    return body


def customer(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": 207119551, "email": "grace.hopper@example.com",
                            "first_name": "Grace", "last_name": "Hopper",
                            "created_at": "2026-11-01T08:00:00-05:00"}
    body.update(changes)
    return body


def signature(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def post(client: Any, topic: str, payload: Any, *, webhook_id: str | None = None,
         secret: str = SECRET, hmac_header: str | None = None, **kwargs: Any) -> Any:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json", "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature(raw, secret) if hmac_header is None else hmac_header,
        "X-Shopify-Shop-Domain": "northwind-test.myshopify.com",
        "X-Shopify-API-Version": "2025-01",
        "X-Shopify-Webhook-Id": webhook_id or f"b54557e4-bdd9-4b37-8a5f-{next(_webhook_ids):012d}",
    }
    return client.post("/api/shopify/webhooks", data=raw, headers=headers, **kwargs)
