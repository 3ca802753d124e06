from tests.demo.conftest import seed  # noqa: F401  (the seeded demo store)
