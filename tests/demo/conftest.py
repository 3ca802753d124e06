"""A small demo store seeded at a fixed moment, for tests that read what seed-demo writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from portal.auth.service import hash_password
from portal.demo.people import DEMO_PASSWORD
from portal.demo.seed import SeedReport, seed_store
from portal.store import StorePolicy

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
_HASH = hash_password(DEMO_PASSWORD)  # once per test session: hashing is slow on purpose


@pytest.fixture
def seed(session: Session) -> Callable[..., SeedReport]:
    """Seeds the test database: seed(seed=1, customers=8, orders=120)."""

    def _seed(
        seed: int = 1, customers: int = 8, orders: int = 120, **options: object
    ) -> SeedReport:
        return seed_store(session, seed=seed, customers=customers, orders=orders, products=60,
                          now=NOW, policy=StorePolicy(), password_hash=_HASH, **options)

    return _seed
