"""An error answered to an htmx request appears where the shopper looks, on a phone and a
desktop: here /track refusing a third lookup in a minute."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    app_config["TRACK_RATE_LIMIT"] = "2 per minute"
    return app_config


def test_a_rate_limited_lookup_is_shown_in_the_flash_region(page, live_server, shot):
    page.goto(f"{live_server}/track")
    for _ in range(3):
        page.get_by_label("Order number").fill("NW100001")
        page.get_by_label("Email").fill("nobody@example.com")
        page.get_by_role("button", name="Track").click()
        page.wait_for_load_state("networkidle")
    alert = page.locator("#flash-region [role=alert]")
    expect(alert).to_contain_text("Too many attempts")
    expect(alert).to_be_in_viewport()
    assert page.url == f"{live_server}/track"  # htmx swapped it in: no page change
    shot(page, "track-429")
