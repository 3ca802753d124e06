"""What every store command needs from the app, and what applying one event reports."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from portal.store import StorePolicy


@dataclass(frozen=True)
class StoreContext:
    policy: StorePolicy
    base_url: str | None  # the portal's public address for links in emails; None: no email


@dataclass(frozen=True)
class Applied:
    order_number: str | None = None
    created: bool = False
    ignored: str | None = None  # why nothing was done, when nothing was


def current_context() -> StoreContext:
    """The store policy and the portal's public address (PORTAL_BASE_URL), never the Host a
    request came with."""
    return StoreContext(policy=current_app.config["STORE_POLICY"],
                        base_url=current_app.config["BASE_URL"])
