"""The support tests' tiny help center, so suggestions and articles are predictable."""

from tests.support.conftest import app_config  # noqa: F401
