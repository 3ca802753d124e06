"""Links that leave the site (mail, webhook answers) are built from PORTAL_BASE_URL.

Never from the request's Host header: a forged Host would otherwise put an attacker's
domain in front of a password-reset token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of an endpoint under the configured base URL; works outside requests."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
