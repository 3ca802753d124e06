"""The ledger filter: a GET form, so it has no CSRF token and its URL can be bookmarked."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from portal.billing.ledger import EntryType

TYPE_CHOICES = [("", "All entries"), (EntryType.CHARGE.value, "Charges"),
                (EntryType.REFUND.value, "Refunds"),
                (EntryType.CREDIT.value, "Gift card and store credit")]
DATE_MESSAGE = "Enter a date as YYYY-MM-DD."


class LedgerFilterForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField("From", validators=[Optional()],
                      render_kw={"placeholder": "YYYY-MM-DD"})
    end = DateField("To", validators=[Optional()], render_kw={"placeholder": "YYYY-MM-DD"})
    type = SelectField("Type", choices=TYPE_CHOICES, default="", validate_choice=True)

    def process_formdata_errors(self) -> None:
        """WTForms' date message is vague; say which format is expected."""
        for field in (self.start, self.end):
            if field.errors and field.raw_data and field.raw_data[0]:
                field.errors[:] = [DATE_MESSAGE]

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        valid = super().validate(extra_validators)
        self.process_formdata_errors()
        return valid

    def query_args(self) -> dict[str, str]:
        """The filters as they were typed, to keep them in links (pagination, export)."""
        values = {name: (getattr(self, name).raw_data or [""])[0] for name in
                  ("start", "end", "type")}
        return {name: value for name, value in values.items() if value}
