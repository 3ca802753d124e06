"""Cleaning a shopper's whole message before search (portal/help/messages.py)."""

from __future__ import annotations

import pytest

from portal.help.messages import clean_message


@pytest.mark.parametrize(("message", "cleaned"), [
    ("Hi there, I need assistance to cancel my order #A-20931. Thanks, Sarah",
     "cancel my order"),
    ("Good morning, where is order 448812? Kind regards, Mike Jones", "where is order?"),
    ("hello can you help me with a refund of £38.20 please", "a refund of please"),
    ("Dear team, my parcel never came. Anne", "my parcel never came"),
    ("Please help! my card was declined", "my card was declined"),
])
def test_greetings_names_identifiers_and_pleas_are_removed(message: str, cleaned: str) -> None:
    assert clean_message(message) == cleaned


@pytest.mark.parametrize("query", ["track order", "best sofa for a small room",
                                   "thanks card", "return policy"])
def test_short_queries_pass_unchanged(query: str) -> None:
    assert clean_message(query) == query


def test_a_message_that_is_only_noise_is_kept_whole() -> None:
    assert clean_message("Hi") == "Hi"
    assert clean_message("order 12345") == "order"
