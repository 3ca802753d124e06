"""The app under gunicorn on a free loopback port, and a shopper signed in through the form."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from portal.config import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, *, cookie: str = "", data: dict[str, str] | None = None,
          timeout: float = 30) -> tuple[int, dict[str, list[str]], str]:
    """(status, headers, body) without following redirects."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookie} if cookie else {})
    try:
        response = _opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        response = error
    headers: dict[str, list[str]] = {}
    for key, value in response.headers.items():
        headers.setdefault(key.lower(), []).append(value)
    return response.status, headers, response.read().decode("utf-8", "replace")


def _cookies(headers: dict[str, list[str]], jar: dict[str, str]) -> dict[str, str]:
    for header in headers.get("set-cookie", []):
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value
    return jar


def _form_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if match is None:
        raise SystemExit("a sign-in form came without its CSRF token")
    return match.group(1)


def _header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def log_in(base_url: str, email: str, password: str, *, totp_secret: str | None = None) -> str:
    """Signs in through the real login form (CSRF token included), then the two-step form
    with the current code of `totp_secret` when given and the account asks for it; returns
    a Cookie header."""
    status, headers, page = fetch(f"{base_url}/login")
    if status != 200:
        raise SystemExit(f"the login page did not answer as expected ({status})")
    jar = _cookies(headers, {})
    status, headers, _ = fetch(f"{base_url}/login", cookie=_header(jar), data={
        "csrf_token": _form_token(page), "email": email, "password": password})
    if status != 302:
        raise SystemExit(f"signing in as {email} failed ({status})")
    jar = _cookies(headers, jar)
    if totp_secret and "/login/two-factor" in headers.get("location", [""])[0]:
        import pyotp

        status, headers, page = fetch(f"{base_url}/login/two-factor", cookie=_header(jar))
        jar = _cookies(headers, jar)
        status, headers, _ = fetch(f"{base_url}/login/two-factor", cookie=_header(jar), data={
            "csrf_token": _form_token(page), "code": pyotp.TOTP(totp_secret).now()})
        if status != 302:
            raise SystemExit(f"the second step for {email} failed ({status})")
        jar = _cookies(headers, jar)
    return _header(jar)


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the workers have used so far, from /proc (Linux)."""
        total = 0
        for child in _children(self.pid):
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in
                Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@contextmanager
def gunicorn(database_url: str, *, workers: int = 2,
             env: dict[str, str] | None = None) -> Iterator[Server]:
    """Serves the app on 127.0.0.1 with `workers` workers; yields it and stops it (the master
    and its workers, nothing else) on the way out."""
    port = free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": database_url, **(env or {})}
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit("gunicorn exited before answering")
            try:
                if fetch(f"{base_url}/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield Server(base_url, process.pid)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group gunicorn leads, ours alone
                process.wait()
