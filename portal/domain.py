"""The base of every rule a service function refuses to break."""


class DomainError(Exception):
    """A request the domain refuses; the message is written for the person who asked."""

    def __init__(self, message: str, *, field: str | None = None,
                 field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.field_errors = field_errors or {}


class NotFound(DomainError):
    """The object does not exist for this person (another shopper's object included)."""
