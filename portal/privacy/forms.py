from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ExportForm(FlaskForm):
    """Only the CSRF token: asking for an archive needs nothing else."""


class DeleteAccountForm(FlaskForm):
    understood = BooleanField(
        "I understand: after 14 days my orders, returns, requests and addresses are erased; "
        "only invoices and credit notes are kept, as the law requires.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )


class KeepAccountForm(FlaskForm):
    """Only the CSRF token: cancelling a scheduled deletion."""
