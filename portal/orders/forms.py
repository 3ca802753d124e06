from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from portal.auth.forms import COUNTRIES


def _new_key() -> str:
    return secrets.token_urlsafe(24)


class CancelOrderForm(FlaskForm):
    """Cancelling; the hidden key makes a second submission of the same form a no-op."""

    idempotency_key = HiddenField(default=_new_key, validators=[DataRequired(), Length(max=64)])


class NotReceivedForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""


class DeliveryAddressForm(FlaskForm):
    name = StringField("Recipient", validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "shipping name"})
    line1 = StringField("Street and number", validators=[DataRequired(), Length(max=200)],
                        render_kw={"autocomplete": "shipping address-line1"})
    line2 = StringField("Apartment, suite (optional)", validators=[Optional(), Length(max=200)],
                        render_kw={"autocomplete": "shipping address-line2"})
    city = StringField("City", validators=[DataRequired(), Length(max=100)],
                       render_kw={"autocomplete": "shipping address-level2"})
    region = StringField("State / region", validators=[Optional(), Length(max=100)],
                         render_kw={"autocomplete": "shipping address-level1"})
    postal_code = StringField("Postal code", validators=[DataRequired(), Length(max=20)],
                              render_kw={"autocomplete": "shipping postal-code"})
    country = SelectField("Country", choices=COUNTRIES, default="US")
    phone = StringField("Phone (optional)", validators=[Optional(), Length(max=40)],
                        description="The carrier calls this number if it cannot find you.",
                        render_kw={"autocomplete": "tel", "type": "tel"})

    def address(self) -> dict[str, str | None]:
        return {name: (field.data or "").strip() or None
                for name, field in self._fields.items() if name != "csrf_token"}


class TrackForm(FlaskForm):
    number = StringField(
        "Order number",
        validators=[DataRequired(message="Enter the order number from your confirmation."),
                    Length(max=20),
                    Regexp(r"^\s*#?[A-Za-z0-9-]+\s*$",
                           message="Order numbers are letters and digits, like NW100123.")],
        render_kw={"autocomplete": "off", "autocapitalize": "characters",
                   "placeholder": "NW100123"},
    )
    email = EmailField(
        "Email used for the order",
        validators=[DataRequired(message="Enter the email the order was placed with."),
                    Email(message="That does not look like an email address."),
                    Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
