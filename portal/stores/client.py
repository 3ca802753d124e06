"""The one HTTP client that talks to shops: signed JSON to a store's endpoint, or the Shopify
Admin API calls that carry out a shopper's action (cancel order, update the shipping address,
create a refund). Every failure is a DeliveryFailed with a message staff can act on."""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from portal.api.carrier_events import sign
from portal.money import to_decimal

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class DeliveryFailed(Exception):
    """The shop did not take the event; the message says why (kept as the last error)."""


def _check_url(url: str) -> None:
    """HTTPS only, except to this machine (a local relay, or the tests' server)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise DeliveryFailed(f"{url!r} is not an HTTPS address")


def _call(client: httpx.Client, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    _check_url(url)
    try:
        response = client.request(method, url, timeout=TIMEOUT, **kwargs)
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"{method} {url}: {type(error).__name__}: {error}") from None
    if not response.is_success:
        raise DeliveryFailed(f"{method} {url}: HTTP {response.status_code} "
                             f"{response.text[:200]}")
    try:
        return response.json() if response.content else {}
    except ValueError:
        return {}


def send_to_store(client: httpx.Client, *, url: str, secret: str, event_id: str, kind: str,
                  payload: Mapping[str, Any], now: float | None = None) -> None:
    """POSTs {"id", "type", "data"} signed the way the store API signs what it receives."""
    body = json.dumps({"id": event_id, "type": kind, "data": dict(payload)}).encode()
    stamp = str(int(now if now is not None else time.time()))
    _call(client, "POST", url, content=body, headers={
        "Content-Type": "application/json", "X-Portal-Timestamp": stamp,
        "X-Portal-Signature": f"sha256={sign(secret, stamp, body)}",
        "X-Portal-Event-Id": event_id})


class ShopifyAdmin:
    """Shopify's REST Admin API for one shop: `admin_url` is
    https://{shop}.myshopify.com/admin/api/{version}."""

    def __init__(self, client: httpx.Client, *, admin_url: str, token: str) -> None:
        self.client = client
        self.base = admin_url.rstrip("/")
        self.headers = {"X-Shopify-Access-Token": token, "Content-Type": "application/json"}

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return _call(self.client, method, f"{self.base}{path}", headers=self.headers,
                     content=json.dumps(body or {}).encode())

    def cancel_order(self, order_id: str) -> None:
        self._call("POST", f"/orders/{order_id}/cancel.json",
                   {"reason": "customer", "email": True, "restock": True})

    def update_shipping_address(self, order_id: str, address: Mapping[str, Any]) -> None:
        name = address.get("name") or ""
        first, _, last = name.partition(" ")
        self._call("PUT", f"/orders/{order_id}.json", {"order": {
            "id": int(order_id), "shipping_address": {
                "name": name, "first_name": first, "last_name": last,
                "address1": address.get("line1"), "address2": address.get("line2"),
                "city": address.get("city"), "province": address.get("region"),
                "zip": address.get("postal_code"), "country_code": address.get("country"),
                "phone": address.get("phone")}}})

    def create_refund(self, order_id: str, *, amount_cents: int, currency: str, note: str,
                      lines: list[Mapping[str, Any]], shipping_cents: int) -> str:
        """Shopify's two steps: calculate (which names the payment to refund against), then
        create with our amount; returns Shopify's id for the refund."""
        refund: dict[str, Any] = {
            "currency": currency,
            "shipping": {"amount": str(to_decimal(shipping_cents, currency))},
            "refund_line_items": [
                {"line_item_id": int(line["line_external_id"]), "quantity": line["quantity"],
                 "restock_type": "no_restock"}
                for line in lines if line.get("line_external_id")],
        }
        calculated = self._call("POST", f"/orders/{order_id}/refunds/calculate.json",
                                {"refund": refund})
        suggested = (calculated.get("refund") or {}).get("transactions") or []
        if not suggested:
            raise DeliveryFailed("Shopify suggested no payment to refund against")
        left = to_decimal(amount_cents, currency)
        transactions = []
        for transaction in suggested:
            take = min(left, Decimal(str(transaction.get("maximum_refundable")
                                         or transaction.get("amount") or 0)))
            if take > 0:
                transactions.append({"parent_id": transaction.get("parent_id"),
                                     "amount": str(take), "kind": "refund",
                                     "gateway": transaction.get("gateway")})
                left -= take
        if left > 0:
            most = to_decimal(amount_cents, currency) - left
            raise DeliveryFailed(f"Shopify can refund at most {most} {currency} of this order")
        created = self._call("POST", f"/orders/{order_id}/refunds.json", {"refund": {
            **refund, "notify": True, "note": note, "transactions": transactions}})
        refund_id = (created.get("refund") or {}).get("id")
        if refund_id is None:
            raise DeliveryFailed("Shopify's answer had no refund id")
        return str(refund_id)
