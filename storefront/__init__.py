"""The member-facing side: the storefront REST API (/api/v1), the personal
member page (/m/<token>), the NPS survey link (/s/<token>) and the on-site
widget (/widget/v1).

`init_app(app)` is called by the app factory.
See storefront/README.md.
"""

from __future__ import annotations

from flask import Flask

from loyalty_sync.extensions import csrf
from storefront.api import BLUEPRINT, init_api
from storefront.i18n import init_babel
from storefront.page import make_blueprint as make_page_blueprint
from storefront.unsubscribe import make_blueprint as make_unsubscribe_blueprint
from storefront.widget import init_widget


def init_app(app: Flask) -> None:

    init_babel(app)
    app.config.setdefault("PUBLIC_BASE_URL", "")
    app.config.setdefault("MEMBER_LINK_DAYS", 90)
    app.config.setdefault("MEMBER_LINK_RENEW_DAYS", 30)
    app.config.setdefault("NPS_PERIOD_DAYS", 90)
    app.config.setdefault("NPS_BONUS_POINTS", 20)
    page = make_page_blueprint()
    app.register_blueprint(page)
    unsubscribe = make_unsubscribe_blueprint()  # one-click unsubscribe from member emails
    app.register_blueprint(unsubscribe)
    api = init_api(app)
    init_widget(app)  # the on-site widget, /widget/v1 (after the API: it shares its rate limiter)
    _exempt_from_csrf(app, page, api)
    csrf.exempt(unsubscribe)  # the signed token in the URL is the key, like the member page's


def _exempt_from_csrf(app: Flask, *blueprints) -> None:
    """The admin panel's CSRF check covers every POST of the app. The API is
    authenticated by bearer tokens and the member page by the signed token in
    its URL (a forged form would need that token), so neither uses cookies."""

    csrf.exempt(blueprints[0])
    api_blueprint = app.blueprints.get(BLUEPRINT)
    if api_blueprint is not None:
        csrf.exempt(api_blueprint)
