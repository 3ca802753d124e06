"""Playwright driving Debian's chromium against a live server on the test database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal.auth.service import find_customer_by_email
from portal.config import PROJECT_ROOT
from tests.factories import next_totp_code

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it with apt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served over HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(params=[pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    return request.param


@pytest.fixture
def page(browser: object, viewport: dict[str, int]) -> Iterator[object]:
    context = browser.new_context(viewport=viewport)  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[object, str], Path]:
    """Saves a full-page screenshot as a test artefact: test-artifacts/<test>-<name>.png."""

    def _shot(page: object, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        safe_test = request.node.name.replace("[", "-").replace("]", "")
        path = ARTIFACTS / f"{safe_test}-{name}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path

    return _shot


@pytest.fixture
def sign_in(live_server: str, app: Flask) -> Callable[[object, str], None]:
    """Signs in through the login form (the one on screen, if any) as the given email, and
    through the second step when the account has one (staff made by the test factories)."""

    def _sign_in(page: object, email: str, password: str = "portal-demo") -> None:
        if "/login" not in page.url:  # type: ignore[attr-defined]
            page.goto(f"{live_server}/login")  # type: ignore[attr-defined]
        page.get_by_label("Email").fill(email)  # type: ignore[attr-defined]
        page.get_by_label("Password", exact=False).first.fill(password)  # type: ignore[attr-defined]
        with page.expect_navigation():  # type: ignore[attr-defined]
            page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
        if page.url.endswith("/login/two-factor"):  # type: ignore[attr-defined]
            with app.extensions["portal_sessionmaker"]() as session:
                customer = find_customer_by_email(session, email)
                code = next_totp_code(session, customer)
            page.get_by_label("Code").fill(code)  # type: ignore[attr-defined]
            page.get_by_role("button", name="Continue").click()  # type: ignore[attr-defined]

    return _sign_in


AXE_SOURCE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Violations at these levels fail a page; "minor" ones are reported by axe but tolerated.
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def accessibility_violations() -> Callable[[object], list[str]]:
    """Runs axe-core (from npm) on the page; returns the serious and critical violations."""
    if not AXE_SOURCE.exists():
        pytest.skip("axe-core is not installed (npm ci installs it)")
    source = AXE_SOURCE.read_text()

    def _check(page: object) -> list[str]:
        page.evaluate(source)  # type: ignore[attr-defined]
        result = page.evaluate(  # type: ignore[attr-defined]
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            for violation in result["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        ]

    return _check
