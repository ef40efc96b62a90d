"""The form of Settings > Member emails, read and checked in one place: the
page's save, its live preview and its test send all take the same fields,
so what the preview shows is what saving keeps.

`read_settings` gives a transient `EmailSettings` (never added to the
session: the preview must not write) and the problems found, one per field.
"""

from __future__ import annotations

import re

from loyalty_sync.models import EmailSettings
from loyalty_sync.notifications.branding import colour_problem, logo_problem
from loyalty_sync.notifications.i18n import available_locales
from loyalty_sync.notifications.overrides import INTRO_MAX, SUBJECT_MAX, Words, text_problem

KIND_NAMES = {
    "points_earned": "Points earned",
    "coupon_ready": "Reward coupon ready",
    "points_expiring": "Points expiring",
    "tier_up": "Tier up",
}
TEXT_FIELDS = ("shop_name", "sender_name", "sender_address", "language", "logo_url", "brand_colour", "footer_text")
FOOTER_MAX = 1000
_ADDRESS = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+")


def defaults(store_id: int) -> EmailSettings:
    """A store's settings before the first save (the columns' defaults apply only on flush)."""
    settings = EmailSettings(store_id=store_id, enabled=False, expiry_reminder_days=14, per_minute=60)
    for name in TEXT_FIELDS:
        setattr(settings, name, "")
    for kind in KIND_NAMES:
        setattr(settings, kind, True)
    return settings


def copy_of(saved: EmailSettings) -> EmailSettings:
    draft = defaults(saved.store_id)
    for name in (*TEXT_FIELDS, *KIND_NAMES, "enabled", "expiry_reminder_days", "per_minute"):
        setattr(draft, name, getattr(saved, name))
    return draft


def read_settings(base: EmailSettings, form) -> tuple[EmailSettings, dict[str, str]]:
    """`base` (a transient copy) with the form's values; the problems by field."""
    problems: dict[str, str] = {}
    for name in TEXT_FIELDS:
        setattr(base, name, str(form.get(name, "")).strip() if name != "footer_text" else str(form.get(name, "")))
    base.footer_text = base.footer_text.replace("\r\n", "\n").strip()
    base.enabled = form.get("enabled") == "on"
    for kind in KIND_NAMES:
        setattr(base, kind, form.get(kind) == "on")
    days = str(form.get("expiry_reminder_days", "14")).strip()
    if days.isdigit() and 1 <= int(days) <= 365:
        base.expiry_reminder_days = int(days)
    else:
        problems["expiry_reminder_days"] = "The reminder comes 1 to 365 days before the points expire."
    for name, problem in (
        ("logo_url", logo_problem(base.logo_url)),
        ("brand_colour", colour_problem(base.brand_colour)),
    ):
        if problem:
            problems[name] = problem
    if base.sender_address and not _ADDRESS.fullmatch(base.sender_address):
        problems["sender_address"] = "The sender address must look like loyalty@your-shop.com."
    if base.language and base.language not in available_locales():
        problems["language"] = "Pick one of the languages listed."
    if len(base.footer_text) > FOOTER_MAX:
        problems["footer_text"] = f"The footer may have {FOOTER_MAX} characters at most."
    for name, limit in (("shop_name", 200), ("sender_name", 200)):
        if len(getattr(base, name)) > limit:
            problems[name] = f"At most {limit} characters."
    return base, problems


def read_words(kind: str, form) -> tuple[Words, dict[str, str]]:
    subject = " ".join(str(form.get("subject", "")).split())
    intro = str(form.get("intro", "")).replace("\r\n", "\n").strip()
    problems = {}
    for name, text, limit in (("subject", subject, SUBJECT_MAX), ("intro", intro, INTRO_MAX)):
        problem = text_problem(kind, text) or (f"At most {limit} characters." if len(text) > limit else None)
        if problem:
            problems[name] = problem
    return Words(subject, intro), problems


def pick(kind: str | None, locale: str | None) -> tuple[str, str]:
    """The kind and language the page edits and previews (a known one, else the first)."""
    kind = kind if kind in KIND_NAMES else next(iter(KIND_NAMES))
    locale = locale if locale in available_locales() else "en"
    return kind, locale
