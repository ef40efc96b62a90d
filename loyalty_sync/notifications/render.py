"""An `EmailContent` as the two parts of a real email: HTML whose CSS is
inlined (`css_inline`: mail clients drop <style> blocks, Gmail among them)
and a plain-text part, from `templates/email.html` and `email.txt`.

Autoescaping is on for the HTML: a member's name or a tier name is text,
never markup; so is the shop's footer. The shop's look (`branding.Branding`:
logo, brand colour and the text colour that reads on it, footer lines) is
optional: without it the email has the neutral default look.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import css_inline
from jinja2 import Environment, FileSystemLoader, select_autoescape

from loyalty_sync.notifications.branding import Branding
from loyalty_sync.notifications.content import EmailContent
from loyalty_sync.notifications.i18n import translations

_ENV = Environment(
    loader=FileSystemLoader(os.path.join(os.path.dirname(__file__), "templates")),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    keep_trailing_newline=True,
)
_INLINER = css_inline.CSSInliner(keep_style_tags=False)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render(
    content: EmailContent, *, shop_name: str, page_url: str, unsubscribe_url: str, branding: Branding | None = None
) -> RenderedEmail:
    _ = translations(content.locale).gettext
    values = {
        "content": content,
        "brand": branding or Branding(),
        "shop_name": shop_name,
        "page_url": page_url,
        "unsubscribe_url": unsubscribe_url,
        "footer_why": content.footer[0] if content.footer else "",
        "page_label": _("Your member page"),
        "unsubscribe_label": _("Unsubscribe"),
    }
    html = _INLINER.inline(_ENV.get_template("email.html").render(values))
    text = _ENV.get_template("email.txt").render(values)
    return RenderedEmail(subject=content.subject, text=text, html=html)
