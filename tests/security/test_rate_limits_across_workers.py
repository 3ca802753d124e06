"""The documented limits hold on a real gunicorn with two workers, as `make run` starts it
(PORTAL_RATELIMIT_STORAGE_URI=database).

Counters used to live in each worker's memory, so two workers answered 20 of 40 wrong
passwords where 10 per minute is documented. They now live in the shared database.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from portal.config import PROJECT_ROOT

CARRIER_SECRET = "real-server-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[int]:
    """gunicorn with two workers on the test database; yields its port."""
    port = _free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": database_url, "PORTAL_SECRET_KEY": "s" * 32,
           "PORTAL_ENV": "development", "PORTAL_LOGIN_RATE_LIMIT": "10 per minute",
           "PORTAL_INDEX_DIR": str(tmp_path / "index"), "PORTAL_OUTBOX_DIR": str(tmp_path / "out"),
           "PORTAL_CARRIER_SECRET_UPS": CARRIER_SECRET}
    env["PORTAL_RATELIMIT_STORAGE_URI"] = "database"  # as `make run` sets it
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "wsgi:app"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "gunicorn.log", "wb"))  # noqa: SIM115
    try:
        _wait_until_up(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180  # workers import the whole app: slow on a busy machine
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn stopped"
        try:
            if _request(port, "GET", "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("gunicorn did not answer within 180 s")


def _request(port, method, path, *, body=None, headers=None, chunked=False, timeout=30):
    """One request on a new connection, so the kernel spreads them over both workers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {},
                           encode_chunked=chunked)
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie"), response.read()
    finally:
        connection.close()


def test_forty_wrong_passwords_get_ten_answers_across_two_workers(server):
    _status, cookie, page = _request(server, "GET", "/login")
    token = re.search(rb'name="csrf_token" [^>]*value="([^"]+)"', page).group(1).decode()
    headers = {"Cookie": cookie.split(";", 1)[0],
               "Content-Type": "application/x-www-form-urlencoded"}
    body = urlencode({"email": "nobody@example.com", "password": "wrong-password",
                      "csrf_token": token})
    answers = [_request(server, "POST", "/login", body=body, headers=headers)[0]
               for _ in range(40)]
    assert answers.count(200) == 10, answers
    assert answers.count(429) == 30, answers


def test_a_chunked_body_past_the_limit_is_413_on_a_real_server(server):
    from portal.api.carrier_events import sign

    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    stamp = str(int(time.time()))
    status, _cookie, answer = _request(
        server, "POST", "/api/tracking/ups", body=iter([body[:4096], body[4096:]]),
        chunked=True, headers={"Content-Type": "application/json", "X-Portal-Timestamp": stamp,
                               "X-Portal-Signature": sign(CARRIER_SECRET, stamp, body)})
    assert status == 413, answer
