"""The store's rules and legal details: one configuration that code and articles both read."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from datetime import time

from flask import current_app

from portal.money import format_money


@dataclass(frozen=True)
class StorePolicy:
    store_name: str = "Northwind Goods"
    legal_name: str = "Northwind Goods Ltd."
    legal_address: tuple[str, ...] = ("12 Harbour Street", "Portland, OR 97201", "United States")
    tax_id: str = "US-EIN 12-3456789"
    support_email: str = "support@example.com"
    currency: str = "USD"
    locale: str = "en_US"
    return_window_days: int = 30
    return_shipping_fee_cents: int = 495
    restocking_fee_percent: int = 0
    store_credit_bonus_percent: int = 10
    free_shipping_threshold_cents: int = 5000
    standard_shipping_cents: int = 595
    order_cutoff_time: time = time(14, 0)
    processing_days: int = 1
    refund_processing_days: int = 5
    carriers: tuple[str, ...] = field(default=("ups", "fedex", "usps"))

    def as_snapshot(self) -> dict[str, object]:
        """The rules a shopper was promised, to record with an order."""
        return {
            "return_window_days": self.return_window_days,
            "return_shipping_fee_cents": self.return_shipping_fee_cents,
            "restocking_fee_percent": self.restocking_fee_percent,
            "store_credit_bonus_percent": self.store_credit_bonus_percent,
        }


def load_policy() -> StorePolicy:
    """Defaults, overridden field by field by the JSON in PORTAL_STORE_POLICY if set."""
    overrides = json.loads(os.environ.get("PORTAL_STORE_POLICY") or "{}")
    if "order_cutoff_time" in overrides:
        overrides["order_cutoff_time"] = time.fromisoformat(overrides["order_cutoff_time"])
    for name in ("legal_address", "carriers"):
        if name in overrides:
            overrides[name] = tuple(overrides[name])
    return dataclasses.replace(StorePolicy(), **overrides)


def current_policy() -> StorePolicy:
    return current_app.config["STORE_POLICY"]


def policy_variables(policy: StorePolicy) -> dict[str, str]:
    """Display strings of the policy numbers, for help articles and policy pages."""

    def money(cents: int) -> str:
        return format_money(cents, policy.currency, policy.locale)

    return {
        "store_name": policy.store_name,
        "support_email": policy.support_email,
        "return_window_days": str(policy.return_window_days),
        "return_shipping_fee": money(policy.return_shipping_fee_cents),
        "restocking_fee_percent": f"{policy.restocking_fee_percent}%",
        "store_credit_bonus_percent": f"{policy.store_credit_bonus_percent}%",
        "free_shipping_threshold": money(policy.free_shipping_threshold_cents),
        "standard_shipping": money(policy.standard_shipping_cents),
        "order_cutoff_time": policy.order_cutoff_time.strftime("%H:%M"),
        "processing_days": str(policy.processing_days),
        "refund_processing_days": str(policy.refund_processing_days),
    }
