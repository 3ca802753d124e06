"""The return form: one quantity, reason and comment per returnable line of the order."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.numbers import to_int
from portal.returns.lines import LineOption
from portal.returns.models import ItemCondition, ReturnReason, ReturnResolution, ReturnStatus
from portal.returns.service import ReturnItem, quantity_field, reason_field

REASONS = [
    ("", "Choose a reason"),
    (ReturnReason.TOO_SMALL.value, "Too small"),
    (ReturnReason.TOO_LARGE.value, "Too large"),
    (ReturnReason.NOT_AS_DESCRIBED.value, "Not as described"),
    (ReturnReason.DAMAGED.value, "Arrived damaged"),
    (ReturnReason.WRONG_ITEM.value, "Wrong item sent"),
    (ReturnReason.CHANGED_MIND.value, "Changed my mind"),
    (ReturnReason.ARRIVED_LATE.value, "Arrived too late"),
    (ReturnReason.OTHER.value, "Something else"),
]
REASON_LABELS = dict(REASONS[1:])
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class QuantityField(IntegerField):
    """A whole number; blank means none, anything else is kept as typed with a message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        raw = str(valuelist[0]).strip()
        if raw == "":
            self.data = 0
            return
        try:
            number = to_int(raw.removeprefix("-"), maximum=10_000)
            self.data = -number if raw.startswith("-") else number  # "-1" gets "Enter 0 or more."
        except ValueError:
            self.data = None
            raise ValueError("Enter a whole number, such as 1.") from None


def _within(maximum: int):  # type: ignore[no-untyped-def]
    def check(_form: FlaskForm, field: Field) -> None:
        if field.data is None:
            return
        if field.data < 0:
            raise ValidationError("Enter 0 or more.")
        if field.data > maximum:
            raise ValidationError(f"Only {maximum} can be returned.")

    return check


class ReturnFormBase(FlaskForm):
    resolution = RadioField(
        "How would you like your money back?",
        choices=[(ReturnResolution.REFUND.value, "Refund to my original payment"),
                 (ReturnResolution.STORE_CREDIT.value, "Store credit")],
        default=ReturnResolution.REFUND.value, validators=[DataRequired()],
    )
    method = RadioField(
        "How you send it back", choices=[("drop_off", "Drop-off with a prepaid label")],
        default="drop_off", validators=[DataRequired()],
    )
    idempotency_key = HiddenField(
        validators=[DataRequired(), Regexp(KEY_PATTERN)], default=lambda: uuid.uuid4().hex
    )

    line_ids: Sequence[int] = ()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for line_id in self.line_ids:
            quantity = self[quantity_field(line_id)]
            reason = self[reason_field(line_id)]
            if quantity.data and quantity.data > 0 and not reason.data:
                reason.errors = [*reason.errors, "Choose a reason for this item."]
                valid = False
        return valid

    def items(self) -> list[ReturnItem]:
        """What was asked for, valid or not (the service checks it against the rules)."""
        items = []
        for line_id in self.line_ids:
            quantity = self[quantity_field(line_id)].data
            reason = self[reason_field(line_id)].data
            items.append(ReturnItem(
                order_line_id=line_id, quantity=quantity if isinstance(quantity, int) else 0,
                reason=ReturnReason(reason) if reason in REASON_LABELS else None,
                comment=self[f"comment_{line_id}"].data,
            ))
        return items

    @property
    def chosen_resolution(self) -> ReturnResolution:
        value = self.resolution.data
        values = {member.value for member in ReturnResolution}
        return ReturnResolution(value) if value in values else ReturnResolution.REFUND


def build_return_form(
    options: Sequence[LineOption], *, bonus_percent: int, preselect: int | None = None,
    **kwargs: Any,
) -> ReturnFormBase:
    """A form class with fields for the eligible lines only, so nothing else can be sent."""
    attrs: dict[str, Any] = {"line_ids": tuple(option.line.id for option in options)}
    only_one = len(options) == 1
    for option in options:
        line_id, available = option.line.id, option.eligibility.returnable_quantity
        # One returnable line, or the line the shopper came for: start with all of it.
        default = available if only_one or preselect == line_id else 0
        attrs[quantity_field(line_id)] = QuantityField(
            f"How many {option.line.product_name} to return", default=default,
            validators=[_within(available)],
            description=f"Up to {available}.",
            render_kw={"min": 0, "max": available, "inputmode": "numeric", "step": 1},
        )
        attrs[reason_field(line_id)] = SelectField("Reason", choices=REASONS, default="")
        attrs[f"comment_{line_id}"] = StringField(
            "Comment (optional)", validators=[Optional(), Length(max=500)]
        )
    form_class = type("ReturnForm", (ReturnFormBase,), attrs)
    form = form_class(**kwargs)
    if bonus_percent:
        form.resolution.choices = [
            form.resolution.choices[0],
            (ReturnResolution.STORE_CREDIT.value, f"Store credit with a {bonus_percent}% bonus"),
        ]
    return form


class CancelForm(FlaskForm):
    """Only the CSRF token: cancelling asks for nothing else."""


class StaffFilterForm(FlaskForm):
    """The staff list's filters, read from the query string (a GET needs no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status", choices=[("", "Any status")] + [(s.value, s.value.replace("_", " ").capitalize())
                                                  for s in ReturnStatus],
        default="",
    )
    q = StringField("RMA, order, or shopper", validators=[Optional(), Length(max=120)])

    @property
    def chosen_status(self) -> ReturnStatus | None:
        values = {member.value for member in ReturnStatus}
        return ReturnStatus(self.status.data) if self.status.data in values else None


class StaffActionForm(FlaskForm):
    """Approve, mark in transit, refund: only the CSRF token."""


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Reason shown to the shopper",
        validators=[DataRequired(message="Tell the shopper why."), Length(max=300)],
    )


CONDITIONS = [(c.value, c.value.replace("_", " ").capitalize()) for c in ItemCondition]


class ReceiveFormBase(FlaskForm):
    line_ids: Sequence[int] = ()

    def conditions(self) -> dict[int, ItemCondition]:
        return {line_id: ItemCondition(self[f"condition_{line_id}"].data)
                for line_id in self.line_ids}


def build_receive_form(lines: Sequence[Any], **kwargs: Any) -> ReceiveFormBase:
    """One condition per returned line (ReturnLine objects with order_line loaded)."""
    attrs: dict[str, Any] = {"line_ids": tuple(line.id for line in lines)}
    for line in lines:
        attrs[f"condition_{line.id}"] = SelectField(
            f"Condition of {line.order_line.product_name}", choices=CONDITIONS,
            default=ItemCondition.AS_NEW.value,
        )
    return type("ReceiveForm", (ReceiveFormBase,), attrs)(**kwargs)
