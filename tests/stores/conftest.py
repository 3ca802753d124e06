from __future__ import annotations

import pytest

from tests.stores.shopify_payloads import SECRET


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return {**app_config, "SHOPIFY_WEBHOOK_SECRET": SECRET,
            "BASE_URL": "https://portal.example.com"}
