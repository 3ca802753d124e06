"""Forms of the staff console's own screens (support and returns forms live with them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.audit import AuditFilters
from portal.auth.models import Customer
from portal.formatting import humanize
from portal.numbers import parse_int
from portal.orders.models import Order
from portal.returns.models import ReturnReason
from portal.support.forms import new_idempotency_key
from portal.support.metrics import Period
from portal.support.models import RequestStatus
from portal.support.service import CATEGORIES
from portal.support.staff import BulkChange

MAX_RANGE_DAYS = 366


class AuditFilterForm(FlaskForm):
    """The audit log's filters, from the query string (a GET needs no CSRF token)."""

    class Meta:
        csrf = False

    actor = SelectField("Staff member", choices=[("", "Anyone")], default="")
    object_type = SelectField("Object", choices=[("", "Any object")], default="")
    object_id = StringField("Number or id", validators=[Optional(), Length(max=40)])
    action = SelectField("Action", choices=[("", "Any action")], default="")

    def set_choices(self, *, staff: list[Customer], actions: list[str],
                    object_types: list[str]) -> None:
        self.actor.choices = [("", "Anyone")] + [(str(s.id), s.name) for s in staff]
        self.object_type.choices = [("", "Any object")] + [(t, humanize(t)) for t in object_types]
        self.action.choices = [("", "Any action")] + [(a, a) for a in actions]

    def filters(self) -> AuditFilters:
        return AuditFilters(
            actor_id=parse_int(self.actor.data),
            object_type=self.object_type.data or None,
            object_id=(self.object_id.data or "").strip() or None,
            action=self.action.data or None,
        )

    def query_args(self) -> dict[str, str]:
        """The filters as they stand, for pagination links."""
        return {name: value for name in ("actor", "object_type", "object_id", "action")
                if (value := (getattr(self, name).data or "").strip())}


class BulkForm(FlaskForm):
    """One status or assignee for the requests ticked in the queue."""

    # Ticked in the queue's rows (checkboxes named "numbers"); unknown numbers are skipped.
    numbers = SelectMultipleField("Requests", choices=[], validate_choice=False)
    status = SelectField("Set status", default="",
                         choices=[("", "Keep status")] + [(s.value, humanize(s.value))
                                                          for s in RequestStatus])
    assignee = SelectField("Assign to", default="", choices=[("", "Keep assignee")])
    back = HiddenField()

    def set_staff(self, staff: list[Customer]) -> None:
        self.assignee.choices = [("", "Keep assignee"), ("none", "Nobody")] + [
            (str(s.id), s.name) for s in staff]

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        if not super().validate(extra_validators):
            return False
        if not self.chosen_numbers():
            self.numbers.errors = ["Tick at least one request."]
            return False
        if not self.status.data and not self.assignee.data:
            self.status.errors = ["Choose a status or an assignee to apply."]
            return False
        return True

    def chosen_numbers(self) -> list[str]:
        return [number.strip()[:20] for number in self.numbers.data or [] if number.strip()][:100]

    def change(self) -> BulkChange:
        assignee = self.assignee.data
        return BulkChange(
            status=RequestStatus(self.status.data) if self.status.data else None,
            assignee_id=parse_int(assignee),
            unassign=assignee == "none",
        )


class MetricsFilterForm(FlaskForm):
    """The metrics page's date range and category, from the query string."""

    class Meta:
        csrf = False

    since = DateField("From", validators=[Optional()])
    until = DateField("To (inclusive)", validators=[Optional()])
    category = SelectField("Category", default="",
                           choices=[("", "All categories"), *CATEGORIES.items()])

    def period(self, *, today: date, default_days: int = 28) -> Period:
        """The chosen range, or the last four weeks; a bad range keeps the default and says
        why beside the field (validate() first)."""
        until = self.until.data if not self.until.errors and self.until.data else today
        since = (self.since.data if not self.since.errors and self.since.data
                 else until - timedelta(days=default_days - 1))
        if since > until:
            self.since.errors = [*self.since.errors, "Choose a start before the end."]
            since = until - timedelta(days=default_days - 1)
        elif (until - since).days > MAX_RANGE_DAYS:
            self.since.errors = [*self.since.errors,
                                 f"Choose at most {MAX_RANGE_DAYS} days at a time."]
            since = until - timedelta(days=MAX_RANGE_DAYS)
        self.since.data, self.until.data = since, until  # shown; typed text wins if invalid
        start = datetime.combine(since, time(0), UTC)
        end = datetime.combine(until + timedelta(days=1), time(0), UTC)
        return Period(since=start, until=end, category=self.category.data or None)

    def query_args(self, period: Period) -> dict[str, str]:
        args = {"since": period.since.date().isoformat(),
                "until": (period.until - timedelta(days=1)).date().isoformat()}
        if period.category:
            args["category"] = period.category
        return args


class MacroForm(FlaskForm):
    title = StringField("Title", validators=[
        DataRequired(message="Give the saved reply a title."),
        Length(max=120, message="Use at most 120 characters.")])
    body = TextAreaField("Text", validators=[
        DataRequired(message="Write the reply."),
        Length(max=5000, message="Use at most 5,000 characters.")],
        render_kw={"rows": 8, "maxlength": 5000})


class OrderActionForm(FlaskForm):
    """An action on an order: a tick to confirm, and a key so a resent form acts once.

    Several of these share a page, so each gets a prefix; the token is checked for every
    POST by the app-wide CSRFProtect (a prefixed form would look for a prefixed token).
    """

    class Meta:
        csrf = False

    confirm = BooleanField("I have checked this with the shopper",
                           validators=[DataRequired(message="Tick to confirm.")])
    key = HiddenField(default=new_idempotency_key, validators=[
        DataRequired(), Regexp(r"^[0-9a-f]{32}$", message="Reload the page and try again.")])


class LineChoiceMixin:
    line: SelectField

    def set_lines(self, order: Order) -> None:
        self.line.choices = [("", "Choose a line")] + [
            (str(line.id), f"{line.product_name} ({line.quantity} ordered)")
            for line in order.lines]


class RefundForm(OrderActionForm, LineChoiceMixin):
    line = SelectField("Refund units of a line", default="", validate_choice=True)
    quantity = IntegerField("Units", default=1, validators=[
        Optional(), NumberRange(min=1, max=10_000, message="Enter at least 1 unit.")])
    amount = DecimalField("Or an amount", places=2, validators=[
        Optional(), NumberRange(min=Decimal("0.01"), message="Enter an amount above zero.")])
    reason = StringField("Reason (on the credit note)", validators=[
        DataRequired(message="Say why."), Length(max=200)])


class StaffReturnForm(OrderActionForm, LineChoiceMixin):
    line = SelectField("Line to return", default="", validate_choice=True,
                       validators=[DataRequired(message="Choose a line.")])
    quantity = IntegerField("Units", default=1, validators=[
        DataRequired(message="Enter the units."),
        NumberRange(min=1, max=10_000, message="Enter at least 1 unit.")])
    reason = SelectField("Reason", choices=[(r.value, humanize(r.value)) for r in ReturnReason],
                         default=ReturnReason.DAMAGED.value)
