"""Hostile input in paths and query strings: the same answer on SQLite and PostgreSQL
(CI runs this file on both), and never a 500."""

from __future__ import annotations

import re

import pytest

from portal.auth.models import Role
from portal.numbers import parse_int, to_int
from tests.factories import make_customer, make_order

UNICODE_DIGITS = ["²", "①", "²⁰²⁴", "٣", "\uff11\uff12", "1_000", " 7 ", "-3", "9" * 40]


def _nul_urls(app) -> list[tuple[str, str]]:
    """Every route with a text value in its path, with that value a NUL byte."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not any(
                conv.__class__.__name__ in ("UnicodeConverter", "PathConverter")
                for conv in rule._converters.values()):
            continue
        path = re.sub(r"<int:[a-z_]+>", "1", rule.rule)
        path = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "%00", path)
        method = "GET" if "GET" in rule.methods else "POST"
        urls.append((method, path))
    return sorted(urls)


@pytest.fixture
def shopper_client(app, session, login):
    client = app.test_client()
    shopper = make_customer(session)
    make_order(session, shopper)
    login(client, shopper)
    return client


@pytest.fixture
def staff_client(app, session, login):
    client = app.test_client()
    login(client, make_customer(session, role=Role.STAFF))
    return client


def test_the_reported_paths_with_a_nul_are_404(shopper_client):
    for path in ["/orders/%00", "/orders/%00/shipments/1", "/billing/invoices/%00",
                 "/billing/invoices/%00.pdf", "/returns/%00", "/requests/%00"]:
        assert shopper_client.get(path).status_code == 404, path


def test_every_route_with_a_nul_in_its_path_is_404(app, shopper_client, staff_client):
    urls = _nul_urls(app)
    assert len(urls) >= 20
    answers = {}
    for client in (shopper_client, staff_client):
        for method, path in urls:
            answers[path] = client.open(path, method=method).status_code
    assert set(answers.values()) == {404}, answers


@pytest.mark.parametrize("value", UNICODE_DIGITS)
def test_odd_digits_in_filters_are_ignored_not_500(shopper_client, staff_client, value):
    for client, path in [(shopper_client, "/orders?year={}"), (shopper_client, "/orders?page={}"),
                         (shopper_client, "/billing?page={}"), (shopper_client, "/returns?page={}"),
                         (shopper_client, "/requests?page={}"),
                         (staff_client, "/staff/requests?assignee={}"),
                         (staff_client, "/staff/requests?page={}"),
                         (staff_client, "/staff/audit?actor={}"),
                         (staff_client, "/help/start-a-return?sid={}")]:
        response = client.get(path.format(value))
        assert response.status_code in (200, 404), (path, response.status_code)


def test_an_odd_digit_year_shows_every_year_instead(shopper_client):
    unfiltered = shopper_client.get("/orders").get_data(as_text=True)
    assert shopper_client.get("/orders?year=²").get_data(as_text=True).count("NW") == \
        unfiltered.count("NW")


@pytest.mark.parametrize("value", ["²", "①", "٣", "", "abc", "2147483648", "-1", "1.0"])
def test_only_ascii_digits_make_a_number(value):
    assert parse_int(value) is None
    with pytest.raises(ValueError):
        to_int(value)


def test_ascii_digits_do():
    assert parse_int("2024") == 2024 and parse_int(" 7 ") == 7
    assert parse_int("1990", minimum=1990, maximum=2200) == 1990
    assert parse_int("2201", minimum=1990, maximum=2200) is None
