"""Eligibility rules, table-driven, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.returns.policy import (
    Delivery,
    Ineligible,
    LineFacts,
    ReturnRules,
    deliveries_by_line,
    line_eligibility,
)
from portal.store import StorePolicy

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
RULES = ReturnRules(window_days=30, shipping_fee_cents=495, restocking_fee_percent=0,
                    credit_bonus_percent=10)


def delivered(days_ago: float, quantity: int = 1) -> Delivery:
    return Delivery(quantity, NOW - timedelta(days=days_ago))


CASES = [
    # (id, facts, returnable quantity, reason)
    ("delivered yesterday", LineFacts(quantity=1, deliveries=(delivered(1),)), 1, None),
    ("on the last day of the window", LineFacts(quantity=1, deliveries=(delivered(30),)), 1,
     None),
    ("a minute after the window", LineFacts(
        quantity=1, deliveries=(Delivery(1, NOW - timedelta(days=30, minutes=1)),)), 0,
     Ineligible.WINDOW_CLOSED),
    ("final sale", LineFacts(quantity=1, is_returnable=False, deliveries=(delivered(1),)), 0,
     Ineligible.FINAL_SALE),
    ("digital", LineFacts(quantity=1, is_digital=True, deliveries=(delivered(1),)), 0,
     Ineligible.DIGITAL),
    ("digital and final sale says digital", LineFacts(
        quantity=1, is_digital=True, is_returnable=False), 0, Ineligible.DIGITAL),
    ("not shipped", LineFacts(quantity=2), 0, Ineligible.NOT_DELIVERED),
    ("in transit", LineFacts(quantity=2, deliveries=(Delivery(2, None),)), 0,
     Ineligible.NOT_DELIVERED),
    ("wholly cancelled", LineFacts(quantity=2, cancelled_quantity=2), 0, Ineligible.CANCELLED),
    ("partly cancelled", LineFacts(quantity=3, cancelled_quantity=1,
                                   deliveries=(delivered(2, 2),)), 2, None),
    ("one of two parcels delivered", LineFacts(
        quantity=3, deliveries=(delivered(2, 1), Delivery(2, None))), 1, None),
    ("window runs from the last delivery", LineFacts(
        quantity=2, deliveries=(delivered(40, 1), delivered(5, 1))), 2, None),
    ("part already returned", LineFacts(quantity=3, deliveries=(delivered(3, 3),),
                                        returned_quantity=1), 2, None),
    ("part in an open return", LineFacts(quantity=3, deliveries=(delivered(3, 3),),
                                         open_return_quantity=2), 1, None),
    ("all returned", LineFacts(quantity=2, deliveries=(delivered(3, 2),),
                               returned_quantity=2), 0, Ineligible.ALREADY_RETURNED),
    ("all in an open return", LineFacts(quantity=2, deliveries=(delivered(3, 2),),
                                        open_return_quantity=2), 0, Ineligible.IN_OPEN_RETURN),
    ("returned and open: open wins the wording", LineFacts(
        quantity=2, deliveries=(delivered(3, 2),), returned_quantity=1,
        open_return_quantity=1), 0, Ineligible.IN_OPEN_RETURN),
]


@pytest.mark.parametrize(("facts", "quantity", "reason"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_line_eligibility(facts: LineFacts, quantity: int, reason: Ineligible | None) -> None:
    result = line_eligibility(facts, rules=RULES, now=NOW)
    assert result.returnable_quantity == quantity
    assert result.reason == reason
    assert result.is_eligible == (quantity > 0)


def test_every_ineligible_line_says_why() -> None:
    for _name, facts, _quantity, _reason in CASES:
        result = line_eligibility(facts, rules=RULES, now=NOW)
        assert result.is_eligible or result.reason is not None


def test_window_closed_reports_the_closing_time() -> None:
    result = line_eligibility(LineFacts(quantity=1, deliveries=(delivered(31),)), rules=RULES,
                              now=NOW)
    assert result.window_closes_at == NOW - timedelta(days=1)


@pytest.mark.parametrize(
    ("snapshot", "expected_window", "expected_fee"),
    [
        ({"return_window_days": 60, "return_shipping_fee_cents": 0}, 60, 0),
        ({}, 30, 495),
        (None, 30, 495),
        ({"return_window_days": "60"}, 30, 495),  # a damaged snapshot falls back, never crashes
        ({"return_window_days": -1}, 30, 495),
    ],
)
def test_recorded_policy_wins_over_current(snapshot, expected_window, expected_fee) -> None:
    rules = ReturnRules.for_order(snapshot, StorePolicy(return_window_days=30,
                                                        return_shipping_fee_cents=495))
    assert rules.window_days == expected_window
    assert rules.shipping_fee_cents == expected_fee


def test_a_later_policy_change_does_not_shorten_the_window() -> None:
    promised = StorePolicy(return_window_days=60).as_snapshot()
    today = ReturnRules.for_order(promised, StorePolicy(return_window_days=14))
    facts = LineFacts(quantity=1, deliveries=(delivered(45),))
    assert line_eligibility(facts, rules=today, now=NOW).is_eligible


def test_deliveries_grouped_by_line() -> None:
    when = NOW
    grouped = deliveries_by_line([(1, 2, when), (2, 1, None), (1, 1, None)])
    assert grouped == {1: (Delivery(2, when), Delivery(1, None)), 2: (Delivery(1, None),)}
