from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

PASSWORD_RULES = [DataRequired(), Length(min=10, max=128, message="Use at least 10 characters.")]
COUNTRIES = [("US", "United States"), ("CA", "Canada"), ("GB", "United Kingdom"),
             ("DE", "Germany"), ("FR", "France"), ("NL", "Netherlands"), ("AU", "Australia")]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this device")


class EmailForm(FlaskForm):
    """One email address: where to send a reset link, a sign-in code or a sign-up code."""

    email = EmailField("Email", validators=[DataRequired(), Email()],
                       render_kw={"autocomplete": "email"})


ResetRequestForm = EmailForm


class CodeForm(FlaskForm):
    code = StringField(
        "Code from the email",
        validators=[DataRequired(), Regexp(r"^\s*[0-9]{6}\s*$",
                                           message="Type the 6 digits from the email.")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 8},
    )


class SecondFactorForm(FlaskForm):
    code = StringField(
        "Code", validators=[DataRequired(), Length(max=20)],
        description="The 6 digits your authenticator app shows, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false",
                   "autocapitalize": "characters"},
    )


class EmailChangeForm(FlaskForm):
    """Prefixed ("email-"), so its password field and the password form's differ in id."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "email")
        super().__init__(*args, **kwargs)

    new_email = EmailField("New email", validators=[DataRequired(), Email(), Length(max=254)],
                           render_kw={"autocomplete": "email"})
    current_password = PasswordField(
        "Current password", validators=[Optional()],
        render_kw={"autocomplete": "current-password"},
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=PASSWORD_RULES,
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField("Current password", validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})


def _valid_time_zone(_form: FlaskForm, field: StringField) -> None:
    if field.data not in available_timezones() and field.data != "UTC":
        raise ValidationError("Choose a time zone such as Europe/Paris or America/New_York.")


class ProfileForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    time_zone = StringField("Time zone", validators=[DataRequired(), _valid_time_zone],
                            description="Dates and times are shown in this zone.")
    company_name = StringField("Company name", validators=[Optional(), Length(max=200)],
                               description="For business purchases; shown on new invoices.")
    tax_id = StringField("VAT / tax ID", validators=[Optional(), Length(max=40)])


class AddressForm(FlaskForm):
    label = StringField("Label", validators=[Optional(), Length(max=40)], default="Home")
    name = StringField("Recipient", validators=[DataRequired(), Length(max=120)])
    line1 = StringField("Street and number", validators=[DataRequired(), Length(max=200)],
                        render_kw={"autocomplete": "address-line1"})
    line2 = StringField("Apartment, suite (optional)", validators=[Optional(), Length(max=200)],
                        render_kw={"autocomplete": "address-line2"})
    city = StringField("City", validators=[DataRequired(), Length(max=100)])
    region = StringField("State / region", validators=[Optional(), Length(max=100)])
    postal_code = StringField("Postal code", validators=[DataRequired(), Length(max=20)])
    country = SelectField("Country", choices=COUNTRIES, default="US")
    phone = StringField("Phone (optional)", validators=[Optional(), Length(max=40)])
    is_default = BooleanField("Use as my default address")
