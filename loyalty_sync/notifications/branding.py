"""A shop's look in its member emails: a logo, one brand colour and a footer
text (often the shop's legal address). All optional: without them the emails
keep the neutral look of `templates/email.html`.

The values are checked when the owner saves them (`logo_problem`,
`colour_problem`) and again here when an email is made, so a value that got
into the table some other way can never reach the HTML: a logo that is not
https is left out (a mail client blocks or warns about http images, and
`javascript:` or `data:` must never be a `src`), a colour that is not
`#rrggbb` falls back to the default one. The footer is plain text and
escaped like everything else the templates write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_COLOUR = "#4f46e5"
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Branding:
    logo_url: str = ""
    colour: str = DEFAULT_COLOUR
    text_on_colour: str = "#ffffff"
    footer_lines: tuple[str, ...] = ()


def logo_problem(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return "The logo must be an https:// address of an image (mail clients block other images)."
    if any(ch.isspace() or ch in "\"'<>" for ch in url) or len(url) > 500:
        return "The logo address may not contain spaces, quotes or angle brackets (500 characters at most)."
    return None


def colour_problem(colour: str) -> str | None:
    colour = colour.strip()
    if colour and not _HEX.fullmatch(colour):
        return "The brand colour must be a hex colour like #1a7f37."
    return None


def text_colour_on(colour: str) -> str:
    """Black or white, whichever contrasts more with `colour` (WCAG's relative luminance)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    # contrast with white: 1.05 / (L + 0.05); with black: (L + 0.05) / 0.05
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def branding_of(settings) -> Branding:
    """The `Branding` of an `EmailSettings` row (or None: the default look)."""
    if settings is None:
        return Branding()
    logo = (settings.logo_url or "").strip()
    colour = (settings.brand_colour or "").strip().lower()
    colour = colour if colour and colour_problem(colour) is None else DEFAULT_COLOUR
    footer = tuple(line.strip() for line in (settings.footer_text or "").splitlines() if line.strip())
    return Branding(
        logo_url=logo if logo and logo_problem(logo) is None else "",
        colour=colour,
        text_on_colour=text_colour_on(colour),
        footer_lines=footer,
    )
