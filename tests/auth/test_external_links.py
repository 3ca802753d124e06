"""Links in mail come from PORTAL_BASE_URL; a request naming an unknown host is refused."""

import re

import pytest

from portal.links import external_url
from tests.factories import make_customer


def _reset_link(outbox) -> str:
    [mail] = outbox()
    return re.search(r"\S+/password/reset/\S+", mail.get_payload(decode=True).decode()).group(0)


def test_a_forged_host_is_refused_and_nothing_is_mailed(client, session, outbox):
    make_customer(session, email="ada@example.com")
    response = client.post("/password/reset", data={"email": "ada@example.com"},
                           headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert outbox() == []


@pytest.mark.parametrize("host", ["evil.example", "localhost:8080", "portal.example"])
def test_the_reset_link_names_the_configured_site_whatever_the_host(
        app, client, session, outbox, host):
    app.config["TRUSTED_HOSTS"] = None  # even with the host check switched off
    make_customer(session, email="ada@example.com")
    client.post("/password/reset", data={"email": "ada@example.com"}, headers={"Host": host})
    assert _reset_link(outbox).startswith("https://portal.example/password/reset/")


def test_a_base_url_with_a_path_prefix_keeps_it(app):
    app.config["BASE_URL"] = "https://shop.example/portal"
    with app.app_context():
        assert external_url("support.detail", number="R-1") == (
            "https://shop.example/portal/requests/R-1")


def test_trusted_hosts_default_to_the_base_url_host_and_this_machine(monkeypatch, tmp_path):
    from portal.config import load_config

    monkeypatch.setenv("PORTAL_BASE_URL", "https://help.shop.example/")
    monkeypatch.delenv("PORTAL_TRUSTED_HOSTS", raising=False)
    config = load_config(tmp_path)
    assert config["BASE_URL"] == "https://help.shop.example"
    assert config["TRUSTED_HOSTS"] == ["help.shop.example", "localhost", "127.0.0.1"]
    monkeypatch.setenv("PORTAL_TRUSTED_HOSTS", "a.example, .b.example")
    assert load_config(tmp_path)["TRUSTED_HOSTS"] == ["a.example", ".b.example"]


def test_no_view_builds_a_link_from_the_request_host():
    """`url_for(..., _external=True)` takes the host from the request; external_url does not."""
    import re
    from pathlib import Path

    import portal

    offenders = [str(path) for path in Path(portal.__file__).parent.rglob("*.py")
                 if re.search(r"url_for\([^)]*_external=True", path.read_text())]
    assert offenders == []
