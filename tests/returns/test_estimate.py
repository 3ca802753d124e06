"""Refund estimates, table-driven: item shares with tax, fees, waivers, bonus."""

from __future__ import annotations

import pytest

from portal.returns.estimate import LineClaim, estimate_refund, item_share_cents
from portal.returns.models import ReturnReason, ReturnResolution
from portal.returns.policy import ReturnRules

RULES = ReturnRules(window_days=30, shipping_fee_cents=495, restocking_fee_percent=0,
                    credit_bonus_percent=10)
REFUND, CREDIT = ReturnResolution.REFUND, ReturnResolution.STORE_CREDIT


def claim(quantity: int = 1, *, reason: ReturnReason = ReturnReason.TOO_SMALL,
          unit: int = 2500, line_quantity: int = 1, discount: int = 0, tax: int = 200,
          earlier: int = 0, line_id: int = 1) -> LineClaim:
    return LineClaim(order_line_id=line_id, line_quantity=line_quantity, unit_price_cents=unit,
                     line_discount_cents=discount, line_tax_cents=tax, quantity=quantity,
                     reason=reason, earlier_quantity=earlier)


@pytest.mark.parametrize(
    ("claims", "rules", "resolution", "items", "restocking", "shipping", "bonus", "total"),
    [
        pytest.param([claim()], RULES, REFUND, 2700, 0, 495, 0, 2205, id="fee deducted"),
        pytest.param([claim(reason=ReturnReason.DAMAGED)], RULES, REFUND, 2700, 0, 0, 0, 2700,
                     id="damaged ships free"),
        pytest.param([claim(reason=ReturnReason.WRONG_ITEM)], RULES, REFUND, 2700, 0, 0, 0,
                     2700, id="wrong item ships free"),
        pytest.param([claim()], RULES, CREDIT, 2700, 0, 495, 221, 2426,
                     id="store credit bonus on the refund"),
        pytest.param([claim()], ReturnRules(30, 495, 10, 0), REFUND, 2700, 270, 495, 0, 1935,
                     id="restocking fee"),
        pytest.param([claim(reason=ReturnReason.DAMAGED)], ReturnRules(30, 495, 10, 0), REFUND,
                     2700, 0, 0, 0, 2700, id="no restocking for damage"),
        pytest.param([claim(unit=300, tax=0)], RULES, REFUND, 300, 0, 300, 0, 0,
                     id="fees never exceed the refund"),
        pytest.param([claim(1, line_quantity=3, unit=1000, tax=240, discount=300)], RULES,
                     REFUND, 980, 0, 495, 0, 485, id="share of discount and tax"),
        pytest.param([claim(0)], RULES, REFUND, 0, 0, 0, 0, 0, id="nothing chosen"),
        pytest.param([claim(line_id=1), claim(line_id=2, reason=ReturnReason.DAMAGED)], RULES,
                     REFUND, 5400, 0, 0, 0, 5400, id="one damaged item waives shipping"),
    ],
)
def test_estimate(claims, rules, resolution, items, restocking, shipping, bonus, total) -> None:
    estimate = estimate_refund(claims, rules=rules, resolution=resolution)
    assert estimate.item_cents == items
    assert estimate.restocking_fee_cents == restocking
    assert estimate.shipping_fee_cents == shipping
    assert estimate.bonus_cents == bonus
    assert estimate.total_cents == total
    assert estimate.refund_cents + estimate.bonus_cents == estimate.total_cents


def test_shares_of_partial_returns_add_up_to_the_line() -> None:
    line = {"unit": 999, "line_quantity": 3, "discount": 100, "tax": 233}
    parts = [item_share_cents(claim(1, earlier=n, **line)) for n in range(3)]
    assert sum(parts) == 3 * 999 - 100 + 233
    assert item_share_cents(claim(3, **line)) == sum(parts)
