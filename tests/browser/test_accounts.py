"""Account journeys on a phone and a desktop: opening a store-made account with an emailed
code, staff two-step sign-in, email change, editing an address, and the data page."""

import re

import pyotp
from sqlalchemy import select

from portal.auth.models import Customer, Role
from tests.factories import make_address, make_customer


def _mail_path(mail, path):
    body = mail.get_payload(decode=True).decode()
    return re.search(rf"https?://[^/\s]+({path}/\S+)", body).group(1)


def test_claim_an_account_with_an_emailed_code(page, live_server, session, outbox, shot,
                                                accessibility_violations):
    make_customer(session, email="ada@example.com", name="Ada Lovelace", password=None)
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Create your account").click()
    page.wait_for_url("**/signup")
    assert accessibility_violations(page) == []
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Email me a code").click()
    page.wait_for_url("**/login/code/enter")
    assert accessibility_violations(page) == []
    shot(page, "code-enter")
    page.get_by_label("Code from the email").fill("000000")
    page.get_by_role("button", name="Sign in with the code").click()
    page.get_by_text("That code does not work").wait_for()
    code = re.search(r"\d{6}", outbox()[-1]["Subject"]).group(0)
    page.get_by_label("Code from the email").fill(code)
    page.get_by_role("button", name="Sign in with the code").click()
    page.wait_for_url("**/account/password/new")
    assert page.get_by_role("heading", name="Your account is ready").is_visible()
    assert accessibility_violations(page) == []
    page.get_by_role("textbox", name="New password", exact=True).fill("a-new-password")
    page.get_by_label("Repeat the new password").fill("a-new-password")
    page.get_by_role("button", name="Save the password").click()
    page.wait_for_url("**/account")
    page.get_by_text("Your password is set.").wait_for()


def test_sign_in_with_a_code_from_the_link(page, live_server, session, outbox):
    make_customer(session, email="ada@example.com", name="Ada Lovelace")
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Email me a sign-in code instead").click()
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Email me a code").click()
    page.wait_for_url("**/login/code/enter")
    page.goto(live_server + _mail_path(outbox()[-1], "/login/link"))
    page.get_by_role("button", name="Sign in with this link").click()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", name="Hello, Ada").is_visible()


def test_staff_set_up_two_step_sign_in_before_the_console(page, live_server, session, sign_in,
                                                          shot, accessibility_violations):
    make_customer(session, email="sam@example.com", name="Sam Staff", role=Role.STAFF,
                  two_factor=False)
    page.goto(f"{live_server}/login?next=/staff/")
    sign_in(page, "sam@example.com")
    page.wait_for_url("**/account/two-factor")
    assert page.get_by_role("img", name="QR code to scan with your authenticator app").is_visible()
    assert accessibility_violations(page) == []
    shot(page, "two-factor-setup")
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="I have saved them: open the console").click()
    page.wait_for_url("**/staff/")


def test_staff_second_step_page(page, live_server, session, accessibility_violations):
    make_customer(session, email="sam@example.com", role=Role.STAFF)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill("portal-demo")
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/two-factor")
    assert accessibility_violations(page) == []
    page.get_by_label("Code").fill("123")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("That code does not work").wait_for()


def test_change_email_and_edit_an_address(page, live_server, session, sign_in, outbox, shot,
                                          accessibility_violations):
    customer = make_customer(session, email="ada@example.com", name="Ada Lovelace")
    make_address(session, customer, label="Home", city="Springfield")
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/account")
    page.get_by_role("link", name="Edit the Home address").click()
    page.wait_for_url("**/edit")
    assert accessibility_violations(page) == []
    page.get_by_label("City").fill("Shelbyville")
    page.get_by_role("button", name="Save address").click()
    page.wait_for_url("**/account#addresses")
    assert page.locator(".address-book").get_by_text("Shelbyville").is_visible()

    page.locator("summary", has_text="Change your email").click()
    page.get_by_label("New email").fill("ada@new.example")
    page.get_by_label("Current password", exact=True).fill("portal-demo")
    page.get_by_role("button", name="Send the confirmation link").click()
    page.get_by_text("To finish, open the link we sent to ada@new.example").wait_for()
    page.goto(live_server + _mail_path(outbox()[-1], "/account/email/confirm"))
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Use ada@new.example").click()
    page.get_by_text("Your account now uses ada@new.example.").wait_for()
    shot(page, "email-changed")
    session.expire_all()
    assert session.scalar(select(Customer.email)) == "ada@new.example"


def test_download_data_and_delete_account(page, live_server, session, sign_in, shot,
                                          accessibility_violations):
    make_customer(session, email="ada@example.com", name="Ada Lovelace")
    sign_in(page, "ada@example.com")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/account")
    page.get_by_role("link", name="Download your data, or delete your account").click()
    page.wait_for_url("**/account/data")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Prepare my archive").click()
    download_link = page.get_by_role("button", name="Download my data")
    download_link.wait_for()
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.startswith("my-data-")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("Tick the box to confirm.").wait_for()
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("Your account will be deleted on").wait_for()
    shot(page, "deletion-pending")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Keep my account").click()
    page.get_by_text("Your account is kept").wait_for()
