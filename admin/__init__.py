"""The admin panel: Flask-Admin (bootstrap4) behind Flask-Login.

`init_app(app)` is called by the app factory.
It attaches, per app:
- Flask-Login (session cookie; config sets Secure/HttpOnly/SameSite),
- CSRF protection for every POST of the app, except the WooCommerce webhook
  blueprint (`webhooks`, signed by the store instead; see `_protect_csrf`),
- Flask-Limiter on the login POST,
- the views (every one inherits `admin.security.SecureMixin`),
- `flask --app wsgi users ...`.
"""

from __future__ import annotations

import os

import flask_admin
from flask import Blueprint, Flask, render_template, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from admin.auth import make_auth_blueprint
from admin.cli import users_cli
from admin.formatting import format_money, format_points
from admin.views import build_views
from admin.views.dashboard import DashboardView
from admin.store_picker import when_text
from loyalty_sync.wording import count_of
from loyalty_sync.engine.coupon_kinds import coupon_kind_name
from loyalty_sync.extensions import csrf, db
from loyalty_sync.models import User
from loyalty_sync.security_headers import csp_nonce

# Blueprints whose POSTs are authenticated otherwise (HMAC-signed webhooks).
CSRF_EXEMPT_BLUEPRINTS = frozenset({"webhooks"})


def init_app(app: Flask) -> None:
    app.config.setdefault("ADMIN_LOGIN_RATE_LIMIT", "10 per minute;60 per hour")
    app.config.setdefault("ADMIN_LOGIN_ACCOUNT_RATE_LIMIT", "10 per minute")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)

    _init_login(app)
    _protect_csrf(app)
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["admin_limiter"] = limiter

    app.register_blueprint(make_auth_blueprint(limiter))
    # Our templates (loyalty/...) and static files (Chart.js, CSS).
    app.register_blueprint(
        Blueprint(
            "loyalty_admin",
            __name__,
            template_folder="templates",
            static_folder="static",
            static_url_path="/admin/assets",
        )
    )
    _init_views(app)
    _register_template_helpers(app)

    app.cli.add_command(users_cli)


def _init_login(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.login_message = "Please log in to use the loyalty admin."
    manager.login_message_category = "info"
    manager.session_protection = "strong"

    @manager.user_loader
    def _load(session_id: str):
        """ "<id>:<session version>" (User.get_id): a session made before the
        user's last logout, password or role change names an old version."""
        user_id, _, version = session_id.partition(":")
        if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 18 or len(version) > 18:
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and (user.session_version or 0) == int(version) else None

    manager.init_app(app)


def _protect_csrf(app: Flask) -> None:
    """CSRFProtect over the whole app, except the webhook blueprint.

    The webhooks blueprint is registered by another package, possibly after
    this one, so it is exempted by *name* at request time: Flask-WTF's automatic
    check is switched off (`WTF_CSRF_CHECK_DEFAULT=False`) and the same
    `csrf.protect()` is called here for every other request. A package adding
    another signed endpoint should use a blueprint named in
    CSRF_EXEMPT_BLUEPRINTS or `csrf.exempt(view)`.
    """
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    @app.before_request
    def _check_csrf():
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return None
        if request.method not in app.config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE")):
            return None
        if request.blueprint in CSRF_EXEMPT_BLUEPRINTS or csrf._is_exempt():  # noqa: SLF001 (honour csrf.exempt)
            return None
        csrf.protect()
        return None

    @app.errorhandler(CSRFError)
    def _csrf_error(error):

        return render_template(
            "loyalty/error.html",
            code=400,
            title="The form expired",
            message="The form was missing its security token or it expired. Go back, reload the page and try again.",
        ), 400


def _expose_flask_admin_templates(app: Flask, theme_folder: str) -> None:
    """Flask-Admin's own templates also as `flask_admin/admin/...`. Our blueprint
    is registered before Flask-Admin's, so our `templates/admin/...` files win
    for the usual names; they import the originals under this prefix and replace
    only the macros that carry inline handlers (refused by the
    Content-Security-Policy, see admin/templates/admin/)."""
    folder = os.path.join(os.path.dirname(flask_admin.__file__), "templates", theme_folder)
    upstream = PrefixLoader({"flask_admin": FileSystemLoader(folder)})
    app.jinja_loader = ChoiceLoader([app.jinja_loader, upstream]) if app.jinja_loader else upstream


def _init_views(app: Flask) -> None:

    theme = Bootstrap4Theme(base_template="loyalty/master.html", swatch="default", fluid=True)
    _expose_flask_admin_templates(app, theme.folder)
    panel = Admin(
        app,
        name="Loyalty",
        index_view=DashboardView(name="Dashboard", url="/admin", endpoint="admin"),
        theme=theme,
        csp_nonce_generator=csp_nonce,  # nonce="..." on Flask-Admin's script tags (loyalty_sync/security_headers.py)
    )
    for view in build_views():
        panel.add_view(view)
    app.extensions["loyalty_admin"] = panel


def _register_template_helpers(app: Flask) -> None:

    app.jinja_env.filters.setdefault("money", format_money)
    app.jinja_env.filters.setdefault("points", format_points)
    app.jinja_env.filters.setdefault("when", when_text)
    app.jinja_env.filters.setdefault("coupon_kind", coupon_kind_name)
    app.jinja_env.filters.setdefault("count_of", count_of)

    @app.errorhandler(403)
    def _forbidden(error):

        if not request.path.startswith("/admin"):
            return error
        return render_template(
            "loyalty/error.html",
            code=403,
            title="Not allowed",
            message="Your account can read the panel but not change it. Ask an administrator.",
        ), 403

    @app.errorhandler(404)
    def _not_found(error):

        if not request.path.startswith("/admin"):
            return error
        return render_template(
            "loyalty/error.html",
            code=404,
            title="Page not found",
            message="There is no such page in the loyalty admin.",
        ), 404
