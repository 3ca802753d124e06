"""Plain factory functions with good defaults; each commits what it makes."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Address, Customer, Role, TotpCredential
from portal.auth.service import hash_password
from portal.auth.twofactor import STEP_SECONDS
from portal.db import utcnow
from portal.orders.models import Order, OrderStatus, Product
from portal.orders.placing import CartItem, place_order
from portal.store import StorePolicy

DEMO_PASSWORD = "portal-demo"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_sequence = itertools.count(1)
# Hashing is deliberately slow; tests share one hash of the demo password.
_DEMO_HASH = hash_password(DEMO_PASSWORD)


def make_customer(
    session: Session, *, email: str | None = None, name: str = "Ada Shopper",
    role: Role = Role.SHOPPER, password: str | None = DEMO_PASSWORD, time_zone: str = "UTC",
    two_factor: bool | None = None,
) -> Customer:
    """password=None: an account the store made, never signed in to. Staff and admins get
    two-step sign-in set up (TEST_TOTP_SECRET) unless two_factor=False."""
    if password is None:
        password_hash = None
    else:
        password_hash = _DEMO_HASH if password == DEMO_PASSWORD else hash_password(password)
    customer = Customer(
        email=email or f"shopper{next(_sequence)}@example.com", name=name, role=role,
        password_hash=password_hash, time_zone=time_zone,
    )
    session.add(customer)
    session.commit()
    if two_factor if two_factor is not None else customer.is_staff:
        session.add(TotpCredential(customer_id=customer.id, secret=TEST_TOTP_SECRET,
                                   confirmed_at=utcnow()))
        session.commit()
    return customer


def next_totp_code(session: Session, customer: Customer) -> str:
    """A code the server accepts now: the app's code for the first 30-second step not yet
    used (each step works once, so a second sign-in within 30 s takes the next one)."""
    credential = session.scalar(
        select(TotpCredential).where(TotpCredential.customer_id == customer.id)
        .execution_options(populate_existing=True)
    )
    assert credential is not None, "two-step sign-in is not set up for this account"
    current = int(utcnow().timestamp()) // STEP_SECONDS
    step = max(current - 1, credential.last_step + 1)
    assert step <= current + 1, "every code of this minute is used"
    return pyotp.TOTP(TEST_TOTP_SECRET).at(step * STEP_SECONDS)


def make_address(session: Session, customer: Customer, **fields: str) -> Address:
    values = {"name": customer.name, "line1": "1 Main Street", "city": "Springfield",
              "postal_code": "12345", "country": "US", "region": "OR", **fields}
    address = Address(customer_id=customer.id, is_default=True, **values)
    session.add(address)
    session.commit()
    return address


def make_product(
    session: Session, *, name: str | None = None, price_cents: int = 2500,
    tax_rate_bp: int = 800, is_returnable: bool = True, is_digital: bool = False,
    category: str = "Apparel",
) -> Product:
    n = next(_sequence)
    product = Product(
        sku=f"SKU-{n:05d}", name=name or f"Product {n}", category=category,
        price_cents=price_cents, tax_rate_bp=tax_rate_bp, is_returnable=is_returnable,
        is_digital=is_digital,
    )
    session.add(product)
    session.commit()
    return product


def make_order(
    session: Session, customer: Customer, *, lines: int = 2, quantity: int = 1,
    products: list[Product] | None = None, status: OrderStatus = OrderStatus.PROCESSING,
    placed_at: datetime | None = None, number: str | None = None,
    policy: StorePolicy | None = None,
) -> Order:
    products = products or [make_product(session) for _ in range(lines)]
    order = place_order(
        session, customer=customer, number=number or f"NW{100000 + next(_sequence)}",
        items=[CartItem(product=product, quantity=quantity) for product in products],
        shipping_address={"name": customer.name, "line1": "1 Main Street", "line2": None,
                          "city": "Springfield", "region": "OR", "postal_code": "12345",
                          "country": "US", "phone": None},
        policy=policy or StorePolicy(), now=placed_at or utcnow() - timedelta(days=3),
    )
    order.status = status
    session.commit()
    return order
