"""Static files: fingerprinted names, one stylesheet, a year-long immutable cache, gzip."""

from __future__ import annotations

import gzip
import re

from flask.testing import FlaskClient


def _assets(client: FlaskClient) -> tuple[list[str], list[str]]:
    page = client.get("/login").get_data(as_text=True)
    return (re.findall(r'<link rel="stylesheet" href="([^"]+)"', page),
            re.findall(r'<script src="([^"]+)"', page))


def test_a_page_asks_for_one_fingerprinted_stylesheet(client: FlaskClient) -> None:
    sheets, scripts = _assets(client)
    assert len(sheets) == 1
    for url in sheets + scripts:
        assert re.fullmatch(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(css|js)", url), url
    bundle = client.get(sheets[0]).get_data(as_text=True)
    assert ":root" in bundle and ".skip-link" in bundle  # Pico, then the portal's own sheet
    assert bundle.index(":root") < bundle.index(".skip-link")


def test_assets_are_cached_for_a_year_and_never_revalidated(client: FlaskClient) -> None:
    sheets, scripts = _assets(client)
    for url in sheets + scripts:
        response = client.get(url)
        assert response.status_code == 200
        cache = response.headers["Cache-Control"]
        assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache


def test_assets_are_sent_compressed_to_who_accepts_it(client: FlaskClient) -> None:
    sheets, _ = _assets(client)
    plain = client.get(sheets[0]).data
    packed = client.get(sheets[0], headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain) / 3
    assert gzip.decompress(packed.data) == plain


def test_a_changed_file_gets_a_new_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from portal.assets import build_assets

    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    (source / "css" / "portal.css").write_text("a { color: red }")
    first = build_assets(source, tmp_path / "build")
    (source / "css" / "portal.css").write_text("a { color: blue }")
    second = build_assets(source, tmp_path / "build")
    assert first["css/portal.css"] != second["css/portal.css"]
    assert first["bundle.css"] != second["bundle.css"]
    assert (tmp_path / "build" / first["css/portal.css"]).read_text() == "a { color: red }"
