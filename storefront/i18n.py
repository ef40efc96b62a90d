"""Flask-Babel for the member page: English by default, translations under
storefront/translations. Flask-Babel is app-wide (Flask-Admin uses it too when
it is installed), so the locale is only ever chosen for storefront pages;
everything else stays in the default locale."""

from __future__ import annotations

import os

from flask import Flask, current_app, request
from flask_babel import Babel

TRANSLATIONS = os.path.join(os.path.dirname(__file__), "translations")
STOREFRONT_BLUEPRINTS = frozenset({"member_page", "email_preferences"})


def available_locales() -> list[str]:
    found = ["en"]
    if os.path.isdir(TRANSLATIONS):
        found += sorted(
            name for name in os.listdir(TRANSLATIONS) if os.path.isdir(os.path.join(TRANSLATIONS, name, "LC_MESSAGES"))
        )
    return found


def select_locale() -> str:
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    if not request or request.blueprint not in STOREFRONT_BLUEPRINTS:
        return default
    locales = available_locales()
    wanted = request.args.get("lang") or request.environ.get("storefront.language")
    if wanted in locales:
        return wanted
    return request.accept_languages.best_match(locales) or default


def init_babel(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    if "babel" in app.extensions:  # someone else set Flask-Babel up; add our folder
        dirs = app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
        if TRANSLATIONS not in dirs:
            app.config["BABEL_TRANSLATION_DIRECTORIES"] = f"{dirs};{TRANSLATIONS}"
        return
    existing = app.config.get("BABEL_TRANSLATION_DIRECTORIES")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = f"{existing};{TRANSLATIONS}" if existing else TRANSLATIONS
    Babel(app, locale_selector=select_locale)
