"""Links into other features never break a page: a help search stands in for what is missing."""

from __future__ import annotations

from pathlib import Path

from portal.orders.links import contact_link, help_link, link_to


def test_missing_endpoint_falls_back_to_help_search(app):
    with app.test_request_context():
        assert link_to("nowhere.page", fallback_query="invoice") == "/help/search?q=invoice"
        assert link_to("nowhere.page") == "/help"
        assert link_to("orders.detail", order_number="NW1") == "/orders/NW1"


def test_help_link_only_names_articles_that_exist(app, tmp_path: Path):
    folder = tmp_path / "content" / "shipping"
    folder.mkdir(parents=True)
    (folder / "delayed-shipment.md").write_text("---\ntitle: Delayed\n---\nText\n")
    app.config["CONTENT_DIR"] = str(tmp_path / "content")
    with app.test_request_context():
        assert help_link("delayed-shipment", "late order") == "/help/delayed-shipment"
        assert help_link("no-such-article", "late order") == "/help/search?q=late+order"


def test_contact_link_fills_order_topic_and_subject(app):
    with app.test_request_context():
        url = contact_link("NW1", "delivery", "Parcel lost")
    assert url.startswith("/contact?") and "order=NW1" in url and "topic=delivery" in url
    assert "subject=Parcel+lost" in url
