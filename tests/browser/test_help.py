"""The help center in a real browser: search as you type, Did you mean, the no-answer path,
an article and its feedback (CSRF on), on phone and desktop, with an accessibility check."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_search_as_you_type_then_read_and_rate(page, live_server, shot, accessibility_violations):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server}/help")
    assert accessibility_violations(page) == []

    page.get_by_label("Search the help center").press_sequentially("refnd", delay=30)
    page.get_by_text("Did you mean").wait_for()
    page.wait_for_url(re.compile(r"/help/search\?q=refnd"))
    results = page.locator("#help-results ol li")
    assert results.count() >= 1
    assert page.locator("#help-results mark").count() >= 1
    shot(page, "results")
    assert accessibility_violations(page) == []

    page.get_by_label("Search the help center").fill("bitcoin mining rig")
    page.get_by_text("couldn't find a good answer").wait_for()
    contact = page.locator("#help-results a", has_text="Ask our support team")
    assert "q=bitcoin+mining+rig" in (contact.get_attribute("href") or "")

    page.goto(f"{live_server}/help/search?q=return+policy")
    page.locator("#help-results ol li a").first.click()
    page.get_by_role("heading", level=1).wait_for()
    assert "Our return policy" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Yes").click()
    page.get_by_text("Thanks for your feedback").wait_for()
    shot(page, "article")
    assert accessibility_violations(page) == []
    assert errors == []
