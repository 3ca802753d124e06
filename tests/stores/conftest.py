from __future__ import annotations

import pytest

from tests.stores import store_events
from tests.stores.shopify_payloads import SECRET


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return {**app_config, "SHOPIFY_WEBHOOK_SECRET": SECRET,
            "STORE_EVENTS_SECRET": store_events.SECRET, "BASE_URL": "https://portal.example.com"}
