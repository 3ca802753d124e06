"""App per test, database per test: SQLite in a temp dir, or PostgreSQL when configured."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import portal.models  # noqa: F401  (the whole schema on the metadata)
from portal import create_app
from portal.auth.models import Customer
from portal.db import Base, make_engine
from tests.factories import DEMO_PASSWORD, next_totp_code

POSTGRES_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A schema built once per test session: a SQLite file to copy, or a PostgreSQL database."""
    if POSTGRES_URL:
        name = f"portal_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "portal.db"
        engine = make_engine(f"sqlite:///{path}")
        Base.metadata.create_all(engine)
        engine.dispose()
        yield str(path)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "commits: the test needs real commits (threads, a live server, other "
        "processes), so it gets a database of its own instead of a rolled-back transaction",
    )


def _needs_commits(request: pytest.FixtureRequest) -> bool:
    node = request.node
    return any(node.get_closest_marker(name) for name in ("commits", "browser"))


@pytest.fixture
def database_url(database_template: str, tmp_path: Path,
                 request: pytest.FixtureRequest) -> Iterator[str]:
    """The template itself (each test's writes are rolled back), or a copy for `commits`."""
    if POSTGRES_URL:
        yield database_template
        if _needs_commits(request):
            engine = create_engine(database_template)
            with engine.begin() as connection:
                tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            engine.dispose()
    elif _needs_commits(request):
        path = tmp_path / "portal.db"
        shutil.copyfile(database_template, path)
        yield f"sqlite:///{path}"
    else:
        yield f"sqlite:///{database_template}"


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, object]:
    """Overrides a test may extend before asking for `app`."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": tmp_path,
        "SECRET_KEY": "test-secret",
        "BASE_URL": "https://portal.example",
        "TRUSTED_HOSTS": ["localhost", "127.0.0.1", "portal.example"],
        "DATABASE_URL": database_url,
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "INDEX_DIR": str(tmp_path / "faq-index"),
        "WTF_CSRF_ENABLED": False,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "TRACK_RATE_LIMIT": "1000 per minute",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "CARRIER_SECRETS": {"ups": "ups-test-secret", "fedex": "fedex-test-secret",
                            "usps": "usps-test-secret"},
    }


@pytest.fixture
def app(app_config: dict[str, object], request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app; unless the test is marked `commits`, every session it opens (requests, the
    `session` fixture, mail delivery) shares one connection whose transaction is rolled
    back at the end, and their commits only release savepoints."""
    app = create_app(app_config)
    engine = app.extensions["portal_engine"]
    if _needs_commits(request):
        yield app
    else:
        if engine.dialect.name == "sqlite":
            _let_sqlite_use_savepoints(engine)
        with engine.connect() as connection:
            transaction = connection.begin()
            app.extensions["portal_sessionmaker"] = sessionmaker(
                connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
            yield app
            transaction.rollback()
    engine.dispose()


def _let_sqlite_use_savepoints(engine: Engine) -> None:
    """pysqlite opens transactions on its own and breaks SAVEPOINT; SQLAlchemy's recipe."""

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session of its own on the test database; factories commit through it.

    No app context stays pushed: a request would reuse it, and with it `g` (the signed-in
    user, the request's session) from one request to the next.
    """
    db_session = app.extensions["portal_sessionmaker"]()
    yield db_session
    db_session.close()


@pytest.fixture
def login(app: Flask) -> Callable[..., object]:
    """Signs a client in through the real login form (and the second step, for staff)."""

    def _login(client: FlaskClient, customer: Customer, password: str = DEMO_PASSWORD) -> object:
        response = client.post("/login", data={"email": customer.email, "password": password})
        assert response.status_code == 302, "login failed"
        if response.location.endswith("/login/two-factor"):
            with app.extensions["portal_sessionmaker"]() as db_session:
                code = next_totp_code(db_session, customer)
            response = client.post("/login/two-factor", data={"code": code})
            assert response.status_code == 302, "second step failed"
        return response

    return _login


@pytest.fixture
def outbox(app: Flask) -> Callable[[], list[Message]]:
    """The mail written to the outbox folder so far, oldest first."""

    def _read() -> list[Message]:
        folder = Path(app.config["OUTBOX_DIR"])
        files = sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
        return [message_from_bytes(path.read_bytes()) for path in files]

    return _read


@pytest.fixture
def query_count(app: Flask) -> Callable[[], object]:
    """Counts SQL statements: `with query_count() as counter: ...; counter.count`."""

    class Counter:
        def __init__(self) -> None:
            self.count = 0
            self.statements: list[str] = []

        def __enter__(self) -> Counter:
            event.listen(app.extensions["portal_engine"], "before_cursor_execute", self._on)
            return self

        def __exit__(self, *exc: object) -> None:
            event.remove(app.extensions["portal_engine"], "before_cursor_execute", self._on)

        def _on(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
            self.count += 1
            self.statements.append(statement)

    return Counter
