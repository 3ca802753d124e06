"""Every error of an htmx request reaches the screen: it is retargeted to the flash region."""

from __future__ import annotations

import pytest

from tests.factories import make_customer

HTMX = {"HX-Request": "true"}


def assert_shown_in_flash_region(response, status: int, words: str) -> None:
    assert response.status_code == status
    assert response.headers["HX-Retarget"] == "#flash-region"
    assert response.headers["HX-Reswap"].startswith("innerHTML")
    body = response.get_data(as_text=True)
    assert 'role="alert"' in body and words in body
    assert "<html" not in body  # the fragment, not a page inside the region


def test_a_404_inside_an_htmx_request(client, session, login) -> None:
    login(client, make_customer(session))
    response = client.get("/orders/NW-NOPE", headers=HTMX)
    assert_shown_in_flash_region(response, 404, "We could not find that page")


def test_every_page_has_the_region_and_htmx_swaps_errors(client, session, login) -> None:
    page = client.get("/track").get_data(as_text=True)
    assert 'id="flash-region"' in page
    assert '{"code": "[45]..", "swap": true, "error": true}' in page


class TestWithTokens:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_an_expired_csrf_token(self, client) -> None:
        response = client.post("/track", data={"number": "NW1", "email": "a@example.com"},
                               headers={**HTMX, "X-CSRFToken": "expired"})
        assert_shown_in_flash_region(response, 400, "Your form expired")


class TestWithALimit:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["TRACK_RATE_LIMIT"] = "2 per minute"
        return app_config

    def test_a_rate_limited_track(self, client) -> None:
        statuses = []
        for _ in range(3):
            response = client.post("/track", data={"number": "NW1", "email": "a@example.com"},
                                   headers=HTMX)
            statuses.append(response.status_code)
        assert statuses[-1] == 429, statuses
        assert_shown_in_flash_region(response, 429, "Too many attempts")
