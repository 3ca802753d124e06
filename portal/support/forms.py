from __future__ import annotations

import uuid

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.auth.models import Customer
from portal.formatting import humanize, local_date
from portal.numbers import to_int
from portal.orders.models import Order
from portal.support.attachments import ACCEPT, MAX_FILES
from portal.support.models import RequestPriority, RequestStatus
from portal.support.service import CATEGORIES

NO_ORDER = ""


def attachments_field(label: str = "Photos or documents (optional)") -> MultipleFileField:
    return MultipleFileField(
        label, render_kw={"accept": ACCEPT},
        description=f"Up to {MAX_FILES} photos (JPEG, PNG, WebP, HEIC) or PDFs, 10 MB each.",
    )


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class ContactForm(FlaskForm):
    category = SelectField(
        "What is it about?", choices=[("", "Choose a topic"), *CATEGORIES.items()],
        validators=[DataRequired(message="Choose what your question is about.")],
    )
    order = SelectField(
        "Which order? (optional)", choices=[(NO_ORDER, "Not about one order")],
        validators=[Optional()], validate_choice=False,
        description="Choosing the order lets us look at it straight away.",
    )
    subject = StringField(
        "Subject", validators=[DataRequired(message="Tell us in a few words what happened."),
                               Length(min=4, max=200, message="Use 4 to 200 characters.")],
        render_kw={"autocomplete": "off", "maxlength": 200},
    )
    message = TextAreaField(
        "Message", validators=[DataRequired(message="Describe the problem so we can help."),
                               Length(min=10, max=5000, message="Use 10 to 5,000 characters.")],
        render_kw={"rows": 6, "maxlength": 5000},
    )
    attachments = attachments_field()
    search_query = HiddenField(validators=[Optional(), Length(max=200)])
    # The text suggestions were last shown for: sending anyway means they did not help.
    suggested_for = HiddenField(validators=[Optional(), Length(max=200)])
    idempotency_key = HiddenField(
        validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$", message="Reload the form.")]
    )

    def set_orders(self, orders: list[Order]) -> None:
        """Offer only the shopper's own orders; any other number is refused."""
        self.order.choices = [(NO_ORDER, "Not about one order")] + [
            (order.number, f"{order.number} · {local_date(order.placed_at)} · "
                           f"{humanize(order.status.value)}")
            for order in orders
        ]

    def validate_order(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose one of your orders from the list.")


class ProblemReportForm(FlaskForm):
    lines = SelectMultipleField(
        "Which items?", coerce=to_int, choices=[], option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False), validate_choice=False)
    shipment = SelectField("Which parcel?", coerce=to_int, choices=[], validate_choice=False)
    description = TextAreaField(
        "What happened?", validators=[
            DataRequired(message="Tell us in a few words what happened."),
            Length(min=10, max=2000, message="Use 10 to 2,000 characters.")],
        render_kw={"rows": 4, "maxlength": 2000})
    attachments = attachments_field("Photos (optional, they help us decide faster)")
    fix = RadioField("What would put it right?", choices=[],
                     validators=[DataRequired(message="Choose what would put it right.")])
    idempotency_key = HiddenField(
        validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$", message="Reload the form.")])


class AnsweredForm(FlaskForm):
    """"This answered my question": the article, and what the shopper was asking."""

    slug = HiddenField(validators=[DataRequired(), Length(max=120)])
    suggested_for = HiddenField(validators=[Optional(), Length(max=200)])


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply", validators=[DataRequired(message="Write your reply first."),
                                  Length(max=5000, message="Use at most 5,000 characters.")],
        render_kw={"rows": 4, "maxlength": 5000},
    )
    attachments = attachments_field()


class ResolveForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""


class RatingForm(FlaskForm):
    score = RadioField(
        "How well did we help?", coerce=to_int,
        choices=[(5, "5 · Excellent"), (4, "4 · Good"), (3, "3 · Okay"), (2, "2 · Poor"),
                 (1, "1 · Very poor")],
        validators=[DataRequired(message="Choose a score from 1 to 5.")],
    )
    comment = TextAreaField("Anything to add? (optional)",
                            validators=[Optional(), Length(max=500)],
                            render_kw={"rows": 2, "maxlength": 500})


class SurveyCommentForm(FlaskForm):
    comment = TextAreaField("Anything to add? (optional)",
                            validators=[DataRequired(message="Write a few words first."),
                                        Length(max=500, message="Use at most 500 characters.")],
                            render_kw={"rows": 3, "maxlength": 500})


class StaffReplyForm(FlaskForm):
    body = TextAreaField(
        "Message", validators=[DataRequired(message="Write the message first."),
                               Length(max=5000, message="Use at most 5,000 characters.")],
        render_kw={"rows": 5, "maxlength": 5000},
    )
    visibility = RadioField(
        "Who sees it", default="public",
        choices=[("public", "Reply to the shopper (emailed)"),
                 ("internal", "Internal note (staff only)")],
        validators=[DataRequired(message="Choose who sees it.")],
    )
    # Helpers for writing, read by the compose step only (sending ignores them).
    macro = SelectField("Saved reply", choices=[("", "Choose a saved reply")],
                        validate_choice=False)
    article_q = StringField("Find a help article", validators=[Optional(), Length(max=200)])

    def set_macros(self, macros: list[tuple[int, str]]) -> None:
        self.macro.choices = [("", "Choose a saved reply")] + [(str(i), t) for i, t in macros]


class TriageForm(FlaskForm):
    status = SelectField("Status", choices=[(s.value, humanize(s.value)) for s in RequestStatus])
    priority = SelectField("Priority",
                           choices=[(p.value, humanize(p.value)) for p in RequestPriority])
    category = SelectField("Category", choices=list(CATEGORIES.items()))
    assignee = SelectField("Assignee", choices=[("", "Nobody")], validate_choice=True)

    def set_staff(self, staff: list[Customer]) -> None:
        self.assignee.choices = [("", "Nobody")] + [(str(s.id), s.name) for s in staff]
