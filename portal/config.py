"""Settings from the environment, with defaults that are safe on one machine."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _secret_key(instance_path: Path) -> str:
    """PORTAL_SECRET_KEY, or a key generated once into instance/ so restarts keep sessions."""
    configured = _env("PORTAL_SECRET_KEY")
    if configured:
        return configured
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        # Written aside and linked into place, so workers starting together agree on one key.
        instance_path.mkdir(parents=True, exist_ok=True)
        draft = instance_path / f".secret_key.{os.getpid()}"
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(draft, key_file)
        draft.unlink()
    return key_file.read_text().strip()


def _carrier_secrets() -> dict[str, str]:
    """PORTAL_CARRIER_SECRET_<CARRIER>=... for each carrier that posts tracking webhooks."""
    prefix = "PORTAL_CARRIER_SECRET_"
    return {
        name[len(prefix) :].lower(): value
        for name, value in os.environ.items()
        if name.startswith(prefix) and value
    }


def store_settings() -> dict[str, object]:
    """The shop connection: which sources may post, their secrets, where actions go back."""
    return {
        "SHOPIFY_WEBHOOK_SECRET": _env("PORTAL_SHOPIFY_WEBHOOK_SECRET"),
        "SHOPIFY_ADMIN_URL": _env("PORTAL_SHOPIFY_ADMIN_URL"),
        "SHOPIFY_ADMIN_TOKEN": _env("PORTAL_SHOPIFY_ADMIN_TOKEN"),
        "STORE_EVENTS_SECRET": _env("PORTAL_STORE_EVENTS_SECRET"),
        "STORE_OUTBOUND_URL": _env("PORTAL_STORE_OUTBOUND_URL"),
        "STORE_OUTBOUND_SECRET": _env("PORTAL_STORE_OUTBOUND_SECRET"),
    }


DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def _trusted_hosts(base_url: str) -> list[str]:
    """PORTAL_TRUSTED_HOSTS (comma-separated), else the host of the base URL plus this machine."""
    configured = _env("PORTAL_TRUSTED_HOSTS")
    if configured:
        return [host.strip() for host in configured.split(",") if host.strip()]
    base_host = urlsplit(base_url).hostname or "localhost"
    return list(dict.fromkeys([base_host, "localhost", "127.0.0.1"]))


def load_config(instance_path: Path) -> dict[str, object]:
    """Every setting the app reads, as Flask config keys."""
    environment = _env("PORTAL_ENV", "production")
    base_url = (_env("PORTAL_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
    return {
        "BASE_URL": base_url,
        "TRUSTED_HOSTS": _trusted_hosts(base_url),
        "ENV_NAME": environment,
        "SECRET_KEY": _secret_key(instance_path),
        "DATABASE_URL": _env("PORTAL_DATABASE_URL", f"sqlite:///{instance_path / 'portal.db'}"),
        "CONTENT_DIR": _env("PORTAL_CONTENT_DIR", str(PROJECT_ROOT / "content")),
        "INDEX_DIR": _env("PORTAL_INDEX_DIR", str(instance_path / "faq-index")),
        "OUTBOX_DIR": _env("PORTAL_OUTBOX_DIR", str(instance_path / "outbox")),
        "STORAGE_URL": _env("PORTAL_STORAGE_URL", str(instance_path / "files")),
        "S3_ENDPOINT": _env("PORTAL_S3_ENDPOINT", "https://s3.amazonaws.com"),
        "S3_ACCESS_KEY": _env("PORTAL_S3_ACCESS_KEY"),
        "S3_SECRET_KEY": _env("PORTAL_S3_SECRET_KEY"),
        "MAIL_SERVER": _env("PORTAL_MAIL_SERVER"),
        "MAIL_PORT": int(_env("PORTAL_MAIL_PORT", "587") or 587),
        "MAIL_USERNAME": _env("PORTAL_MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("PORTAL_MAIL_PASSWORD"),
        "MAIL_USE_TLS": _env("PORTAL_MAIL_USE_TLS", "true") == "true",
        "MAIL_SENDER": _env("PORTAL_MAIL_SENDER", "Portal <support@example.com>"),
        # Answers to support emails: reply+<signed id>@this domain reach the inbound endpoint.
        "REPLY_DOMAIN": _env("PORTAL_REPLY_DOMAIN", "reply.example.com"),
        "INBOUND_MAIL_SECRET": _env("PORTAL_INBOUND_MAIL_SECRET"),
        "RATELIMIT_STORAGE_URI": _env("PORTAL_RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": _env("PORTAL_LOGIN_RATE_LIMIT", "10 per minute"),
        "TRACK_RATE_LIMIT": _env("PORTAL_TRACK_RATE_LIMIT", "20 per minute"),
        "PASSWORD_RESET_MAX_AGE": int(_env("PORTAL_PASSWORD_RESET_MAX_AGE", "3600") or 3600),
        "CARRIER_SECRETS": _carrier_secrets(),
        "WEBHOOK_MAX_SKEW_SECONDS": 300,
        **store_settings(),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": environment != "development",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": environment != "development",
        "WTF_CSRF_TIME_LIMIT": None,
        # One size limit for every request body, chunked or not (uploads raise it per route).
        "MAX_CONTENT_LENGTH": int(_env("PORTAL_MAX_REQUEST_BYTES", "1048576") or 1048576),
        "PAGE_SIZE": 20,
    }
