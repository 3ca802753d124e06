from __future__ import annotations

import enum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import (
    Base,
    created_at,
    db_enum,
    intpk,
    store_external_id,
    store_source,
    utc_datetime,
)


class Role(enum.StrEnum):
    SHOPPER = "shopper"
    STAFF = "staff"
    ADMIN = "admin"


class Customer(UserMixin, Base):
    """Anyone who logs in: shoppers, and staff or admins who serve them."""

    __tablename__ = "customers"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # None for a shopper the store created (orders from the shop) until they set a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(db_enum(Role, "role"), default=Role.SHOPPER)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en_US")
    company_name: Mapped[str | None] = mapped_column(String(200))
    tax_id: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    password_changed_at: Mapped[utc_datetime | None]
    last_login_at: Mapped[utc_datetime | None]
    source: Mapped[store_source]
    external_id: Mapped[store_external_id]

    addresses: Mapped[list[Address]] = relationship(
        back_populates="customer", lazy="raise", cascade="all, delete-orphan",
        order_by="Address.id",
    )

    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_customers_external"),)

    # The browser session this object was loaded for, set at sign-in and by the user loader.
    # flask-login keeps get_id() in the session and remember-me cookies: the session's token,
    # not the customer id, so the cookies are worth nothing once the session is ended.
    login_session_id = None
    login_session_token = None

    def get_id(self) -> str | None:
        return self.login_session_token

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN)

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0]


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="Home")
    name: Mapped[str] = mapped_column(String(120))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(40))
    is_default: Mapped[bool] = mapped_column(default=False)

    customer: Mapped[Customer] = relationship(back_populates="addresses", lazy="raise")

    def as_snapshot(self) -> dict[str, str | None]:
        """The address as it was, to copy onto an order or invoice."""
        return {
            "name": self.name, "line1": self.line1, "line2": self.line2, "city": self.city,
            "region": self.region, "postal_code": self.postal_code, "country": self.country,
            "phone": self.phone,
        }


class EmailCode(Base):
    """A one-time sign-in code mailed to an address; only its keyed hash is kept."""

    __tablename__ = "email_codes"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]
    expires_at: Mapped[utc_datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[utc_datetime | None]


class TotpCredential(Base):
    """A staff member's authenticator app: confirmed once a first code from it was right."""

    __tablename__ = "totp_credentials"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]
    confirmed_at: Mapped[utc_datetime | None]
    # The last 30-second step accepted, so a code seen over a shoulder cannot be replayed.
    last_step: Mapped[int] = mapped_column(default=0)


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[utc_datetime | None]

    __table_args__ = (UniqueConstraint("customer_id", "code_hash", name="uq_recovery_codes_code"),)


class LoginSession(Base):
    """One signed-in browser. Its token sits in the signed session and remember-me cookies,
    so ending the row on the server ends that browser's access, however the cookie was kept."""

    __tablename__ = "login_sessions"

    id: Mapped[intpk]
    token: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    device: Mapped[str] = mapped_column(String(120))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[created_at]
    last_seen_at: Mapped[utc_datetime]
    revoked_at: Mapped[utc_datetime | None]
