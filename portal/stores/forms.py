from __future__ import annotations

from flask_wtf import FlaskForm


class RetryDeliveryForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""
