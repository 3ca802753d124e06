"""Signing in and out, on a phone-sized and a desktop viewport."""

from tests.factories import make_customer


def test_sign_in_and_out(page, live_server, session, sign_in, shot):
    make_customer(session, email="ada@example.com", name="Ada Lovelace")
    page.goto(f"{live_server}/orders")
    assert "/login" in page.url
    shot(page, "login")

    sign_in(page, "ada@example.com")
    page.wait_for_url(f"{live_server}/orders")
    page.goto(f"{live_server}/")
    assert page.get_by_role("heading", name="Hello, Ada").is_visible()
    shot(page, "home")

    page.locator("summary", has_text="Ada").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/login")
    page.get_by_text("You are signed out.").wait_for()


def test_wrong_password_is_explained(page, live_server, session, sign_in):
    make_customer(session, email="ada@example.com")
    sign_in(page, "ada@example.com", "not-the-password")
    page.get_by_text("That email and password do not match an account.").wait_for()
    assert page.get_by_label("Email").input_value() == "ada@example.com"


def test_no_console_errors_from_csp(page, live_server, session, sign_in):
    make_customer(session, email="ada@example.com")
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page, "ada@example.com")
    page.goto(f"{live_server}/account")
    assert errors == []


def test_login_home_and_account_pass_the_accessibility_check(
    page, live_server, session, sign_in, accessibility_violations
):
    make_customer(session, email="ada@example.com")
    page.goto(f"{live_server}/login")
    assert accessibility_violations(page) == []
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"{live_server}/")
    assert accessibility_violations(page) == []
    page.goto(f"{live_server}/account")
    assert accessibility_violations(page) == []
