"""People the staff-console tests share."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from portal.auth.models import Customer, Role
from tests.factories import make_customer


@pytest.fixture
def staff(session: Session) -> Customer:
    return make_customer(session, name="Sam Staff", role=Role.STAFF)


@pytest.fixture
def shopper(session: Session) -> Customer:
    return make_customer(session, name="Ada Shopper")


@pytest.fixture
def csrf_on(app_config: dict[str, object]) -> None:
    app_config["WTF_CSRF_ENABLED"] = True
