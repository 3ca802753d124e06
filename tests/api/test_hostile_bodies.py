"""Hostile bodies on the carrier webhook: a 400 naming the field or a 413, never a 500."""

from __future__ import annotations

import io
import time

import pytest

from portal.api.carrier_events import sign
from portal.api.inbound import UnsafeJson, load_json
from tests.api.test_tracking_webhook import SECRET, event, post

NESTED = b"[" * 50_000 + b"]" * 50_000


@pytest.mark.parametrize(("occurred_at", "field"), [
    ("9999-12-31T23:59:59-14:00", "occurred_at"),
    ("0001-01-01T00:00:00+14:00", "occurred_at"),
])
def test_times_past_the_calendar_are_400_naming_the_field(client, parcel, occurred_at, field):
    response = post(client, event(1, "D", occurred_at))
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def test_a_lone_surrogate_in_an_id_is_400_naming_the_field(client, parcel):
    raw = b'{"events": [{"id": "\\ud800", "tracking_number": "1ZTEST0001", "status": "D", ' \
          b'"occurred_at": "2026-11-20T08:00:00Z"}]}'
    response = post(client, raw)
    assert response.status_code == 400
    assert response.get_json()["field"] == "events[0].id"


def test_fifty_thousand_nested_arrays_are_400(client, parcel):
    response = post(client, NESTED)
    assert response.status_code == 400
    assert response.get_json()["field"] == "body"


def test_a_nul_in_any_text_names_the_field(client, parcel):
    response = post(client, event(1, "D", "2026-11-20T08:00:00Z", location="Lou\u0000isville"))
    assert response.status_code == 400
    assert response.get_json()["field"] == "location"


def _chunked(client, raw: bytes):
    """A body sent without Content-Length, as a WSGI server hands over a chunked request."""
    stamp = str(int(time.time()))
    return client.post("/api/tracking/ups", input_stream=io.BytesIO(raw), headers={
        "Content-Type": "application/json", "Transfer-Encoding": "chunked",
        "X-Portal-Timestamp": stamp, "X-Portal-Signature": sign(SECRET, stamp, raw)},
        environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_body_past_the_one_limit_is_413(app, client, parcel):
    limit = app.config["MAX_CONTENT_LENGTH"]
    padding = "x" * limit
    raw = f'{{"id": "e1", "tracking_number": "1ZTEST0001", "status": "D", ' \
          f'"occurred_at": "2026-11-20T08:00:00Z", "pad": "{padding}"}}'.encode()
    response = _chunked(client, raw)
    assert response.status_code == 413
    assert post(client, raw).status_code == 413  # and with a Content-Length


def test_a_chunked_body_within_the_limit_is_read(client, parcel):
    raw = b'{"id": "e1", "tracking_number": "1ZTEST0001", "status": "D", ' \
          b'"occurred_at": "2026-11-20T08:00:00Z"}'
    response = _chunked(client, raw)
    assert response.status_code == 200, response.get_json()


def test_the_one_limit_covers_forms_too(app, client):
    response = client.post("/login", data={"email": "a@example.com",
                                           "password": "x" * (app.config["MAX_CONTENT_LENGTH"])})
    assert response.status_code == 413


@pytest.mark.parametrize(("body", "field"), [
    (b'{"a": NaN}', "body"),
    (b'{"a": Infinity}', "body"),
    (b'{"a": [1, "\\ud83d"]}', "a[1]"),
    (b'{"\\udc00": 1}', "\\udc00"),
    (b'{"a": {"b": "x\\u0000"}}', "a.b"),
    (b"\xff\xfe", "body"),
    (b"[" * 40 + b"]" * 40, "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                             "[0][0][0][0][0][0][0][0][0][0][0][0]"),
    (NESTED, "body"),
    (b"1" * 5000, "body"),
])
def test_load_json_refuses_what_cannot_be_stored(body, field):
    with pytest.raises(UnsafeJson) as refused:
        load_json(body)
    assert refused.value.field == field


def test_load_json_keeps_ordinary_documents():
    assert load_json(b'{"events": [{"id": "\\ud83d\\ude00", "n": 1.5}]}') == {
        "events": [{"id": "\U0001F600", "n": 1.5}]}


def test_an_upload_view_keeps_its_larger_limit_even_for_the_csrf_check(app, client, session):
    import re as regex

    from tests.factories import DEMO_PASSWORD, make_customer

    app.config["WTF_CSRF_ENABLED"] = True
    customer = make_customer(session)
    token = regex.search(r'name="csrf_token" [^>]*value="([^"]+)"',
                         client.get("/login").text).group(1)
    client.post("/login", data={"email": customer.email, "password": DEMO_PASSWORD,
                                "csrf_token": token})
    photo = io.BytesIO(b"\xff" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    response = client.post("/contact", content_type="multipart/form-data", data={
        "csrf_token": token, "subject": "Broken lamp", "body": "It arrived broken.",
        "attachments": [(photo, "lamp.jpg")]})
    assert response.status_code == 422  # read and refused as a photo, not a 413
