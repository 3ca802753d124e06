"""The application factory: every URL area, extension and command is registered here."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from portal import db, errors, jobs, mail, ratelimit, security
from portal.config import PROJECT_ROOT, load_config
from portal.extensions import csrf, htmx, login_manager
from portal.store import load_policy
from portal.support.sla import load_sla_policy


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, config or {})
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure(app: Flask, overrides: dict[str, Any]) -> None:
    instance_path = Path(overrides.get("INSTANCE_PATH", app.instance_path))
    app.config.update(load_config(instance_path))
    app.config["STORE_POLICY"] = load_policy()
    app.config["SLA_POLICY"] = load_sla_policy()
    app.config.update(overrides)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    jobs.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    ratelimit.init_app(app)
    mail.init_app(app)
    security.init_app(app)


class RowIdConverter(IntegerConverter):
    """`<int:...>` in URLs stops at the largest 32-bit id, so an absurd one is a 404, not a 500."""

    regex = r"[0-9]+"  # ASCII only: werkzeug's \d would also take "٣" (Arabic-Indic three)

    def __init__(self, url_map, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = RowIdConverter
    from portal.api.views import bp as api_bp
    from portal.auth.session_views import bp as sessions_bp
    from portal.auth.views import bp as auth_bp
    from portal.billing.views import bp as billing_bp
    from portal.help.views import bp as help_bp
    from portal.home.views import bp as home_bp
    from portal.orders.views import bp as orders_bp
    from portal.privacy.views import bp as privacy_bp
    from portal.returns.views import bp as returns_bp
    from portal.staff.views import bp as staff_bp
    from portal.stores.views import bp as stores_api_bp
    from portal.support.help_views import bp as order_help_bp
    from portal.support.inbound import bp as inbound_mail_bp
    from portal.support.survey_views import bp as surveys_bp
    from portal.support.views import bp as support_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(billing_bp, url_prefix="/billing")
    app.register_blueprint(returns_bp, url_prefix="/returns")
    app.register_blueprint(help_bp, url_prefix="/help")
    app.register_blueprint(support_bp)
    app.register_blueprint(order_help_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(inbound_mail_bp, url_prefix="/api")
    csrf.exempt(inbound_mail_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")
    app.register_blueprint(api_bp, url_prefix="/api")
    csrf.exempt(api_bp)
    app.register_blueprint(stores_api_bp, url_prefix="/api")
    csrf.exempt(stores_api_bp)


def register_template_helpers(app: Flask) -> None:
    from portal import assets, formatting

    formatting.init_app(app)
    assets.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from portal.cli import register

    register(app)
