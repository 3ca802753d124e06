"""The help center's one form: "Was this helpful?"."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.help.service import MAX_COMMENT_CHARS


class FeedbackForm(FlaskForm):
    helpful = RadioField(
        "Was this article helpful?",
        choices=[("yes", "Yes"), ("no", "No")],
        validators=[InputRequired("Choose yes or no.")],
    )
    comment = TextAreaField(
        "What were you looking for? (optional)",
        validators=[Optional(), Length(max=MAX_COMMENT_CHARS)],
        description="Please don't include order numbers or personal details.",
    )
