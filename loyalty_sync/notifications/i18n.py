"""The emails' language: the store's email setting, else the storefront's
(`STOREFRONT_LANGUAGES` = {store name: locale}), else English.

The texts are translated with Babel's catalogues, like the storefront's
(`pybabel extract -F babel.cfg` / `update` / `compile` in this folder;
`translations/<locale>/LC_MESSAGES/messages.po`), but loaded with
`babel.support.Translations` rather than Flask-Babel: a worker thread has no
request to pick a locale from, and one message must not change another's.
"""

from __future__ import annotations

import os
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

TRANSLATIONS = os.path.join(os.path.dirname(__file__), "translations")


def available_locales() -> list[str]:
    found = ["en"]
    if os.path.isdir(TRANSLATIONS):
        found += sorted(
            name for name in os.listdir(TRANSLATIONS) if os.path.isdir(os.path.join(TRANSLATIONS, name, "LC_MESSAGES"))
        )
    return found


def email_locale(setting: str, storefront_language: str | None) -> str:
    for wanted in (setting, storefront_language):
        code = (wanted or "").strip().replace("-", "_")
        if not code:
            continue
        for candidate in (code, code.split("_")[0]):
            if candidate in available_locales():
                return candidate
    return "en"


@lru_cache(maxsize=16)
def translations(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    return Translations.load(TRANSLATIONS, [locale])


def babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")
