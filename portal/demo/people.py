"""Demo accounts: the three logins of the README, staff, and Faker shoppers with addresses
and payment methods on file."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from faker import Faker

from portal.auth.models import Address, Customer, Role, TotpCredential
from portal.billing.models import PaymentKind, PaymentMethod
from portal.demo.rows import RowWriter

DEMO_PASSWORD = "portal-demo"  # noqa: S105  (published in the README on purpose)
SHOPPER_EMAILS = ("shopper@example.com", "shopper2@example.com")
STAFF_EMAIL = "staff@example.com"
# Every demo staff account has two-step sign-in set up with this key (published in the
# README on purpose): add it to an authenticator app, or `flask --app wsgi demo-code`.
DEMO_TOTP_SECRET = "PORTALDEMOSTAFFTWOSTEPSIGNINKEYA"  # noqa: S105

_TIME_ZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Phoenix", "America/Anchorage", "Pacific/Honolulu",
)
_BRANDS = ("visa", "visa", "visa", "mastercard", "mastercard", "amex", "discover")
_DOMAINS = ("example.com", "example.org", "example.net")


@dataclass
class Shopper:
    """What the order generator needs to know about a customer, kept small."""

    id: int
    name: str
    email: str
    address: dict[str, Any]
    other_address: dict[str, Any] | None
    company_name: str | None
    tax_id: str | None
    card: tuple[int, str, str] | None  # (payment_method_id, brand, last4)
    paypal_id: int | None
    is_demo: bool = False
    orders: int = field(default=0)


@dataclass(frozen=True)
class Staff:
    id: int
    name: str


def _slug(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower()) or "shopper"


def _address(fake: Faker, name: str, label: str) -> dict[str, Any]:
    return {
        "label": label, "name": name, "line1": fake.street_address(),
        "line2": fake.secondary_address() if fake.random.random() < 0.25 else None,
        "city": fake.city(), "region": fake.state_abbr(include_territories=False),
        "postal_code": fake.postcode(), "country": "US", "phone": fake.numerify("+1 ###-###-####"),
    }


def snapshot(address: dict[str, Any]) -> dict[str, Any]:
    """The address as copied onto an order (what Address.as_snapshot returns)."""
    return {key: address[key] for key in (
        "name", "line1", "line2", "city", "region", "postal_code", "country", "phone")}


def add_shopper(
    writer: RowWriter, fake: Faker, rng: random.Random, *, email: str, name: str,
    password_hash: str, joined_at: datetime, time_zone: str, is_demo: bool = False,
) -> Shopper:
    """Queues one shopper with a default address (sometimes a second) and payment methods."""
    business = not is_demo and rng.random() < 0.06
    company = fake.company() if business else None
    tax_id = fake.numerify("US##-#######") if business else None
    customer_id = writer.add(
        Customer, email=email, name=name, password_hash=password_hash, role=Role.SHOPPER,
        time_zone=time_zone, locale="en_US", company_name=company, tax_id=tax_id,
        is_active=True, created_at=joined_at, password_changed_at=None, last_login_at=None,
    )
    home = _address(fake, name, "Home")
    other = _address(fake, name, "Work") if is_demo or rng.random() < 0.3 else None
    for address, default in ((home, True), (other, False)):
        if address is not None:
            writer.add(Address, customer_id=customer_id, is_default=default, **address)
    card = None
    if is_demo or rng.random() < 0.85:
        brand, last4 = rng.choice(_BRANDS), f"{rng.randint(0, 9999):04d}"
        card_id = writer.add(
            PaymentMethod, customer_id=customer_id, kind=PaymentKind.CARD, brand=brand,
            last4=last4, exp_month=rng.randint(1, 12), exp_year=joined_at.year + rng.randint(2, 5),
            email=None, is_default=True, created_at=joined_at,
        )
        card = (card_id, brand, last4)
    paypal_id = None
    if is_demo or rng.random() < 0.25:
        paypal_id = writer.add(
            PaymentMethod, customer_id=customer_id, kind=PaymentKind.PAYPAL, brand=None,
            last4=None, exp_month=None, exp_year=None, email=email, is_default=card is None,
            created_at=joined_at,
        )
    return Shopper(customer_id, name, email, snapshot(home), snapshot(other) if other else None,
                   company, tax_id, card, paypal_id, is_demo)


def build_people(
    writer: RowWriter, fake: Faker, rng: random.Random, *, customers: int, password_hash: str,
    since: datetime,
) -> tuple[list[Shopper], list[Staff]]:
    """The demo shoppers first, then `customers - 2` Faker shoppers, and four staff members."""
    staff = [Staff(writer.add(
        Customer, email=STAFF_EMAIL, name="Sam Rivera", password_hash=password_hash,
        role=Role.STAFF, time_zone="America/Chicago", locale="en_US", company_name=None,
        tax_id=None, is_active=True, created_at=since - timedelta(days=90),
        password_changed_at=None, last_login_at=None,
    ), "Sam Rivera")]
    for number in range(2, 5):
        name = fake.name()
        staff.append(Staff(writer.add(
            Customer, email=f"staff{number}@example.com", name=name, password_hash=password_hash,
            role=Role.STAFF, time_zone=rng.choice(_TIME_ZONES), locale="en_US",
            company_name=None, tax_id=None, is_active=True, created_at=since - timedelta(days=60),
            password_changed_at=None, last_login_at=None,
        ), name))
    for member in staff:
        writer.add(TotpCredential, customer_id=member.id, secret=DEMO_TOTP_SECRET,
                   created_at=since - timedelta(days=60), confirmed_at=since - timedelta(days=60),
                   last_step=0)
    shoppers = [
        add_shopper(writer, fake, rng, email=SHOPPER_EMAILS[0], name="Alex Morgan",
                    password_hash=password_hash, joined_at=since - timedelta(days=30),
                    time_zone="America/New_York", is_demo=True),
        add_shopper(writer, fake, rng, email=SHOPPER_EMAILS[1], name="Jordan Lee",
                    password_hash=password_hash, joined_at=since - timedelta(days=20),
                    time_zone="America/Los_Angeles", is_demo=True),
    ]
    for number in range(1, max(customers - len(shoppers), 0) + 1):
        first, last = fake.first_name(), fake.last_name()
        email = f"{_slug(first)}.{_slug(last)}.{number}@{rng.choice(_DOMAINS)}"
        joined = since - timedelta(days=rng.uniform(0, 120))
        shoppers.append(add_shopper(
            writer, fake, rng, email=email, name=f"{first} {last}", password_hash=password_hash,
            joined_at=joined, time_zone=rng.choice(_TIME_ZONES),
        ))
    return shoppers, staff
